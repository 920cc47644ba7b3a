"""``inferc import``: read, adopt, prove the round trip on a scratch copy, then write.

Nothing is written unless every model's specs compile and render its objects back
(apart from cluster state and the documented representation differences); a field
the spec language cannot express stops the import, unless ``lossy`` accepts the loss.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from compiler import pipeline
from compiler.cluster_runtimes import platform_runtimes
from compiler.diagnostics import Diagnostic, Severity, format_path
from compiler.errors import InputError
from compiler.importer import cluster, kserve, llmd
from compiler.importer.compare import RULE, compare
from compiler.importer.objects import ClusterObject, name_problem, read_inputs
from compiler.importer.records import Adopted, Context
from compiler.importer.write import inside, write_files
from compiler.load import Document, SourceMap
from compiler.objects import object_key
from compiler.paths import rebase
from compiler.repo import Repo, load_repo
from compiler.spec import HardwareProfile, profile_from
from compiler.validate import default_validator
from compiler.yamlio import dump

_READERS = {"InferenceService": kserve.adopt, "LLMInferenceService": llmd.adopt}
# what the repo reads unchanged: a scratch copy needs only these
_REPO_PARTS = ("inferc.yaml", "models", "environments", "presets")
_NOT_ADOPTED = {
    "Secret": "a Secret other than a model's token; inferc never holds credentials "
              "(connections stay in the cluster)",
    "ServingRuntime": "no InferenceService in the input names this runtime",
    "ServiceAccount": "no model in the input owns it",
    "Role": "no model in the input owns it",
    "RoleBinding": "no model in the input owns it",
    "RateLimitPolicy": "it targets the route of no LLMInferenceService in the input (inferc "
                       "writes rate limits for llm-d models, on the route <model>-kserve-route)",
    "TokenRateLimitPolicy": "it targets the route of no LLMInferenceService in the input (inferc "
                            "writes rate limits for llm-d models, on the route "
                            "<model>-kserve-route)",
    "AuthPolicy": "an AuthPolicy follows from a model's access settings (tokens, auth, public) "
                  "and the environment: the platform's controller or inferc writes it",
}


@dataclass(frozen=True)
class Imported:
    """What the command reports: diagnostics, notes, and what it wrote."""

    diagnostics: list[Diagnostic]
    notes: list[str]
    written: tuple[str, ...]  # repo-relative paths
    models: int
    environment: str


def adopt(root: Path, paths: Sequence[Path], env_name: str | None, *, force: bool,
          lossy: bool) -> Imported:
    objects, diags = read_inputs(paths)
    repo, _ = load_repo(root, default_validator())
    env = pipeline.require_environment(repo, env_name or pipeline.base_environment(repo))
    # an object that is not one (bad shape, bad YAML) is left out, and the others are
    # still read, so every problem is reported at once; nothing is written either way
    ctx = Context(env, (*platform_runtimes(env.release), *repo.templates),
                  (*repo.profiles, *_input_profiles(objects)), tuple(objects))
    adopted, problems = _adopt_all(ctx)
    diags += problems
    notes = _dropped(objects)
    files, more = _files(root, repo, adopted, ctx, force=force)
    diags += more
    if not adopted:
        if not any(d.is_error for d in diags):
            diags.append(_nothing(paths))
        return Imported(diags, notes, (), 0, env.name)
    # the models that could be read are checked even when others could not: every
    # problem at once, and still nothing written
    checked, more_notes = _round_trip(root, files, adopted, env.name,
                                      _preset_origins(adopted, objects), lossy=lossy)
    diags += checked
    notes += more_notes + [n for a in adopted for n in a.notes]
    if any(d.is_error for d in diags):
        return Imported(diags, notes, (), 0, env.name)
    write_files(root, files, force=force)
    return Imported(diags, notes, tuple(files), len(adopted), env.name)


def _adopt_all(ctx: Context) -> tuple[list[Adopted], list[Diagnostic]]:
    adopted: list[Adopted] = []
    read: list[Adopted] = []  # also the models that cannot be written: their objects are used
    diags: list[Diagnostic] = []
    for obj in ctx.objects:
        reader = _READERS.get(obj.kind)
        if reader is None:
            continue
        problem = name_problem(obj)
        if problem is not None:
            diags.append(problem)
            continue
        model = reader(obj, ctx)
        diags += model.diagnostics
        read.append(model)
        if model.spec is not None:
            adopted.append(model)
    used = {id(o) for a in read for o in (*a.sources, *a.consumed)} | \
        {id(o) for o in ctx.objects if o.kind in _READERS or o.kind == "HardwareProfile"}
    diags += [o.diag((), f"{o.ref} is not imported: {_why(o)}", "import.skipped",
                     severity=Severity.WARNING) for o in ctx.objects if id(o) not in used]
    return adopted, diags


def _input_profiles(objects: Sequence[ClusterObject]) -> tuple[HardwareProfile, ...]:
    """HardwareProfiles in the input (they become presets), so that resources equal to
    their defaults need no word in the spec either. One that breaks its schema is left
    out here: the round trip reports the preset against its schema."""
    validator = default_validator()
    out = []
    for obj in objects:
        if obj.kind != "HardwareProfile":
            continue
        data, _ = cluster.strip(obj.kind, obj.data)
        if not validator.is_valid("HardwareProfile", data):
            continue  # the typed record trusts its schema (identifier: [] crashed it)
        try:
            out.append(profile_from(Document(obj.doc.file, data, SourceMap()), builtin=False))
        except (KeyError, TypeError, AttributeError, InputError):
            continue  # malformed: the round trip reports the preset against its schema
    return tuple(out)


def _why(obj: ClusterObject) -> str:
    return _NOT_ADOPTED.get(obj.kind, "inferc writes specs for InferenceServices and "
                            "LLMInferenceServices (a controller creates this kind, or inferc "
                            "does not manage it)")


def _dropped(objects: Sequence[ClusterObject]) -> list[str]:
    out = []
    for obj in objects:
        _, dropped = cluster.strip(obj.kind, obj.data)
        if dropped and obj.kind in (*_READERS, "ServingRuntime", "ServiceAccount", "Role",
                                    "RoleBinding", "Secret", "HardwareProfile"):
            out.append(f"{obj.ref}: dropped cluster state: {', '.join(dropped)}")
    return out


def _nothing(paths: Sequence[Path]) -> Diagnostic:
    return Diagnostic(str(paths[0]), 1, 1, "$", "no InferenceService or LLMInferenceService "
                      "in the input: nothing to import", "import.nothing")


# ------------------------------------------------------------------------------ files


def spec_path(adopted: Adopted) -> str:
    return f"models/{adopted.key.namespace}/{adopted.key.name}.yaml"


def _files(root: Path, repo: Repo, adopted: Sequence[Adopted], ctx: Context, *,
           force: bool) -> tuple[dict[str, str], list[Diagnostic]]:
    files: dict[str, str] = {}
    diags: list[Diagnostic] = []
    for model in adopted:
        assert model.spec is not None
        rel = spec_path(model)
        if rel in files:
            diags.append(model.origin.diag(("metadata", "name"), f"{model.origin.ref} is in "
                                           "the input twice", "import.duplicate"))
            continue
        header = f"# imported by inferc from {model.origin.where} ({model.origin.ref})\n"
        files[rel] = header + dump(model.spec)
        if not force and (root / rel).exists():
            diags.append(model.origin.diag(("metadata", "name"), f"{rel} already exists; "
                                           "pass --force to replace it", "import.exists"))
        for preset_rel, (runtime, preset) in model.presets.items():
            diags += _preset(root, files, preset_rel, preset, runtime, force=force)
    for obj in ctx.objects:
        if obj.kind == "HardwareProfile":
            data, _ = cluster.strip(obj.kind, obj.data)
            problem = name_problem(obj)
            if problem is not None:
                diags.append(problem)
            else:
                diags += _preset(root, files, f"presets/hardware-profiles/{obj.name}.yaml",
                                 data, obj, force=force)
    for rel in files:
        inside(root, rel)
    return files, diags


def _preset(root: Path, files: dict[str, str], rel: str, data: Mapping[str, Any],
            source: ClusterObject, *, force: bool) -> list[Diagnostic]:
    text = f"# imported by inferc from {source.where} ({source.ref})\n" + dump(dict(data))
    if rel in files:
        if files[rel] != text and _body(files[rel]) != _body(text):
            return [source.diag((), f"{rel} would be written twice with different content",
                                "import.preset-clash")]
        return []
    existing = root / rel
    if existing.exists() and not force:
        if _body(existing.read_text(encoding="utf-8")) == _body(text):
            return []  # already in the repo as it is
        return [source.diag((), f"{rel} already exists with other content; pass --force to "
                            "replace it", "import.exists")]
    files[rel] = text
    return []


def _body(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))


# ------------------------------------------------------------------------- round trip


def _preset_origins(adopted: Sequence[Adopted],
                    objects: Sequence[ClusterObject]) -> dict[str, ClusterObject]:
    """The object each preset file was written from."""
    out = {rel: obj for a in adopted for rel, (obj, _) in a.presets.items()}
    out.update({f"presets/hardware-profiles/{o.name}.yaml": o for o in objects
                if o.kind == "HardwareProfile"})
    return out


def _round_trip(root: Path, files: Mapping[str, str], adopted: Sequence[Adopted], env: str,
                presets: Mapping[str, ClusterObject], *,
                lossy: bool) -> tuple[list[Diagnostic], list[str]]:
    """Compile a scratch copy of the repo with the new files and compare what it renders
    with what was imported. Specs that do not compile are reported and left out of a
    second compilation, so the others are still compared: every problem at once."""
    with tempfile.TemporaryDirectory(prefix="inferc-import-") as scratch:
        copy = _scratch_copy(root, Path(scratch), files)
        outcome = pipeline.run(copy, environment=env, one_environment=True, render=True)
        diags = _relocated(root, outcome.diagnostics, adopted, presets)
        failed = {d.file for d in outcome.diagnostics if d.is_error}
        generated = {spec_path(a) for a in adopted}
        if outcome.stopped and failed <= generated and generated - failed:
            for rel in failed:
                (copy / rel).unlink()
            adopted = [a for a in adopted if spec_path(a) not in failed]
            outcome = pipeline.run(copy, environment=env, one_environment=True, render=True)
            diags += _relocated(root, outcome.diagnostics, adopted, presets)
    if outcome.stopped:
        return diags, []
    rendered = {object_key(o): o for r in outcome.renders if r.name == env
                for m in r.models for o in m.objects}
    notes: list[str] = []
    for model in adopted:
        more_diags, more_notes = _compare_model(model, rendered, outcome, env, lossy=lossy)
        diags += more_diags
        notes += more_notes
    return diags, notes


def _scratch_copy(root: Path, scratch: Path, files: Mapping[str, str]) -> Path:
    copy = scratch / "repo"
    copy.mkdir()
    for part in _REPO_PARTS:
        source = root / part
        if source.is_dir():
            shutil.copytree(source, copy / part, symlinks=True)
        elif source.is_file():
            shutil.copy2(source, copy / part)
    for rel, text in files.items():
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_text(text, encoding="utf-8")
    return copy


def _compare_model(model: Adopted, rendered: Mapping[Any, Any], outcome: pipeline.Outcome,
                   env_name: str, *, lossy: bool) -> tuple[list[Diagnostic], list[str]]:
    env = pipeline.require_environment(outcome.compiled.repo, env_name)
    diags: list[Diagnostic] = []
    notes: list[str] = []
    mine = [o for r in outcome.renders if r.name == env_name for m in r.models
            if m.key == model.key for o in m.objects]
    seen = set()
    for source in model.sources:
        key = object_key({"apiVersion": source.api_version, "kind": source.kind,
                          "metadata": {"name": source.name, "namespace": source.namespace}})
        match = rendered.get(key) or next(
            (o for o in mine if o["kind"] == source.kind
             and o["metadata"]["name"] == source.name), None)
        if match is None:
            diags.append(source.diag((), f"{source.ref}: the imported spec renders no such "
                                     "object", RULE, severity=Severity.WARNING if lossy
                                     else Severity.ERROR))
            continue
        seen.add(object_key(match))
        found_notes, found = compare(source, match, env, lossy=lossy)
        notes += found_notes
        diags += found
    for obj in mine:
        if object_key(obj) not in seen:
            meta = obj["metadata"]
            notes.append(f"{model.origin.ref}: the spec also renders {obj['kind']} "
                         f"{meta.get('namespace')}/{meta['name']}, which the input does not "
                         "hold (applying the specs creates it)")
    return diags, notes


def _relocated(root: Path, diags: Sequence[Diagnostic], adopted: Sequence[Adopted],
               presets: Mapping[str, ClusterObject]) -> list[Diagnostic]:
    """Problems of a generated spec point at the object it came from; the repo's own
    files keep their names."""
    origins = {**presets, **{spec_path(a): a.origin for a in adopted}}
    out = []
    for diag in diags:
        origin = origins.get(diag.file)
        if origin is None:
            out += rebase(root, [diag])
            continue
        line, col = origin.doc.source.at(origin.base)
        out.append(replace(diag, file=origin.doc.file, line=line, col=col,
                           path=format_path(origin.base),
                           message=f"{origin.ref}: in the generated {diag.file}: "
                                   f"{diag.path}: {diag.message}"))
    return out
