"""inferc import: cluster objects → specs, proven by rendering them back.

Case folders under tests/cases/import/<case>/: ``repo/`` (the config repo imported
into), the input (``cluster.yaml`` or vendored upstream samples), ``documented.txt``
(the representation differences the round trip may show) and ``expected/``
(the files written and the report). The round-trip check here is independent of the
importer's own comparison: it strips cluster state and the documented paths from both
sides and asserts the rest is equal.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE, run_cli

from compiler.quantity import parse

CASES = Path(__file__).resolve().parent / "cases" / "import"
DASHBOARD = CASES / "dashboard"
SAMPLES = CASES / "kserve-samples"
SAMPLE_DIR = "samples/docs/samples"
IMPORTED_KINDS = {"InferenceService", "LLMInferenceService", "ServingRuntime", "ServiceAccount",
                  "Role", "RoleBinding"}


def _repo(case: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(case / "repo", tmp_path / "repo"))


def _import(case: Path, repo: Path, *args: str) -> tuple[int, str]:
    result = run_cli("import", *args, "--repo", repo, cwd=case)
    return result.exit_code, result.stderr.replace(str(repo), "<repo>")


def _written(repo: Path) -> dict[str, str]:
    return {p.relative_to(repo).as_posix(): p.read_text(encoding="utf-8")
            for folder in ("models", "presets") if (repo / folder).is_dir()
            for p in sorted((repo / folder).rglob("*.yaml"))}


def _tree(files: dict[str, str]) -> dict[str, Any]:
    """Nested folders, as pytest-snapshot's assert_match_dir takes them."""
    tree: dict[str, Any] = {}
    for rel, text in files.items():
        *folders, name = rel.split("/")
        node = tree
        for folder in folders:
            node = node.setdefault(folder, {})
        node[name] = text
    return tree


# ------------------------------------------------------------------ dashboard objects


LLMD = CASES / "llmd"
ROUND_TRIPPED = {"dashboard": {"InferenceService", "LLMInferenceService", "ServingRuntime",
                               "Secret", "ServiceAccount", "Role", "RoleBinding"},
                 "llmd": {"LLMInferenceService"}}


@pytest.mark.parametrize("case", [DASHBOARD, LLMD], ids=lambda p: p.name)
def test_cluster_objects_become_specs(case: Path, tmp_path: Path, snapshot) -> None:  # type: ignore[no-untyped-def]
    repo = _repo(case, tmp_path)
    code, report = _import(case, repo, "cluster.yaml", "--env", "prod")
    snapshot.snapshot_dir = case / "expected"
    snapshot.assert_match(report, "report.txt")
    assert code == 0
    snapshot.assert_match_dir(_tree(_written(repo)), "files")


@pytest.mark.parametrize("case", [DASHBOARD, LLMD], ids=lambda p: p.name)
def test_round_trip(case: Path, tmp_path: Path) -> None:
    repo = _repo(case, tmp_path)
    assert _import(case, repo, "cluster.yaml", "--env", "prod")[0] == 0
    imported = _input_objects(case / "cluster.yaml")
    _assert_round_trip(repo, "prod", imported, case / "documented.txt")
    assert {o["kind"] for o in imported} == ROUND_TRIPPED[case.name]


def test_what_the_specs_add_is_listed(tmp_path: Path) -> None:
    repo = _repo(LLMD, tmp_path)
    code, report = _import(LLMD, repo, "cluster.yaml")
    assert code == 0
    assert ("inferc: import: LLMInferenceService llm/guarded: the spec also renders Secret "
            "llm/default-name-guarded-sa, which the input does not hold (applying the specs "
            "creates it)") in report.splitlines()
    spec = yaml.safe_load((repo / "models/llm/open-model.yaml").read_text(encoding="utf-8"))
    assert spec["spec"]["access"] == {"auth": False, "public": True}
    assert spec["spec"]["llmd"] == {"router": {"scheduler": "none"}}


def test_token_names_and_display_names_come_back(tmp_path: Path) -> None:
    repo = _repo(DASHBOARD, tmp_path)
    _import(DASHBOARD, repo, "cluster.yaml", "--env", "prod")
    spec = yaml.safe_load((repo / "models/team/granite.yaml").read_text(encoding="utf-8"))
    assert spec["spec"]["access"] == {"external": True, "tokens": ["default-name", "CI Bot"]}
    rendered = _render(repo, "prod")
    secrets = {o["metadata"]["name"]: o["metadata"]["annotations"]["openshift.io/display-name"]
               for o in rendered if o["kind"] == "Secret"}
    assert secrets == {"default-name-granite-sa": "default-name",
                       "ci-bot-granite-sa": "CI Bot", "default-name-chat-sa": "default-name"}


def test_an_existing_spec_is_kept_unless_forced(tmp_path: Path) -> None:
    repo = _repo(DASHBOARD, tmp_path)
    (repo / "models/team").mkdir(parents=True)
    (repo / "models/team/paused.yaml").write_text("# mine\n", encoding="utf-8")
    code, report = _import(DASHBOARD, repo, "cluster.yaml", "--env", "prod")
    assert code == 1
    assert ("cluster.yaml:475:11: error: items[13].metadata.name: models/team/paused.yaml "
            "already exists; pass --force to replace it [import.exists]") in report
    assert _written(repo) == {"models/team/paused.yaml": "# mine\n"}, "nothing else written"
    code, report = _import(DASHBOARD, repo, "cluster.yaml", "--env", "prod", "--force")
    assert code == 0, report
    assert (repo / "models/team/paused.yaml").read_text(encoding="utf-8").startswith(
        "# imported by inferc from cluster.yaml:461 (InferenceService team/paused)")


def test_a_runtime_older_than_the_release_is_reported(tmp_path: Path) -> None:
    repo = _repo(DASHBOARD, tmp_path)
    old = "vllm-cuda-rhel9@sha256:dd65c7ed88a9369b962f1299ed19c6c8819ff0a64595c10e32f1e82ab0750e27"
    text = (DASHBOARD / "cluster.yaml").read_text(encoding="utf-8")
    (tmp_path / "cluster.yaml").write_text(text.replace(old, "vllm-cuda-rhel9:2.0", 1),
                                           encoding="utf-8")
    result = run_cli("import", "cluster.yaml", "--repo", repo, cwd=tmp_path)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    at = lines.index("cluster.yaml:120:14: error: items[1].spec.containers[0].image: "
                     "ServingRuntime team/granite: the cluster has "
                     "'registry.redhat.io/rhaii/vllm-cuda-rhel9:2.0', the imported spec renders "
                     "'registry.redhat.io/rhaii/vllm-cuda-rhel9@sha256:dd65c7ed8…' "
                     "[import.inexpressible]")
    assert lines[at + 1].startswith("  hint: the cluster's copy differs from the template")
    assert _written(repo) == {}


def test_importing_again_with_force_gives_the_same_bytes(tmp_path: Path) -> None:
    repo = _repo(DASHBOARD, tmp_path)
    assert _import(DASHBOARD, repo, "cluster.yaml")[0] == 0
    first = _written(repo)
    code, report = _import(DASHBOARD, repo, "cluster.yaml", "--force")
    assert code == 0, report
    assert _written(repo) == first
    assert not list(repo.rglob(".*.inferc-import-*")), "no staging file is left behind"


# ------------------------------------------------------------------ upstream samples


def test_upstream_sample_round_trip(tmp_path: Path, snapshot) -> None:  # type: ignore[no-untyped-def]
    repo = _repo(SAMPLES, tmp_path)
    sample = f"{SAMPLE_DIR}/storage/uri/sklearn.yaml"
    code, report = _import(SAMPLES, repo, sample)
    snapshot.snapshot_dir = SAMPLES / "expected"
    snapshot.assert_match(report, "report.txt")
    assert code == 0
    snapshot.assert_match_dir(_tree(_written(repo)), "files")
    _assert_round_trip(repo, "upstream", _input_objects(SAMPLES / sample),
                       SAMPLES / "documented.txt")


def test_upstream_samples_with_inexpressible_fields(tmp_path: Path, snapshot) -> None:  # type: ignore[no-untyped-def]
    repo = _repo(SAMPLES, tmp_path)
    samples = sorted(p.relative_to(SAMPLES).as_posix()
                     for p in (SAMPLES / SAMPLE_DIR).rglob("*.yaml")
                     if not p.match("storage/uri/sklearn.yaml"))
    code, report = _import(SAMPLES, repo, *samples)
    snapshot.snapshot_dir = SAMPLES / "expected"
    snapshot.assert_match(report, "inexpressible.txt")
    assert code == 1
    assert _written(repo) == {}, "nothing is written when anything cannot be imported"


def test_inexpressible_fields_are_reported_exactly(tmp_path: Path) -> None:
    repo = _repo(SAMPLES, tmp_path)
    sample = f"{SAMPLE_DIR}/llmisvc/opt-125m-cpu/llm-inference-service-facebook-opt-125m-cpu.yaml"
    code, report = _import(SAMPLES, repo, sample)
    assert code == 1
    assert (f"{sample}:33:32: error: spec.template.containers[0].livenessProbe."
            "initialDelaySeconds: LLMInferenceService default/facebook-opt-125m-single: 30 "
            "cannot be expressed in a spec; the imported spec would not write it "
            "[import.inexpressible]") in report
    assert (f"{sample}:8:11: error: spec.model.name: LLMInferenceService "
            "default/facebook-opt-125m-single: the cluster has 'facebook/opt-125m', the "
            "imported spec renders 'facebook-opt-125m-single' [import.inexpressible]") in report
    assert _written(repo) == {}


def test_lossy_writes_and_keeps_the_report_as_warnings(tmp_path: Path) -> None:
    repo = _repo(SAMPLES, tmp_path)
    sample = f"{SAMPLE_DIR}/llmisvc/opt-125m-cpu/llm-inference-service-facebook-opt-125m-cpu.yaml"
    code, report = _import(SAMPLES, repo, sample, "--lossy")
    assert code == 0, report
    assert ": warning: spec.template.containers[0].securityContext.runAsNonRoot: " in report
    assert "error" not in report.split("inferc: import:")[0].replace("0 errors", "")
    spec = yaml.safe_load((repo / "models/default/facebook-opt-125m-single.yaml").read_text(
        encoding="utf-8"))
    assert spec["spec"]["llmd"]["image"] == "docker.io/vllm/vllm-openai-cpu:v0.23.0"
    assert spec["spec"]["access"] == {"auth": False, "public": True}


# ------------------------------------------------------------------ every other problem


def _one(tmp_path: Path, text: str, *args: str) -> tuple[int, str, Path]:
    repo = _repo(DASHBOARD, tmp_path)
    (tmp_path / "in.yaml").write_text(text, encoding="utf-8")
    result = run_cli("import", "in.yaml", "--repo", repo, "--env", "prod", *args, cwd=tmp_path)
    return result.exit_code, result.stderr.replace(str(repo), "<repo>"), repo


ISVC = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: {name}
  namespace: team
  annotations: {annotations}
spec:
  predictor:
    model:
      modelFormat: {{name: onnx, version: "1"}}
      storageUri: {uri}
"""


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(ISVC.format(name="../escape", annotations="{}", uri="oci://quay.io/a/b:1"),
                 "in.yaml:4:9: error: metadata.name: name '../escape' is not a DNS-1123 label; "
                 "it cannot name a file inside the config repo [import.name]", id="name"),
    pytest.param(ISVC.format(name="a", annotations='{security.opendatahub.io/enable-auth: "true"}',
                             uri="oci://quay.io/a/b:1"),
                 'in.yaml:6:54: error: metadata.annotations["security.opendatahub.io/enable-auth"]: '
                 "token authentication is on, but the input holds no token Secret of "
                 "ServiceAccount a-sa; a spec names its tokens [import.tokens-missing]",
                 id="tokens-missing"),
    pytest.param(ISVC.format(name="a", annotations="{opendatahub.io/connections: c, "
                             "opendatahub.io/connection-path: p}", uri="null"),
                 'in.yaml:6:45: error: metadata.annotations["opendatahub.io/connections"]: the S3 '
                 "bucket of connection 'c' is not in the input; a spec names the model as "
                 "s3://<bucket>/<path> [import.s3-bucket]", id="s3-bucket"),
    pytest.param(ISVC.format(name="a", annotations="{}", uri="oci://quay.io/a/b:1")
                 + "      runtime: mine\n",
                 "in.yaml:12:16: error: spec.predictor.model.runtime: the ServingRuntime 'mine' "
                 "this model names is not in the input [import.runtime-missing]",
                 id="runtime-missing"),
    pytest.param("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: team}\n",
                 "in.yaml:1:1: error: $: no InferenceService or LLMInferenceService in the "
                 "input: nothing to import [import.nothing]", id="nothing"),
    pytest.param("apiVersion: v1\nkind: List\nitems:\n- kind: ConfigMap\n",
                 "in.yaml:4:3: error: items[0].apiVersion: a Kubernetes object needs apiVersion "
                 "[import.object]", id="object"),
    pytest.param(ISVC.format(name="a", annotations="{}", uri="oci://quay.io/a/b:1") + "---\n"
                 + ISVC.format(name="a", annotations="{}", uri="oci://quay.io/a/b:2"),
                 "in.yaml:16:9: error: metadata.name: InferenceService team/a is in the input "
                 "twice [import.duplicate]", id="duplicate"),
])
def test_problems_are_located_and_nothing_is_written(tmp_path: Path, text: str,
                                                     expected: str) -> None:
    code, report, repo = _one(tmp_path, text)
    assert expected in report.splitlines(), report
    assert code == 1
    assert _written(repo) == {}


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("{apiVersion: serving.kserve.io/v1beta1, kind: InferenceService, metadata: "
                 "{name: a, namespace: team, annotations: x}, spec: {predictor: 5}}\n",
                 "in.yaml:1:137: error: spec.predictor: no storageUri: a spec needs the model's "
                 "location [import.inexpressible]", id="predictor-not-a-mapping"),
    pytest.param("apiVersion: infrastructure.opendatahub.io/v1\nkind: HardwareProfile\n"
                 "metadata: {name: x}\nspec: {identifiers: 3}\n---\n"
                 + ISVC.format(name="a", annotations="{opendatahub.io/hardware-profile-name: x}",
                               uri="oci://quay.io/a/b:1"),
                 "in.yaml:1:1: error: $: HardwareProfile default/x: in the generated "
                 "presets/hardware-profiles/x.yaml: spec.identifiers: expected a list, found an "
                 "integer (3) [schema.type]", id="preset-against-its-schema"),
    pytest.param(ISVC.format(name="a", annotations="{}", uri="oci://quay.io/a/b:1")
                 + "      runtime: a\n---\napiVersion: serving.kserve.io/v1alpha1\n"
                 "kind: ServingRuntime\nmetadata: {name: a, namespace: team, annotations: "
                 "{opendatahub.io/template-name: ../../etc/x}}\nspec: {containers: []}\n",
                 'in.yaml:16:82: error: metadata.annotations["opendatahub.io/template-name"]: '
                 "template name '../../etc/x' cannot name a preset file in presets/runtimes/ (a "
                 "DNS-1123 name) [import.name]", id="template-name-escapes"),
])
def test_malformed_objects_are_located_never_a_crash(tmp_path: Path, text: str,
                                                     expected: str) -> None:
    code, report, repo = _one(tmp_path, text)
    assert code == 1, report
    assert expected in report.splitlines(), report
    assert _written(repo) == {}


def test_objects_it_does_not_adopt_are_named(tmp_path: Path) -> None:
    repo = _repo(DASHBOARD, tmp_path)
    code, report = _import(DASHBOARD, repo, "cluster.yaml", "--env", "prod")
    assert code == 0, report
    assert ("cluster.yaml:244:3: warning: items[7]: Route team/granite is not imported: inferc "
            "writes specs for InferenceServices and LLMInferenceServices (a controller creates "
            "this kind, or inferc does not manage it) [import.skipped]") in report
    assert report.rstrip().endswith("inferc: imported 5 models (7 files); inferc render --env "
                                    "prod reproduces the imported objects apart from the "
                                    "differences listed")


def test_two_different_runtimes_for_one_preset_are_refused(tmp_path: Path) -> None:
    runtime = """\
---
apiVersion: serving.kserve.io/v1alpha1
kind: ServingRuntime
metadata:
  name: {name}
  namespace: team
  annotations: {{opendatahub.io/template-name: custom, opendatahub.io/serving-runtime-scope: global}}
spec:
  supportedModelFormats: [{{name: onnx, version: "1", autoSelect: true}}]
  containers: [{{name: kserve-container, image: "quay.io/x/y:{tag}"}}]
"""
    text = (ISVC.format(name="a", annotations="{}", uri="oci://quay.io/a/b:1")
            + "      runtime: a\n" + runtime.format(name="a", tag="1")
            + ISVC.format(name="b", annotations="{}", uri="oci://quay.io/a/b:1").replace(
                "apiVersion", "---\napiVersion", 1)
            + "      runtime: b\n" + runtime.format(name="b", tag="2"))
    code, report, _ = _one(tmp_path, text)
    assert code == 1
    assert ("in.yaml:37:1: error: $: presets/runtimes/custom.yaml would be written twice with "
            "different content [import.preset-clash]") in report, report


def test_writes_stay_inside_the_repo(tmp_path: Path) -> None:
    from compiler.errors import UsageError
    from compiler.importer.write import inside

    root, outside = tmp_path / "repo", tmp_path / "elsewhere"
    root.mkdir()
    outside.mkdir()
    with pytest.raises(UsageError, match="outside the config repo"):
        inside(root, "../x.yaml")
    (root / "models").symlink_to(outside)  # a linked folder leading out
    with pytest.raises(UsageError, match="outside the config repo"):
        inside(root, "models/team/a.yaml")
    assert inside(root, "presets/runtimes/a.yaml") == root / "presets/runtimes/a.yaml"


# ------------------------------------------------------------------ the round trip


def _input_objects(path: Path) -> list[dict[str, Any]]:
    out = []
    for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        if doc is None:
            continue
        for obj in doc["items"] if doc.get("kind") == "List" else [doc]:
            if obj["kind"] in IMPORTED_KINDS or (
                    obj["kind"] == "Secret"
                    and obj.get("type") == "kubernetes.io/service-account-token"):
                out.append(obj)
    return out


def _render(repo: Path, env: str) -> list[dict[str, Any]]:
    result = run_cli("render", "--env", env, "--repo", repo)
    assert result.exit_code == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def _assert_round_trip(repo: Path, env: str, imported: list[dict[str, Any]],
                       documented: Path) -> None:
    rendered = {(o["kind"], o["metadata"]["namespace"], o["metadata"]["name"]): o
                for o in _render(repo, env)}
    rules = [line.split() for line in documented.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    for obj in imported:
        meta = obj["metadata"]
        ident = (obj["kind"], meta.get("namespace", "default"), meta["name"])
        assert ident in rendered, f"{ident} is not rendered"
        pointers = [p for kind, ref, p in rules if kind in ("*", ident[0])
                    and ref in ("*", f"{ident[1]}/{ident[2]}")]
        assert _normal(obj, pointers) == _normal(rendered[ident], pointers), ident


# cluster state, as `kubectl get` shows it (independent of compiler/importer/cluster.py)
_STATE = ("/status", "/metadata/uid", "/metadata/resourceVersion", "/metadata/generation",
          "/metadata/managedFields", "/metadata/creationTimestamp", "/metadata/ownerReferences",
          "/metadata/finalizers", "/metadata/annotations/kubernetes.io~1service-account.uid",
          "/metadata/annotations/openshift.io~1internal-registry-pull-secret-ref", "/data",
          "/secrets", "/imagePullSecrets")


def _normal(obj: dict[str, Any], pointers: list[str]) -> Any:
    data = copy.deepcopy(obj)
    predictor = data.get("spec", {}).get("predictor", {})
    if obj["kind"] == "InferenceService" and "sklearn" in predictor:
        # README: KServe's framework shorthand is written in its current form
        predictor["model"] = {"modelFormat": {"name": "sklearn"}, **predictor.pop("sklearn")}
    for pointer in (*_STATE, *pointers):
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        node: Any = data
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(parts[-1], None)
    return _canonical(data, ())


def _canonical(value: Any, path: tuple[str, ...]) -> Any:
    if isinstance(value, dict):
        out = {k: _canonical(v, (*path, k)) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ({}, [], None)}
    if isinstance(value, list):
        return [_canonical(v, path) for v in value]
    if path and path[-2:-1] in (("requests",), ("limits",)):
        return parse(value).value
    return value


# ------------------------------------------------------------------ inferc's own output

_CONNECTION = """\
---
apiVersion: v1
kind: Secret
metadata:
  name: risk-models
  namespace: risk
data:
  AWS_S3_BUCKET: cmlzay1idWNrZXQ=
type: Opaque
"""


def _scaffolded(tmp_path: Path) -> Path:
    repo = tmp_path / "adopted"
    assert run_cli("init", repo).exit_code == 0
    for env in (repo / "environments").glob("*.yaml"):  # the example has an llm-d model
        env.write_text(env.read_text() + "  gateway:\n    trustedNamespaces: all\n")
    shutil.rmtree(repo / "models" / "demo")  # the scaffold's own example model
    return repo


def test_the_example_rendered_then_imported_renders_the_same(tmp_path: Path) -> None:
    """What inferc renders for the example (KServe models, an llm-d model with tokens
    and request and token rate limits, an S3 model) imports into a new repo whose
    render is the same stream again, in an environment that defaults to 3 replicas."""
    stream = run_cli("render", EXAMPLE, "--env", "dev", "--objects", "models")
    assert stream.exit_code == 0, stream.stderr
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text(stream.stdout + _CONNECTION)
    repo = _scaffolded(tmp_path)
    result = run_cli("import", cluster, "--repo", repo, "--env", "prod")
    assert result.exit_code == 0, result.stderr
    assert "[import.skipped]" not in result.stderr.replace("Secret risk/risk-models", "")
    assert "rateLimits:" in (repo / "models" / "assistants" / "granite-llmd.yaml").read_text()
    again = run_cli("render", repo, "--env", "prod", "--objects", "models")
    assert again.exit_code == 0, again.stderr
    body = stream.stdout.split("\n", 1)[1]  # the header names the environment file
    assert again.stdout.split("\n", 1)[1] == body


def test_a_rate_limit_on_no_model_s_route_says_so(tmp_path: Path) -> None:
    stream = run_cli("render", EXAMPLE, "--env", "dev", "--model", "assistants/granite-llmd")
    assert stream.exit_code == 0, stream.stderr
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text(stream.stdout.replace("name: granite-llmd-kserve-route",
                                             "name: other-kserve-route"))
    result = run_cli("import", cluster, "--repo", _scaffolded(tmp_path), "--env", "prod",
                     "--lossy")
    assert ("RateLimitPolicy assistants/granite-llmd-rate-limit is not imported: it targets the "
            "route of no LLMInferenceService in the input (inferc writes rate limits for llm-d "
            "models, on the route <model>-kserve-route) [import.skipped]") in result.stderr


def test_a_malformed_item_hides_no_other_problem(tmp_path: Path) -> None:
    text = ("apiVersion: v1\nkind: List\nitems:\n- just a string\n"
            "- apiVersion: serving.kserve.io/v1beta1\n  kind: InferenceService\n"
            "  metadata: {name: Bad_Name, namespace: team}\n"
            "  spec: {predictor: {model: {modelFormat: {name: onnx}, storageUri: \"hf://a/b\"}}}\n")
    code, report, repo = _one(tmp_path, text)
    assert code == 1
    assert [line for line in report.splitlines() if ": error: " in line] == [
        "in.yaml:4:3: error: items[0]: expected a Kubernetes object (a mapping) [import.object]",
        "in.yaml:7:20: error: items[1].metadata.name: name 'Bad_Name' is not a DNS-1123 label; "
        "it cannot name a file inside the config repo [import.name]"], report
    assert _written(repo) == {}


S3_ISVC = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: fraud
  namespace: team
  annotations: {opendatahub.io/connections: models, opendatahub.io/connection-path: fraud/1}
spec:
  predictor:
    model:
      modelFormat: {name: onnx, version: "1"}
---
apiVersion: v1
kind: Secret
metadata: {name: models, namespace: team}
type: Opaque
"""


@pytest.mark.parametrize(("data", "expected"), [
    pytest.param("data: {AWS_S3_BUCKET: 'not base64!'}\n",
                 "in.yaml:16:23: error: data.AWS_S3_BUCKET: Secret team/models: AWS_S3_BUCKET is "
                 "not base64-encoded text, as a Secret's data must be; the S3 model of "
                 "InferenceService team/fraud is named as s3://<bucket>/<path> from it "
                 "[import.s3-bucket]", id="not-base64"),
    pytest.param("data: {AWS_ACCESS_KEY_ID: QUtJQQ==}\n",
                 "in.yaml:16:7: error: data.AWS_S3_BUCKET: Secret team/models: the connection Secret "
                 "has no "
                 "AWS_S3_BUCKET; the S3 model of InferenceService team/fraud is named as "
                 "s3://<bucket>/<path> from it [import.s3-bucket]", id="no-bucket"),
])
def test_a_connection_secret_without_a_readable_bucket_says_why(
        tmp_path: Path, data: str, expected: str) -> None:
    code, report, repo = _one(tmp_path, S3_ISVC + data)
    assert code == 1, report
    assert expected in report.splitlines(), report
    assert "not base64!" not in report and "QUtJQQ" not in report  # values are never shown
    assert "[import.skipped]" not in report  # the Secret was read for the model
    assert _written(repo) == {}
