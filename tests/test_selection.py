"""Runtime selection reproduces the OpenShift AI wizard (platform-facts §1.4),
and ``inferc explain`` shows why; all driven through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

EXPLAIN = Path(__file__).parent / "cases" / "explain"


def make_repo(root: Path, *, release: str, model: str, env_extra: str = "") -> Path:
    (root / "models" / "team").mkdir(parents=True)
    (root / "environments").mkdir()
    (root / "inferc.yaml").write_text("apiVersion: inferc.dev/v1alpha1\nkind: Repository\n")
    (root / "environments" / "prod.yaml").write_text(
        "apiVersion: inferc.dev/v1alpha1\nkind: Environment\nmetadata:\n  name: prod\nspec:\n"
        f"  platform:\n    name: openshift-ai\n    version: \"{release}\"\n{env_extra}")
    (root / "models" / "team" / "m.yaml").write_text(
        "apiVersion: inferc.dev/v1alpha1\nkind: ModelDeployment\nmetadata:\n  name: m\n"
        f"  namespace: team\nspec:\n  storage:\n    uri: pvc://models/m\n{model}")
    return root


def generative(profile: str) -> str:
    return f"  modelType: generative\n  hardwareProfile: {profile}\n"


def predictive(fmt: str, version: str | None, profile: str) -> str:
    ver = f"\n    version: \"{version}\"" if version else ""
    return (f"  modelType: predictive\n  modelFormat:\n    name: {fmt}{ver}\n"
            f"  hardwareProfile: {profile}\n")


@pytest.mark.parametrize("release, model, chosen", [
    ("3.5", generative("nvidia-gpu"), "vllm-cuda-runtime-template"),
    ("3.5", generative("amd-gpu"), "vllm-rocm-runtime-template"),
    ("3.5", generative("intel-gaudi"), "vllm-gaudi-runtime-template"),
    ("3.5", generative("ibm-spyre-vf"), "vllm-spyre-s390x-runtime-template"),
    ("3.3", generative("nvidia-gpu"), "vllm-cuda-runtime-template"),
    ("3.5", predictive("sklearn", "1", "default-profile"), "mlserver-runtime-template"),
    ("3.5", predictive("openvino_ir", "opset13", "nvidia-gpu"), "kserve-ovms"),
    ("3.5", predictive("openvino_ir", "opset13", "default-profile"), "kserve-ovms"),
    ("3.5", predictive("autogluon", "1", "default-profile"), "autogluon-runtime-template"),
    ("3.3", predictive("onnx", "1", "nvidia-gpu"), "kserve-ovms"),
    ("3.4", predictive("onnx", "1", "nvidia-gpu"), "kserve-ovms"),
    ("3.3", predictive("onnx", None, "nvidia-gpu"), "kserve-ovms"),  # the one listed version
])
def test_auto_selects_exactly_one(tmp_path: Path, release: str, model: str, chosen: str) -> None:
    repo = make_repo(tmp_path, release=release, model=model)
    result = run_cli("explain", "team/m", "--repo", repo, "--format", "json")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["runtime"]["template"] == chosen
    assert body["runtime"]["selection"] == "auto"
    assert [c["template"] for c in body["runtime"]["considered"] if c["kept"]] == [chosen]


@pytest.mark.parametrize("release, model, survivors", [
    ("3.5", generative("ibm-spyre-pf"),
     "2 templates match (vllm-spyre-x86-runtime-template, vllm-spyre-ppc64le-runtime-template)"),
    ("3.5", generative("default-profile"), "8 templates match (vllm-cuda-runtime-template, "
     "vllm-rocm-runtime-template, vllm-gaudi-runtime-template, vllm-spyre-s390x-runtime-template, "
     "vllm-spyre-x86-runtime-template, vllm-spyre-ppc64le-runtime-template, "
     "vllm-cpu-runtime-template, vllm-cpu-x86-runtime-template)"),
    ("3.5", predictive("onnx", "1", "nvidia-gpu"),
     "2 templates match (kserve-ovms, mlserver-cuda-runtime-template)"),
])
def test_ambiguous_is_an_error_naming_the_survivors(tmp_path: Path, release: str, model: str,
                                                    survivors: str) -> None:
    repo = make_repo(tmp_path, release=release, model=model)
    result = run_cli("check", "--repo", repo, cwd=repo)
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("models/team/m.yaml:6:1: error: spec: runtime auto-selection "
                            "is ambiguous for this ")
    assert first.endswith(f": {survivors} [runtime.ambiguous]")
    assert result.stdout.splitlines()[1] == "  hint: set spec.runtime to one of them"


def test_no_match_lists_near_misses(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, release="3.5", model=predictive("sklearn", "1", "nvidia-gpu"))
    result = run_cli("check", "--repo", repo, cwd=repo)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        "models/team/m.yaml:6:1: error: spec: no runtime template serves this predictive "
        "model in format sklearn:1 on hardware profile 'nvidia-gpu' [runtime.none]",
        "  hint: set spec.runtime to a template that serves it, or choose another hardware "
        "profile; near misses: kserve-ovms (does not list format sklearn:1); "
        "mlserver-runtime-template (recommends no accelerator, not nvidia.com/gpu); "
        "mlserver-cuda-runtime-template (does not list format sklearn:1); "
        "guardrails-detector-huggingface-serving-template (does not list format sklearn:1); "
        "autogluon-runtime-template (does not list format sklearn:1)"]


def test_llmd_by_default_selects_llmd_for_auto(tmp_path: Path) -> None:
    env = ("  dashboardConfig:\n    modelServing:\n      isLLMdDefault: true\n"
           "  gateway:\n    trustedNamespaces: all\n")
    repo = make_repo(tmp_path, release="3.5", model=generative("nvidia-gpu"), env_extra=env)
    result = run_cli("render", repo, "--env", "prod", cwd=repo)
    assert result.exit_code == 0, result.stderr
    assert "kind: LLMInferenceService" in result.stdout
    assert "kind: InferenceService" not in result.stdout


def test_llmd_default_does_not_touch_a_named_runtime(tmp_path: Path) -> None:
    env = "  dashboardConfig:\n    modelServing:\n      isLLMdDefault: true\n"
    model = generative("nvidia-gpu") + "  runtime: vllm-cuda-runtime-template\n"
    repo = make_repo(tmp_path, release="3.5", model=model, env_extra=env)
    assert run_cli("check", "--repo", repo, cwd=repo).exit_code == 0


def test_disabled_template_is_out_of_the_contest(tmp_path: Path) -> None:
    env = "  dashboardConfig:\n    templateDisablement:\n    - mlserver-cuda-runtime\n"
    repo = make_repo(tmp_path, release="3.5", model=predictive("onnx", "1", "nvidia-gpu"),
                     env_extra=env)
    result = run_cli("explain", "team/m", "--repo", repo, "--format", "json")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["runtime"]["template"] == "kserve-ovms"
    reasons = {c["template"]: c["reason"] for c in body["runtime"]["considered"]}
    assert reasons["mlserver-cuda-runtime-template"] == "disabled in environment 'prod'"


def test_disabled_template_cannot_be_named(tmp_path: Path) -> None:
    env = "  dashboardConfig:\n    templateDisablement:\n    - kserve-ovms\n    - kserve-ovmz\n"
    model = predictive("onnx", "1", "default-profile") + "  runtime: kserve-ovms\n"
    repo = make_repo(tmp_path, release="3.3", model=model, env_extra=env)
    result = run_cli("check", "--repo", repo, cwd=repo)
    assert result.exit_code == 1
    assert result.stdout == (
        "environments/prod.yaml:12:7: error: spec.dashboardConfig.templateDisablement[1]: no "
        "runtime template 'kserve-ovmz' in OpenShift AI 3.3 or presets/runtimes/ "
        "[env.unknown-template]\n"
        "  hint: did you mean 'kserve-ovms'?\n"
        "models/team/m.yaml:14:12: error: spec.runtime: runtime 'kserve-ovms' is disabled in "
        "environment 'prod' (dashboardConfig.templateDisablement) [runtime.disabled]\n"
        "2 errors in 2 files\n")


def test_project_scoped_template_wins_in_its_namespace(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, release="3.3", model=predictive("onnx", "1", "default-profile"))
    (repo / "presets" / "runtimes").mkdir(parents=True)
    (repo / "presets" / "runtimes" / "ovms.yaml").write_text(
        "apiVersion: inferc.dev/v1alpha1\nkind: RuntimeTemplate\nmetadata:\n"
        "  name: team-ovms-template\n  namespace: team\nspec:\n  displayName: Team OVMS\n"
        "  modelTypes: [predictive]\n  servingRuntime:\n    metadata:\n      name: kserve-ovms\n"
        "    spec:\n      supportedModelFormats:\n      - {name: onnx, version: '1'}\n"
        "      containers:\n      - name: kserve-container\n"
        "        image: quay.io/team/ovms:2026.1\n")
    result = run_cli("explain", "team/m", "--repo", repo, "--format", "json")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["runtime"]["template"] == "team-ovms-template"
    assert body["runtime"]["source"] == "presets/runtimes/ovms.yaml"


@pytest.mark.parametrize("fmt, golden", [("text", "explain.txt"), ("json", "explain.json")])
def test_explain_names_each_layer(fmt: str, golden: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    case = EXPLAIN / "four-layers"
    result = run_cli("explain", "shop/recommender", "--repo", case / "repo", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    snapshot.snapshot_dir = case
    snapshot.assert_match(result.stdout, golden)
    for layer in ("built-in preset", "repo preset", "environment default", "spec",
                  "environment override"):
        assert layer in result.stdout
