"""Fidelity to the platform (issue 10) beyond the golden and invalid cases: warnings,
which do not fail a build, and explain's dashboard-edit caveats, asserted exactly."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import yaml
from conftest import run_cli

CASES = Path(__file__).parent / "cases"
BASE = CASES / "invalid" / "_base"
REAL_PROFILES = CASES / "golden" / "cluster-presets" / "repo" / "presets" / "hardware-profiles"


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(BASE, repo)
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    return repo


CHAT = """apiVersion: inferc.dev/v1alpha1
kind: ModelDeployment
metadata:
  name: chat
  namespace: team
spec:
  modelType: generative
  storage:
    uri: hf://ibm-granite/granite-3.1-8b-instruct
  runtime: vllm-cuda-runtime-template
"""


def test_profiles_the_dashboard_would_not_offer_are_warned_about(tmp_path: Path) -> None:
    disabled = (REAL_PROFILES / "nvidia-gpu-serving.yaml").read_text().replace(
        'opendatahub.io/disabled: "false"', 'opendatahub.io/disabled: "true"').replace(
        "name: nvidia-gpu-serving", "name: retired-gpu")
    repo = _repo(tmp_path, {
        "presets/hardware-profiles/nvidia-gpu-notebooks.yaml":
            (REAL_PROFILES / "nvidia-gpu-notebooks.yaml").read_text(),
        "presets/hardware-profiles/retired-gpu.yaml": disabled,
        "models/team/chat.yaml": CHAT + "  hardwareProfile: nvidia-gpu-notebooks\n",
        "models/team/vision.yaml": CHAT.replace("chat", "vision")
        + "  hardwareProfile: retired-gpu\n",
    })
    (repo / "environments" / "prod.yaml").write_text(
        (repo / "environments" / "prod.yaml").read_text() + "  manageHardwareProfiles: true\n")
    result = run_cli("check", cwd=repo)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "models/team/chat.yaml:11:20: warning: spec.hardwareProfile: hardware profile "
        "'nvidia-gpu-notebooks' comes from this repo, but the environment does not emit it; "
        "the admission webhook rejects the model unless the profile already exists on the "
        "cluster (in environment dev) [profile.not-emitted]",
        "  hint: set manageHardwareProfiles: true in the environment, or apply the profile",
        "models/team/chat.yaml:11:20: warning: spec.hardwareProfile: hardware profile "
        "'nvidia-gpu-notebooks' is for workbench only (opendatahub.io/dashboard-feature-"
        "visibility); the dashboard does not offer it for model serving "
        "[profile.not-for-serving]",
        "  hint: use a profile whose visibility includes model-serving, or none",
        "models/team/vision.yaml:11:20: warning: spec.hardwareProfile: hardware profile "
        "'retired-gpu' is disabled (opendatahub.io/disabled: \"true\"); the dashboard does not "
        "offer it, and a dashboard edit of this model would have to pick another "
        "[profile.disabled]",
        "models/team/vision.yaml:11:20: warning: spec.hardwareProfile: hardware profile "
        "'retired-gpu' comes from this repo, but the environment does not emit it; the "
        "admission webhook rejects the model unless the profile already exists on the cluster "
        "(in environment dev) [profile.not-emitted]",
        "  hint: set manageHardwareProfiles: true in the environment, or apply the profile",
        "0 errors, 4 warnings in 2 files",
    ]


def test_explain_flags_what_a_dashboard_edit_would_change(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"models/team/chat.yaml": CHAT + (
        "  hardwareProfile: nvidia-gpu\n  scaling: {minReplicas: 1, maxReplicas: 3, metric: cpu,"
        " target: 80}\n  strategy: {type: RollingUpdate, maxSurge: 1, maxUnavailable: 0}\n")})
    result = run_cli("explain", "team/chat", "--env", "prod", cwd=repo)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == [
        "note: autoscaled 1..3; a dashboard edit would collapse minReplicas/maxReplicas to one "
        "number",
        "note: a dashboard edit would drop the rollingUpdate parameters (maxSurge/maxUnavailable)",
    ]


# The documentation's "Deploying a model stored in an OCI image by using the CLI" (§2.5),
# its InferenceService's predictor.model as printed there (placeholders filled in with
# the golden's image), quoted so that the test needs no reference file.
DOCUMENTED_OVMS_MODEL = """
runtime: kserve-ovms # Ensure this matches the name of the ServingRuntime resource
modelFormat:
  name: onnx
storageUri: oci://quay.io/example/mobilenet:v2-7
resources:
  requests:
    memory: 500Mi
    cpu: 100m
  limits:
    memory: 4Gi
    cpu: 500m
"""


def test_no_profile_model_is_the_documented_cli_example(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CASES / "golden" / "dashboard-parity" / "repo", repo)
    result = run_cli("render", "--env", "prod", "--model", "apps/mobilenet", cwd=repo)
    assert result.exit_code == 0, result.stderr
    isvc = next(o for o in yaml.safe_load_all(result.stdout)
                if o["kind"] == "InferenceService")
    model = dict(isvc["spec"]["predictor"]["model"])
    # inferc names the ServingRuntime after the model (as the wizard does); the
    # documentation applies the template under its own name
    assert model.pop("runtime") == "mobilenet"
    documented = yaml.safe_load(DOCUMENTED_OVMS_MODEL)
    documented.pop("runtime")
    assert model == documented
    assert not [k for k in isvc["metadata"].get("annotations", {}) if "hardware-profile" in k]
    explain = run_cli("explain", "apps/mobilenet", "--env", "prod", cwd=repo)
    assert [line.split()[:5] for line in explain.stdout.splitlines()
            if line.strip().startswith("spec.modelFormat")] == [
        ["spec.modelFormat", "onnx", "(matched", "as", "onnx:1)"]]


def test_explain_says_why_an_untyped_gpu_is_no_accelerator(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CASES / "golden" / "cluster-presets" / "repo", repo)
    result = run_cli("explain", "apps/chat", "--env", "prod", cwd=repo)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("hardware profile:"))
    assert lines[start:start + 3] == [
        "hardware profile: nvidia-gpu-serving (nvidia-gpu) in namespace "
        "redhat-ods-applications, accelerator none (nvidia.com/gpu has no resourceType: "
        "Accelerator)",
        "  from presets/hardware-profiles/nvidia-gpu-serving.yaml",
        "  note: as in the wizard, only an identifier with resourceType: Accelerator is the "
        "accelerator, so runtime auto-selection treats this profile as CPU-only; for runtime: "
        "auto, add resourceType: Accelerator to nvidia.com/gpu in the profile",
    ]


def test_readme_lists_every_builtin_profile_with_its_bounds() -> None:
    """The README's table of built-in hardware profiles is what presets/ ships."""
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text()
    rows = {}
    for line in readme.split("| profile | cpu | memory | device |", 1)[1].splitlines()[2:]:
        if not line.startswith("|"):
            break
        name, cpu, memory, device = (c.strip() for c in line.strip("|").split("|"))
        rows[name.split()[0].strip("`")] = (cpu, memory, device)

    def bounds(ident: dict[str, object]) -> str:
        return f"{ident['minCount']} – {ident['defaultCount']} – {ident['maxCount']}"

    shipped = {}
    for path in sorted((root / "presets" / "hardware-profiles").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        by_id = {i["identifier"]: i for i in doc["spec"]["identifiers"]}
        devices = [i for i in by_id if i not in ("cpu", "memory")]
        device = (" ".join(f"`{d}` {bounds(by_id[d])}" for d in devices) if devices else "—")
        shipped[doc["metadata"]["name"]] = (bounds(by_id["cpu"]), bounds(by_id["memory"]), device)
    assert rows == shipped


PLAIN_RUNTIME = """apiVersion: serving.kserve.io/v1alpha1
kind: ServingRuntime
metadata:
  name: plain-onnx
spec:
  supportedModelFormats:
  - name: onnx
    version: "1"
  containers:
  - name: kserve-container
    image: quay.io/example/onnx-server:1.0
"""


def test_monitored_model_on_a_runtime_without_metrics_port_is_warned_about(
        tmp_path: Path) -> None:
    # Upstream KServe creates no scrape configuration, so inferc's PodMonitor needs the
    # runtime's port; a cluster runtime that declares none cannot be scraped.
    repo = tmp_path / "repo"
    shutil.copytree(CASES / "golden" / "monitoring-upstream" / "repo", repo)
    (repo / "presets" / "runtimes").mkdir(parents=True)
    (repo / "presets" / "runtimes" / "plain-onnx.yaml").write_text(PLAIN_RUNTIME)
    (repo / "models" / "vision").mkdir()
    (repo / "models" / "vision" / "detector.yaml").write_text(
        "apiVersion: inferc.dev/v1alpha1\nkind: ModelDeployment\n"
        "metadata: {name: detector, namespace: vision}\n"
        "spec:\n  modelType: predictive\n  modelFormat: {name: onnx, version: '1'}\n"
        "  storage: {uri: 'pvc://models/detector'}\n  runtime: plain-onnx\n")
    result = run_cli("check", cwd=repo)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "environments/prod.yaml:15:16: warning: spec.defaults.monitoring.enabled: model "
        "'detector': runtime 'plain-onnx' declares no metrics port (prometheus.io/port or "
        "prometheus.kserve.io/port): inferc emits rules but cannot scrape it "
        "[monitoring.no-metrics-port]",
        "  hint: give the runtime's spec.annotations the port (and the path, if it is not "
        "/metrics) its metrics are served on",
        "0 errors, 1 warning in 1 file",
    ]
    render = run_cli("render", "--env", "prod", "--model", "vision/detector", cwd=repo)
    assert [o["kind"] for o in yaml.safe_load_all(render.stdout)] == [
        "PrometheusRule", "ServingRuntime", "InferenceService"]  # rules, but no PodMonitor


def test_vendored_cluster_objects_are_verbatim() -> None:
    """The real cluster objects of cluster-presets are the public files byte for byte:
    every sha256 in its PROVENANCE.md matches the file it names."""
    case = CASES / "golden" / "cluster-presets"
    rows = re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$",
                      (case / "PROVENANCE.md").read_text(), flags=re.MULTILINE)
    assert len(rows) == 3
    for rel, digest in rows:
        data = (case / "repo" / "presets" / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, rel
