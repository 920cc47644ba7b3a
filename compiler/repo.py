"""Read a config repo: find its files, load and validate them, and build input records.

Layout (DESIGN.md): ``inferc.yaml``, ``models/<namespace>/<name>.yaml``,
``environments/<env>.yaml``, ``presets/hardware-profiles/*.yaml``,
``presets/runtimes/*.yaml``. A file that does not load or validate is reported
and left out; the rest of the repo is still read, so one run shows every problem.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TypeVar

from compiler import credentials, presets
from compiler import vocabulary as V
from compiler.catalog import CatalogError, RuntimeTemplate, template_from_openshift
from compiler.diagnostics import Diagnostic, DocPath, excerpt
from compiler.errors import UsageError
from compiler.load import Document, load_path
from compiler.quantity import parse
from compiler.resources import presets_dir
from compiler.spec import (
    Environment,
    HardwareProfile,
    ModelKey,
    ModelSpec,
    Settings,
    environment_from,
    model_from,
    profile_from,
    settings_from,
)
from compiler.text import closest, did_you_mean
from compiler.validate import SchemaValidator

SETTINGS_FILE = "inferc.yaml"
_SUFFIXES = (".yaml", ".yml")
T = TypeVar("T")


@dataclass(frozen=True)
class Repo:
    root: Path
    settings: Settings
    models: tuple[ModelSpec, ...]
    model_keys: frozenset[ModelKey]  # every model in the repo, loaded or not
    environments: tuple[Environment, ...]
    profiles: tuple[HardwareProfile, ...]  # built-in first, then the repo's
    templates: tuple[RuntimeTemplate, ...]  # the repo's own (project-scoped or global)
    # check FILES: the models asked about (a deleted one included), None for all; the
    # others read are their namespaces' models, for the quota check only
    focus: frozenset[ModelKey] | None = None
    complete: frozenset[str] | None = None  # namespaces whose every model was read; None: all

    def environment(self, name: str) -> Environment | None:
        return next((e for e in self.environments if e.name == name), None)


@dataclass
class _Reader:
    root: Path
    validator: SchemaValidator
    diagnostics: list[Diagnostic]
    # Folder → is it, or a folder between the root and it, a symbolic link? Kept for this
    # one read of the repo (a reader lives for one load_repo): a thousand specs share a
    # dozen folders, and each answer costs a system call per folder level.
    _linked: dict[Path, bool] = field(default_factory=dict)

    def read(self, path: Path, kind: str | tuple[str, ...], build: Callable[[Document], T],
             display: str | None = None) -> T | None:
        shown = display or _relative(self.root, path)
        escape = _link_out(self.root, path, shown, self._through_link)
        if escape is not None:
            self.diagnostics.append(escape)
            return None
        result = load_path(path, shown)
        self.diagnostics.extend(result.diagnostics)
        if not result.documents:
            return None
        doc = result.documents[0]
        problems = self.validator.validate(doc, kind)
        self.diagnostics.extend(problems)
        return build(doc) if not problems else None

    def _through_link(self, path: Path) -> bool:
        """Is ``path`` or a folder between the root and it a symbolic link?"""
        if path.is_symlink():
            return True
        folder = path.parent
        if folder not in self._linked:
            self._linked[folder] = any(p.is_symlink() for p in _between(self.root, path))
        return self._linked[folder]


def _relative(root: Path, path: Path) -> str:
    try:  # globbed paths are under the root already; resolving costs a syscall per part
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.resolve().relative_to(root.resolve()).as_posix()


def _link_out(root: Path, path: Path, shown: str,
              through_link: Callable[[Path], bool]) -> Diagnostic | None:
    """A file reached through a symbolic link that leads out of the repo is never read:
    a pull request could otherwise read runner files (/etc/passwd, ~/.env) into CI logs."""
    if not through_link(path):
        return None  # the common case: no link on the way, nothing to resolve
    target = Path(os.path.realpath(path))
    if not path.exists():
        return Diagnostic(shown, 1, 1, "$", "broken symbolic link", "repo.symlink",
                          hint="remove the link or point it at a file in the repo")
    if target.is_relative_to(Path(os.path.realpath(root))):
        return None
    return Diagnostic(shown, 1, 1, "$", "symbolic link to a file outside the config repo; "
                      "inferc does not follow it", "repo.symlink",
                      hint="copy the file into the repo instead of linking to it")


def _between(root: Path, path: Path) -> list[Path]:
    """The folders from ``root`` (exclusive) down to ``path``'s parent."""
    try:
        rel = path.parent.relative_to(root)
    except ValueError:
        return []
    return [root.joinpath(*rel.parts[:i]) for i in range(1, len(rel.parts) + 1)]


# The files a config repo is made of (relative to its root); .pre-commit-hooks.yaml
# passes the hook the same set.
_CONFIG_FILE = re.compile(r"(inferc\.yaml|(models/[^/]+|environments|"
                          r"presets/(hardware-profiles|runtimes))/[^/]+\.ya?ml)")


def is_config_file(relative: str) -> bool:
    """Whether a path (relative to the repo root) is one of the repo's own files:
    check FILES takes such a path even when a commit deletes the file."""
    return _CONFIG_FILE.fullmatch(relative) is not None


def find_root(start: Path) -> Path:
    """The config repo containing ``start`` (the nearest folder with inferc.yaml)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    raise UsageError(f"no {SETTINGS_FILE} in {start} or any parent folder; "
                     f"is this an inferc config repo?")


def model_files(root: Path) -> list[Path]:
    return _yaml_files(root / "models", depth=2)


def load_repo(root: Path, validator: SchemaValidator,
              only_models: Sequence[Path] | None = None) -> tuple[Repo, list[Diagnostic]]:
    """Load the repo. With ``only_models`` (check FILES, explain) those model files are
    read, a missing one counting as deleted, plus every model of their namespaces that
    an environment sets a quota for, since the quota check needs all of them."""
    diags: list[Diagnostic] = []
    reader = _Reader(root, validator, diags)
    settings = settings_from(_read_settings(reader))
    all_model_files = model_files(root)
    located = [(p, k) for p in all_model_files if (k := model_key(root, p)) is not None]
    keys = frozenset(k for _, k in located)
    envs = [e for p in _yaml_files(root / "environments", 1)
            if (e := reader.read(p, "Environment", environment_from)) is not None]
    envs = _check_environment_names(root, envs, diags)
    focus = complete = None
    if only_models is None:
        models = _read_models(reader, all_model_files, diags)
        diags.extend(_misplaced_models(root))
    else:
        focus = frozenset(k for p in only_models if (k := model_key(root, p)) is not None)
        complete = frozenset(k.namespace for k in focus) & {n for e in envs for n in e.quotas}
        peers = [p for p, k in located if k.namespace in complete and k not in focus]
        given = [p for p in only_models if os.path.lexists(p)]  # a deleted spec is not read
        models = _read_models(reader, [*given, *peers], diags)
    profiles = _builtin_profiles() + tuple(
        p for path in _yaml_files(root / "presets" / "hardware-profiles", 1)
        if (p := reader.read(path, "HardwareProfile",
                             lambda d: profile_from(d, builtin=False))) is not None)
    for profile in profiles:
        diags.extend(_check_profile(profile))
    templates = _read_templates(reader, _yaml_files(root / "presets" / "runtimes", 1), diags)
    repo = Repo(root, settings, tuple(sorted(models, key=lambda m: m.key)),
                keys, tuple(sorted(envs, key=lambda e: e.name)),
                profiles, templates, focus, complete)
    diags.extend(_check_overrides(repo))
    diags.extend(_check_credentials(repo))
    diags.extend(_check_base_environment(repo))
    return repo, diags


def _read_settings(reader: _Reader) -> Document | None:
    path = reader.root / SETTINGS_FILE
    return reader.read(path, "Repository", lambda d: d)


def _yaml_files(folder: Path, depth: int) -> list[Path]:
    if not folder.is_dir():
        return []
    pattern = "/".join(["*"] * depth)
    # Not only regular files: a FIFO, device or broken link with a spec's name is
    # reported by the reader rather than skipped in silence.
    return sorted(p for p in folder.glob(pattern) if p.suffix in _SUFFIXES and not p.is_dir())


def model_key(root: Path, path: Path) -> ModelKey | None:
    folder = path.parent
    if folder.parent == root / "models":  # the globbed models/<namespace>/<name>.yaml
        return ModelKey(folder.name, path.stem)
    try:  # paths found by globbing the repo are already under it; resolve only others
        rel = path.relative_to(root / "models")
    except ValueError:
        try:
            rel = path.resolve().relative_to(root.resolve() / "models")
        except ValueError:
            return None
    return ModelKey(rel.parts[0], Path(rel.parts[1]).stem) if len(rel.parts) == 2 else None


def _read_models(reader: _Reader, paths: Iterable[Path],
                 diags: list[Diagnostic]) -> list[ModelSpec]:
    models: dict[ModelKey, ModelSpec] = {}
    for path in paths:
        model = reader.read(path, "ModelDeployment", model_from)
        if model is None:
            continue
        problem = _location_problem(reader.root, path, model)
        if problem is not None:
            diags.append(problem)
        elif model.key in models:
            diags.append(model.doc.diag(("metadata", "name"), f"model {model.key} is also "
                                        f"defined in {models[model.key].file}", "names.unique"))
        else:
            models[model.key] = model
    return list(models.values())


def _location_problem(root: Path, path: Path, model: ModelSpec) -> Diagnostic | None:
    # The file location is the model's identity: it keeps names unique per
    # namespace and lets pre-commit map a changed file to its model.
    key = model_key(root, path)
    expected = f"models/{model.key.namespace}/{model.key.name}.yaml"
    if key is None:
        return model.doc.diag((), f"a ModelDeployment must live at {expected}", "names.location")
    if key.namespace != model.key.namespace:
        return model.doc.diag(("metadata", "namespace"), f"namespace '{model.key.namespace}' "
                              f"does not match the folder '{key.namespace}'", "names.location",
                              hint=f"move the file to {expected}")
    if key.name != model.key.name:
        return model.doc.diag(("metadata", "name"), f"name '{model.key.name}' does not match "
                              f"the file name '{path.name}'", "names.location",
                              hint=f"rename the file to {expected}")
    return None


def _check_environment_names(root: Path, envs: list[Environment],
                             diags: list[Diagnostic]) -> list[Environment]:
    """Each environment is named like its file, and only once (dev.yaml beside dev.yml
    would otherwise make render and the emitted overlay disagree)."""
    seen: dict[str, Environment] = {}
    for env in envs:
        stem = Path(env.doc.file).stem
        if stem != env.name:
            diags.append(env.doc.diag(("metadata", "name"), f"environment name '{env.name}' "
                                      f"does not match the file name '{stem}'", "names.location"))
        elif env.name in seen:
            diags.append(env.doc.diag(("metadata", "name"), f"environment '{env.name}' is also "
                                      f"defined in {seen[env.name].doc.file}", "names.unique"))
        else:
            seen[env.name] = env
    return list(seen.values())


def _misplaced_models(root: Path) -> list[Diagnostic]:
    """Anything under models/ that looks like a spec but is not read is an error, not a
    silent skip: under Argo CD a model that vanishes from the render is pruned."""
    out = []
    for parts in _walk(root / "models"):
        rel = "/".join(("models", *parts))
        name = parts[-1].lower()
        if not any(mark in name for mark in (".yaml", ".yml", ".json")):
            continue
        if len(parts) != 2:
            out.append(Diagnostic(rel, 1, 1, "$", "a ModelDeployment must live at "
                                  "models/<namespace>/<name>.yaml; this file is ignored",
                                  "names.location"))
        elif PurePosixPath(parts[-1]).suffix not in _SUFFIXES:
            out.append(Diagnostic(rel, 1, 1, "$", f"file name {excerpt(parts[-1])} does not "
                                  "end in .yaml or .yml; inferc does not read it",
                                  "names.location",
                                  hint="rename it to <name>.yaml, or move it out of models/"))
    return out


def _walk(folder: Path) -> list[tuple[str, ...]]:
    """Every non-folder entry below ``folder``, as its path parts below it, in path order
    (links not followed; hidden names skipped). Parts, not Paths: a repo has thousands
    of entries, and a Path costs a parse and a comparison of parts each."""
    found: list[tuple[str, ...]] = []
    for parent, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        above = Path(parent).relative_to(folder).parts  # once per folder
        found += [(*above, f) for f in files if not f.startswith(".")]
    return sorted(found)


def models_folder_state(root: Path) -> str:
    """What is (not) in models/, for the message that an environment renders nothing."""
    folder = root / "models"
    if folder.is_symlink() and not folder.exists():
        return "models/ is a broken symbolic link"
    if not folder.exists():
        near = closest("models", [p.name for p in root.iterdir() if p.is_dir()])
        return "there is no models/ folder" + (f" (is '{near}/' misspelt?)" if near else "")
    if not folder.is_dir():
        return "models is not a folder"
    others = _walk(folder)
    if not others:
        return "models/ is empty"
    return (f"models/ holds {len(others)} file{'s' * (len(others) != 1)} but no "
            "models/<namespace>/<name>.yaml")


def _check_profile(profile: HardwareProfile) -> list[Diagnostic]:
    """A profile the webhook would apply must make sense: minCount <= defaultCount <=
    maxCount, and each resource listed once."""
    out = []
    seen: set[str] = set()
    for ident in profile.identifiers:
        where = ("spec", "identifiers", ident.index)
        if ident.identifier in seen:
            out.append(profile.doc.diag((*where, "identifier"), f"'{ident.identifier}' is listed "
                                        "twice", "profile.identifiers"))
        seen.add(ident.identifier)
        low, default = parse(ident.min_count).value, parse(ident.default_count).value
        high = parse(ident.max_count).value if ident.max_count is not None else None
        if not low <= default or (high is not None and not default <= high):
            upper = f" <= maxCount {ident.max_count}" if ident.max_count is not None else ""
            out.append(profile.doc.diag(where, f"{ident.identifier}: needs minCount "
                                        f"{ident.min_count} <= defaultCount "
                                        f"{ident.default_count}{upper}", "profile.counts"))
    return out


def _check_base_environment(repo: Repo) -> list[Diagnostic]:
    wanted, doc = repo.settings.base_environment, repo.settings.doc
    names = [e.name for e in repo.environments]
    if wanted is None or doc is None or wanted in names or not names:
        return []
    return [doc.diag(("spec", "baseEnvironment"), f"no environment '{wanted}'",
                     "settings.base-environment",
                     hint=did_you_mean(wanted, names,
                                       otherwise=f"environments: {', '.join(names)}"))]


def _builtin_profiles() -> tuple[HardwareProfile, ...]:
    # A broken shipped profile raises (compiler.presets); the repo's own go through _Reader.
    folder = presets_dir() / "hardware-profiles"
    return tuple(profile_from(presets.document(f"hardware-profiles/{path.name}", "HardwareProfile"),
                              builtin=True)
                 for path in _yaml_files(folder, 1))


def _read_templates(reader: _Reader, paths: list[Path],
                    diags: list[Diagnostic]) -> tuple[RuntimeTemplate, ...]:
    """inferc's RuntimeTemplate, or the cluster's own objects as they are: an OpenShift
    Template (what "Add serving runtime" stores) or a plain ServingRuntime."""
    out = []
    for path in paths:
        doc = reader.read(path, _RUNTIME_KINDS, lambda d: d)
        if doc is None:
            continue
        shape, where = _RUNTIME_SHAPES[doc.data["kind"]]
        try:
            out.append(template_from_openshift(shape(doc), source=doc.file, images=None,
                                               namespace=doc.data["metadata"].get("namespace")))
        except CatalogError as exc:
            # the catalog names the file; the diagnostic already does
            message = str(exc).removeprefix(f"{doc.file}: ")
            diags.append(doc.diag(where, message, "runtime.template"))
    return tuple(out)


def _as_is(doc: Document) -> dict[str, object]:
    return dict(doc.data)


def _wrapped(doc: Document) -> dict[str, object]:
    """A plain ServingRuntime wrapped as the dashboard's assembleServingRuntimeTemplate
    wraps one pasted into "Add serving runtime" (frontend/src/api/k8s/templates.ts):
    single-model serving, no model type (offered for both), the runtime's API protocol.
    The Template is named like the runtime (the dashboard's own name is random)."""
    runtime = doc.data
    annotations = {V.SERVING_SUPPORT: '["single"]'}
    protocol = (runtime["metadata"].get("annotations") or {}).get(V.API_PROTOCOL)
    if protocol:
        annotations[V.API_PROTOCOL] = protocol
    return {"apiVersion": "template.openshift.io/v1", "kind": "Template",
            "metadata": {"name": runtime["metadata"]["name"], "annotations": annotations,
                         "labels": {V.DASHBOARD: "true"}},
            "objects": [runtime], "parameters": []}


_RUNTIME_SHAPES: dict[str, tuple[Callable[[Document], dict[str, object]], DocPath]] = {
    "RuntimeTemplate": (lambda d: _as_openshift_template(d), ("spec", "servingRuntime")),
    "Template": (_as_is, ("objects", 0)),
    "ServingRuntime": (_wrapped, ("spec",)),
}
_RUNTIME_KINDS = tuple(_RUNTIME_SHAPES)


def _as_openshift_template(doc: Document) -> dict[str, object]:
    """A RuntimeTemplate spec in the shape of the platform's OpenShift Template."""
    spec, meta = doc.data["spec"], doc.data["metadata"]
    runtime = {"apiVersion": "serving.kserve.io/v1alpha1", "kind": "ServingRuntime",
               **spec["servingRuntime"]}
    sr_meta = dict(runtime.get("metadata") or {})
    annotations = dict(sr_meta.get("annotations") or {})
    if "displayName" in spec:
        annotations[V.DISPLAY_NAME] = spec["displayName"]
    if "recommendedAccelerators" in spec:
        annotations[V.RECOMMENDED_ACCELERATORS] = json.dumps(
            spec["recommendedAccelerators"])
    sr_meta.setdefault("name", meta["name"])
    sr_meta["annotations"] = annotations
    runtime["metadata"] = sr_meta
    template_annotations = {V.SERVING_SUPPORT: '["single"]',
                            V.MODEL_TYPE: json.dumps(spec["modelTypes"])}
    if "apiProtocol" in spec:
        template_annotations[V.API_PROTOCOL] = spec["apiProtocol"]
    return {"apiVersion": "template.openshift.io/v1", "kind": "Template",
            "metadata": {"name": meta["name"], "annotations": template_annotations,
                         "labels": {V.DASHBOARD: "true"}},
            "objects": [runtime]}


def _check_credentials(repo: Repo) -> list[Diagnostic]:
    """Each literal is checked where it is written: a spec, or an environment override."""
    out = [d for m in repo.models for d in credentials.check(m.doc, ("spec",))]
    for env in repo.environments:
        for ref in env.overrides:
            out += credentials.check(env.doc, ("spec", "overrides", ref))
    return out


def _check_overrides(repo: Repo) -> list[Diagnostic]:
    known = sorted(str(k) for k in repo.model_keys)
    out = []
    for env in repo.environments:
        for ref in env.overrides:
            if ref in known:
                continue
            out.append(env.doc.diag(("spec", "overrides", ref), f"no model '{ref}' in models/",
                                    "env.unknown-model", at_key=True,
                                    hint=did_you_mean(ref, known)))
    return out
