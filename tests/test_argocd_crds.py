"""The Argo CD objects inferc ships or emits, checked against Argo CD's own CRDs (vendored
from its v3.5.1 release into ``schemas/crds/upstream``, see ``schemas/crds/PROVENANCE.md``)
and against what Argo CD does with them: the Applications an ApplicationSet generates, and
the repo-server sidecar patched into Argo CD's own ``argocd-repo-server`` Deployment.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE, ROOT, kubectl, run_cli

from compiler.repo import SETTINGS_FILE
from compiler.verify import UPSTREAM, Verifier

SOURCE_PATH = "deploy"
KINDS = ("Application", "ApplicationSet", "AppProject")
DATA = Path(__file__).parent / "argocd"


def configure(repo: Path, extra: str, prod_argocd: str = "") -> None:
    """Turn on spec.argocd (with ``extra`` settings) and cluster-level objects; give prod
    its own destination when ``prod_argocd`` is set."""
    settings = repo / SETTINGS_FILE
    settings.write_text(settings.read_text() + (
        "  argocd:\n    repoURL: https://git.example.com/team/models.git\n"
        f"    targetRevision: main\n    path: {SOURCE_PATH}\n{extra}"))
    for name in ("dev", "prod"):
        env = repo / "environments" / f"{name}.yaml"
        more = prod_argocd if name == "prod" else ""
        env.write_text(env.read_text().replace("spec:\n", f"spec:\n  manageNamespaces: true\n{more}", 1))


VARIANTS = {
    "per-environment": ("", ""),
    "per-namespace": ("    split: namespace\n", ""),
    "named-cluster": ("    split: namespace\n    project: models\n    automated: false\n"
                      "    namespace: argocd\n    plugin: inferc-v1\n",
                      "  argocd:\n    name: prod-cluster\n    project: prod-models\n"),
    "application-set": ("    split: namespace\n    applicationSet: true\n",
                        "  argocd:\n    name: prod-cluster\n    project: prod-models\n"),
    "application-set-per-environment": ("    applicationSet: true\n    automated: false\n", ""),
}


def build(tmp_path: Path, variant: str) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("out"))
    configure(repo, *VARIANTS[variant])
    out = tmp_path / "out"
    result = run_cli("build", repo, "-o", out)
    assert result.exit_code == 0, result.stderr
    return out / "argocd"


def docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def test_argo_cd_kinds_are_vendored() -> None:
    index = json.loads((ROOT / "schemas" / "crds" / "index.json").read_text())
    assert {f"argoproj.io/v1alpha1/{k}" for k in KINDS} <= set(index[UPSTREAM])
    provenance = (ROOT / "schemas" / "crds" / "PROVENANCE.md").read_text()
    assert "argoproj/argo-cd, tag `v3.5.1`" in provenance


def test_shipped_examples_verify() -> None:
    examples = sorted((ROOT / "argocd" / "examples").glob("*.yaml"))
    assert [p.name for p in examples] == ["application.yaml", "applicationset.yaml"]
    result = run_cli("verify", *examples)
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "inferc: verified 2 files against upstream: no errors\n"


@pytest.mark.parametrize("mistake, message", [
    (("ignoreDifferences:", "ignoreDiferences:"),
     "argocd/examples/application.yaml:25:3: error: spec.ignoreDiferences: unknown field "
     "'ignoreDiferences' [verify.unknown-field]\n  hint: did you mean 'ignoreDifferences'?"),
    (("      prune: true", "      prune: \"true\""),
     "argocd/examples/application.yaml:46:14: error: spec.syncPolicy.automated.prune: "
     "expected a boolean, found a string ('true') [verify.schema]"),
    (("  project: default\n", ""),
     "argocd/examples/application.yaml:10:1: error: spec: missing required field 'project' "
     "[verify.schema]"),
])
def test_the_crd_catches_application_mistakes(tmp_path: Path, mistake: tuple[str, str],
                                              message: str) -> None:
    """The vendored schema is closed and typed as the API server applies it: a misspelt,
    mistyped or missing field in an Application is an error, not a silent drop."""
    copy = tmp_path / "argocd" / "examples" / "application.yaml"
    copy.parent.mkdir(parents=True)
    text = (ROOT / "argocd" / "examples" / "application.yaml").read_text()
    assert mistake[0] in text
    copy.write_text(text.replace(mistake[0], mistake[1], 1))
    result = run_cli("verify", "argocd/examples/application.yaml", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stdout == f"{message}\n1 error in 1 file\n"


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_emitted_objects_verify(tmp_path: Path, variant: str) -> None:
    folder = build(tmp_path, variant)
    files = sorted(folder.glob("*.yaml"))
    kinds = {d["kind"] for p in files for d in docs(p)}
    assert kinds == ({"ApplicationSet"} if variant.startswith("application-set")
                     else {"Application"})
    result = run_cli("verify", *files)
    assert result.exit_code == 0, result.stdout


def test_build_refuses_an_application_argo_cd_would_refuse(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """build verifies what it emits into argocd/ as it verifies every rendered object: a
    bug there fails the build, located at inferc.yaml, and writes nothing."""
    from compiler import argocd

    real = argocd._application

    def broken(settings: Any, app: Any) -> dict[str, Any]:
        obj = real(settings, app)
        obj["spec"]["syncPolicy"]["automated"]["selfHeal"] = "yes"
        return obj

    monkeypatch.setattr(argocd, "_application", broken)
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("out"))
    configure(repo, "")
    result = run_cli("build", "-o", tmp_path / "out", cwd=repo)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == (
        "inferc.yaml:7:3: error: spec.syncPolicy.automated.selfHeal: generated Application "
        "openshift-gitops/inferc-dev-platform: expected a boolean, found a string ('yes') "
        "[verify.schema]")
    assert not (tmp_path / "out").exists()
    check = run_cli("check", cwd=repo)  # check fails for whatever build refuses
    assert check.exit_code == 1 and "generated Application" in check.stdout


# --- what the ApplicationSet controller makes of the ApplicationSet -----------------------

_FIELD = re.compile(r"\{\{\s*\.(\w+)\s*\}\}")
_TO_JSON = re.compile(r"\{\{\s*toJson\s+\.(\w+)\s*\}\}")


def _fill(node: Any, params: dict[str, Any]) -> Any:
    """Argo CD's go template for the ``{{.key}}`` fields the template uses (with
    missingkey=error: a key the element lacks fails, as it would there)."""
    if isinstance(node, str):
        return _FIELD.sub(lambda m: str(params[m[1]]), node)
    if isinstance(node, dict):
        return {_fill(k, params): _fill(v, params) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, params) for v in node]
    return node


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    # templatePatch is a strategic merge patch; Application fields declare no merge keys,
    # so lists are replaced and mappings merged.
    out = dict(base)
    for key, value in patch.items():
        old = out.get(key)
        out[key] = (_merge(old, value) if isinstance(old, dict) and isinstance(value, dict)
                    else value)
    return out


def _to_json(params: dict[str, Any], match: re.Match[str]) -> str:
    return json.dumps(params[match[1]])


def generate_applications(appset: dict[str, Any]) -> list[dict[str, Any]]:
    """The Applications Argo CD's ApplicationSet controller creates from a list generator
    (applicationset/utils: template, then templatePatch, then the set's namespace)."""
    spec = appset["spec"]
    assert spec["goTemplate"] is True and spec["goTemplateOptions"] == ["missingkey=error"]
    apps = []
    for element in spec["generators"][0]["list"]["elements"]:
        app = _fill(spec["template"], element)
        patch_text = _TO_JSON.sub(partial(_to_json, element), spec["templatePatch"])
        app = _merge(app, yaml.safe_load(_fill(patch_text, element)))
        app["metadata"]["namespace"] = appset["metadata"]["namespace"]
        apps.append({"apiVersion": appset["apiVersion"], "kind": "Application", **app})
    return apps


def _as_argo_cd_reads_it(app: dict[str, Any]) -> dict[str, Any]:
    """Empty strings are unset fields to Argo CD (Go's omitempty) and to inferc render
    (an empty plugin env is no option); compare Applications on what they mean."""
    def drop(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: drop(v) for k, v in node.items() if v != ""}
        return [drop(v) for v in node] if isinstance(node, list) else node
    out: dict[str, Any] = drop(app)
    plugin = out["spec"]["source"]["plugin"]
    plugin["env"] = {e["name"]: e["value"] for e in plugin["env"] if "value" in e}
    return out


@pytest.mark.parametrize("split", ["per-namespace", "per-environment"])
def test_application_set_generates_the_emitted_applications(tmp_path: Path, split: str) -> None:
    """Each Application the ApplicationSet yields passes Argo CD's Application CRD and
    means what the Applications form says, object for object."""
    with_set = "application-set" if split == "per-namespace" else "application-set-per-environment"
    apps = generate_applications(docs(build(tmp_path / "set", with_set) / "applicationset.yaml")[0])
    form = "named-cluster" if split == "per-namespace" else "per-environment"
    expected = [docs(p)[0] for p in sorted(build(tmp_path / "apps", form).glob("*.yaml"))]
    if form == "named-cluster":  # the same destinations; settings that differ on purpose
        for app in expected:
            app["metadata"]["namespace"] = "openshift-gitops"
            app["spec"]["source"]["plugin"]["name"] = "inferc"
            app["spec"]["syncPolicy"]["automated"] = {"prune": True, "selfHeal": True}
            if app["spec"]["project"] == "models":
                app["spec"]["project"] = "default"
    else:
        for app in expected:
            del app["spec"]["syncPolicy"]["automated"]
    verifier = Verifier(UPSTREAM)
    for app in apps:
        assert verifier.check(app, file="generated") == [], app["metadata"]["name"]
    by_name = lambda a: a["metadata"]["name"]  # noqa: E731
    assert [_as_argo_cd_reads_it(a) for a in sorted(apps, key=by_name)] == [
        _as_argo_cd_reads_it(a) for a in sorted(expected, key=by_name)]


def test_empty_plugin_env_from_the_application_set_is_no_option(tmp_path: Path) -> None:
    """The set's template always passes INFERC_NAMESPACE and INFERC_OBJECTS; an element
    without them passes "" and render must read that as absent."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("out"))
    plain = run_cli("render", "--env", "prod", cwd=repo)
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "inferc"), "render"], cwd=repo, capture_output=True,
        text=True, check=False, timeout=120,
        env={"PATH": str(Path(sys.executable).parent),
             "ARGOCD_ENV_INFERC_ENVIRONMENT": "prod", "ARGOCD_ENV_INFERC_NAMESPACE": "",
             "ARGOCD_ENV_INFERC_OBJECTS": "", "ARGOCD_ENV_INFERC_MODEL": ""})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == plain.stdout


# --- the sidecar in Argo CD's own repo-server Deployment ----------------------------------


def test_sidecar_patch_applies_to_argo_cds_repo_server(tmp_path: Path) -> None:
    """``kubectl patch`` of Argo CD's argocd-repo-server Deployment (its v3.5.1 manifest)
    with argocd/repo-server-sidecar.yaml, as the README says, gives a valid Deployment in
    which every volume the inferc container mounts exists."""
    proc = subprocess.run(
        [kubectl(), "patch", "--local", "-o", "yaml",
         "-f", str(DATA / "argocd-repo-server-deployment.yaml"),
         "--patch-file", str(ROOT / "argocd" / "repo-server-sidecar.yaml")],
        capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    patched = tmp_path / "patched.yaml"
    patched.write_text(proc.stdout)
    result = run_cli("verify", patched)
    assert result.exit_code == 0, result.stdout
    pod = yaml.safe_load(proc.stdout)["spec"]["template"]["spec"]
    names = [c["name"] for c in pod["containers"]]
    assert sorted(names) == ["argocd-repo-server", "inferc"]  # added, nothing replaced
    volumes = {v["name"]: v for v in pod["volumes"]}
    inferc = next(c for c in pod["containers"] if c["name"] == "inferc")
    assert {m["name"] for m in inferc["volumeMounts"]} <= set(volumes)
    assert volumes["inferc-tmp"] == {"name": "inferc-tmp", "emptyDir": {}}
    # the server binary the sidecar runs comes from the repo-server's own init container
    init = {c["name"]: c for c in pod["initContainers"]}["copyutil"]
    assert any(m["name"] == "var-files" for m in init["volumeMounts"])
    assert inferc["command"] == ["/var/run/argocd/argocd-cmp-server"]


def _resolves(schema: dict[str, Any], pointer: str) -> bool:
    """Whether a JSON pointer names a field the CRD schema declares (a key of a map
    such as metadata.annotations counts as declared)."""
    node: Any = schema
    for raw in pointer.split("/")[1:]:
        key = raw.replace("~1", "/").replace("~0", "~")
        props = node.get("properties") if isinstance(node, dict) else None
        if isinstance(props, dict) and key in props:
            node = props[key]
        elif isinstance(node, dict) and isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]  # a map: any key
        else:
            return False
    return True


def test_ignored_fields_exist_in_the_crds_of_each_release() -> None:
    """Every jsonPointer of ignoreDifferences names a field of the kind as the release
    serves it: a misspelt pointer would make Argo CD fight the platform silently."""
    from types import SimpleNamespace
    from typing import cast

    from compiler.argocd import ignore_differences
    from compiler.platforms import all_platforms
    from compiler.spec import Environment

    index = json.loads((ROOT / "schemas" / "crds" / "index.json").read_text())
    checked = 0
    for platform in all_platforms():
        env = cast(Environment, SimpleNamespace(release=platform))
        for entry in ignore_differences(env):
            api_version = platform.api_version(f"{entry['group']}/{entry['kind']}")
            crd = next(index[s][f"{api_version}/{entry['kind']}"] for s in platform.crd_sets
                       if f"{api_version}/{entry['kind']}" in index[s])
            schema = json.loads((ROOT / "schemas" / "crds" / crd).read_text())
            schema["properties"]["metadata"] = {"properties": {"annotations": {
                "type": "object", "additionalProperties": {"type": "string"}}}}
            for pointer in entry["jsonPointers"]:
                assert _resolves(schema, pointer), (platform.key, entry["kind"], pointer)
                checked += 1
    assert checked >= 20


def test_source_and_destination_come_from_the_settings(tmp_path: Path) -> None:
    """inferc.yaml spec.argocd gives the source, project, namespace, plugin and sync; an
    environment's spec.argocd its cluster and project."""
    folder = build(tmp_path, "named-cluster")
    apps = {a["metadata"]["name"]: a for a in (docs(p)[0] for p in folder.glob("*.yaml"))}
    prod, dev = apps["inferc-prod-llm"], apps["inferc-dev-llm"]
    assert prod["metadata"]["namespace"] == dev["metadata"]["namespace"] == "argocd"
    assert prod["spec"]["source"] == {
        "repoURL": "https://git.example.com/team/models.git", "targetRevision": "main",
        "path": SOURCE_PATH, "plugin": {"name": "inferc-v1", "env": [
            {"name": "INFERC_ENVIRONMENT", "value": "prod"},
            {"name": "INFERC_NAMESPACE", "value": "llm"}]}}
    assert prod["spec"]["destination"] == {"name": "prod-cluster", "namespace": "llm"}
    assert dev["spec"]["destination"] == {"server": "https://kubernetes.default.svc",
                                          "namespace": "llm"}
    assert (prod["spec"]["project"], dev["spec"]["project"]) == ("prod-models", "models")
    assert prod["spec"]["syncPolicy"] == {"syncOptions": ["RespectIgnoreDifferences=true"]}
    platform = apps["inferc-prod-platform"]
    assert platform["spec"]["destination"] == {"name": "prod-cluster"}  # cluster-wide
    assert platform["spec"]["source"]["plugin"]["env"] == [
        {"name": "INFERC_ENVIRONMENT", "value": "prod"},
        {"name": "INFERC_OBJECTS", "value": "platform"}]


def _has(obj: Any, pointer: str) -> bool:
    node = obj
    for raw in pointer.split("/")[1:]:
        key = raw.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def test_inferc_never_writes_what_it_tells_argo_cd_to_ignore() -> None:
    """With RespectIgnoreDifferences=true Argo CD does not sync ignored fields into a live
    object: a field inferc writes and ignores would never follow Git. Across every golden
    render only the Stop/Start annotation is both (stopped: true applies at creation; the
    dashboard's toggle wins afterwards — the README says so)."""
    from types import SimpleNamespace
    from typing import cast

    from compiler.argocd import STOP, ignore_differences
    from compiler.platforms import platform_for
    from compiler.spec import Environment

    golden = Path(__file__).parent / "cases" / "golden"
    both: set[str] = set()
    renders = 0
    for stream_file in sorted(golden.glob("*/expected/render-*.yaml")):
        case, env_name = stream_file.parts[-3], stream_file.stem.removeprefix("render-")
        repo = EXAMPLE if case == "example" else golden / case / "repo"
        spec = yaml.safe_load((repo / "environments" / f"{env_name}.yaml").read_text())["spec"]
        release = platform_for(spec["platform"]["name"], str(spec["platform"]["version"]))
        ignored = ignore_differences(cast(Environment, SimpleNamespace(release=release)))
        renders += 1
        for obj in yaml.safe_load_all(stream_file.read_text()):
            for entry in ignored:
                if obj and obj["kind"] == entry["kind"]:
                    both |= {p for p in entry["jsonPointers"] if _has(obj, p)}
    assert renders > 20
    assert both == {STOP}
