"""MLServer rules through the CLI: what the cases in tests/cases cannot show.

The error rules have invalid cases (tests/cases/invalid/mlserver-*) and the
environment variables per release have golden cases (tests/cases/golden/mlserver-*);
here: the warning (a build that succeeds), and the exact variables in corner cases.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import run_cli

BASE = Path(__file__).parent / "cases" / "invalid" / "_base"  # dev and prod on 3.3


def repo_with(tmp_path: Path, model: str, *, version: str = "3.3",
              files: dict[str, str] | None = None) -> Path:
    """The shared base repo, both environments on ``version``, plus models/team/iris.yaml."""
    repo = tmp_path / "repo"
    shutil.copytree(BASE, repo)
    for env in ("dev", "prod"):
        path = repo / "environments" / f"{env}.yaml"
        path.write_text(path.read_text().replace('version: "3.3"', f'version: "{version}"'))
    (repo / "models" / "team" / "iris.yaml").write_text(
        "apiVersion: inferc.dev/v1alpha1\nkind: ModelDeployment\n"
        "metadata:\n  name: iris\n  namespace: team\n"
        "spec:\n  modelType: predictive\n" + model)
    for rel, text in (files or {}).items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    return repo


def sklearn(extra: str = "", fmt: str = "sklearn", version: str = "1") -> str:
    return (f"  modelFormat:\n    name: {fmt}\n    version: \"{version}\"\n"
            "  storage:\n    uri: pvc://team-models/iris\n"
            "  runtime: mlserver-runtime-template\n" + extra)


def model_env(repo: Path, name: str = "iris") -> list[dict[str, str]]:
    result = run_cli("render", repo, "--env", "dev", "--model", f"team/{name}")
    assert result.exit_code == 0, result.stderr
    isvc = next(o for o in yaml.safe_load_all(result.stdout) if o["kind"] == "InferenceService")
    env: list[dict[str, str]] = isvc["spec"]["predictor"]["model"].get("env", [])
    return env


def test_model_settings_is_a_warning_not_an_error(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, sklearn("  mlserver:\n    modelSettings: true\n"))
    result = run_cli("check", "--repo", repo, cwd=repo)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (
        "models/team/iris.yaml:15:20: warning: spec.mlserver.modelSettings: a model-settings.json "
        "next to the model overrides the MLSERVER_* environment variables "
        "[mlserver.model-settings]\n"
        "  hint: keep its name 'iris' (the deployment name) and implementation "
        "'mlserver_sklearn.SKLearnModel'\n"
        "0 errors, 1 warning in 1 file\n") in result.stdout
    # printed once, not once per environment; the variables are still written
    assert result.stdout.count("[mlserver.model-settings]") == 1
    assert run_cli("build", repo, "-o", tmp_path / "out").exit_code == 0
    assert model_env(repo) == [
        {"name": "MLSERVER_MODEL_IMPLEMENTATION", "value": "mlserver_sklearn.SKLearnModel"},
        {"name": "MLSERVER_MODEL_URI", "value": "/mnt/models"}]


def test_model_settings_false_says_nothing(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, sklearn("  mlserver:\n    modelSettings: false\n"))
    result = run_cli("check", "--repo", repo, cwd=repo)
    assert result.exit_code == 0
    assert "warning" not in result.stdout


def test_same_uri_in_spec_and_env_is_written_once(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, sklearn(
        "  mlserver:\n    modelUri: /mnt/models/./model.pkl\n"
        "  env:\n  - name: MLSERVER_MODEL_URI\n    value: /mnt/models/model.pkl\n"))
    assert model_env(repo) == [
        {"name": "MLSERVER_MODEL_URI", "value": "/mnt/models/model.pkl"},
        {"name": "MLSERVER_MODEL_IMPLEMENTATION", "value": "mlserver_sklearn.SKLearnModel"}]


@pytest.mark.parametrize(("uri", "on_33", "on_35"), [
    ("/mnt/models/", "/mnt/models", None),  # KServe's own default on 3.4+: not repeated
    ("/mnt/models/v2", "/mnt/models/v2", "/mnt/models/v2"),  # a sub-folder is not the default
    ("/mnt/models/model.pkl", "/mnt/models/model.pkl", "/mnt/models/model.pkl"),
])
def test_model_uri_per_release(tmp_path: Path, uri: str, on_33: str, on_35: str | None) -> None:
    model = sklearn(f"  mlserver:\n    modelUri: {uri}\n")
    old = model_env(repo_with(tmp_path / "a", model, version="3.3"))
    assert old == [
        {"name": "MLSERVER_MODEL_IMPLEMENTATION", "value": "mlserver_sklearn.SKLearnModel"},
        {"name": "MLSERVER_MODEL_URI", "value": on_33}]
    new = model_env(repo_with(tmp_path / "b", model, version="3.5"))
    assert new == ([{"name": "MLSERVER_MODEL_URI", "value": on_35}] if on_35 else [])


def test_onnx_on_3_5_uses_mlserver_onnx_file_name(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, sklearn("  mlserver:\n    modelUri: /mnt/models/model.onnx\n",
                                       fmt="onnx"), version="3.5")
    assert model_env(repo) == [{"name": "MLSERVER_MODEL_URI", "value": "/mnt/models/model.onnx"}]
    # MLServer loads a file path as it is, whatever its name (get_model_uri); the
    # well-known names only apply to a directory.
    named = repo_with(tmp_path / "named", sklearn("  mlserver:\n    modelUri: /mnt/models/m.onnx\n",
                                                  fmt="onnx"), version="3.5")
    assert model_env(named) == [{"name": "MLSERVER_MODEL_URI", "value": "/mnt/models/m.onnx"}]


def test_env_uri_without_a_value_points_at_the_entry(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, sklearn("  env:\n  - name: MLSERVER_MODEL_URI\n"))
    result = run_cli("check", "--repo", repo, cwd=repo)
    assert result.exit_code == 1
    assert ("models/team/iris.yaml:15:5: error: spec.env[0]: model URI '' is not an absolute "
            "path [mlserver.model-uri]\n") in result.stdout


def test_other_runtimes_are_left_alone(tmp_path: Path) -> None:
    # vision (kserve-ovms in the base repo) gets no MLServer variables, even with spec.mlserver
    repo = repo_with(tmp_path, sklearn())
    vision = repo / "models" / "team" / "vision.yaml"
    vision.write_text(vision.read_text() + "  mlserver:\n    modelUri: /somewhere/else.bin\n")
    assert model_env(repo, "vision") == []


MLSERVER_LIKE = """\
apiVersion: inferc.dev/v1alpha1
kind: RuntimeTemplate
metadata:
  name: tabular-runtime-template
spec:
  modelTypes: [predictive, generative]
  servingRuntime:
    metadata:
      name: tabular-runtime
    spec:
      annotations:
        opendatahub.io/kserve-runtime: mlserver
      supportedModelFormats:
      - name: sklearn
        version: "1"
      - name: vLLM
      containers:
      - name: kserve-container
        image: quay.io/example/mlserver:1.7.1
"""


def test_a_runtime_setting_nothing_gets_every_variable(tmp_path: Path) -> None:
    # neither the template nor KServe (no server-type annotation) names the model
    repo = repo_with(tmp_path, sklearn().replace("mlserver-runtime-template", "tabular-runtime"),
                     files={"presets/runtimes/tabular.yaml": MLSERVER_LIKE})
    assert model_env(repo) == [
        {"name": "MLSERVER_MODEL_NAME", "value": "iris"},
        {"name": "MLSERVER_MODEL_IMPLEMENTATION", "value": "mlserver_sklearn.SKLearnModel"},
        {"name": "MLSERVER_MODEL_URI", "value": "/mnt/models"}]


def test_generative_model_on_mlserver(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, "  storage:\n    uri: pvc://team-models/iris\n"
                     "  runtime: tabular-runtime\n",
                     files={"presets/runtimes/tabular.yaml": MLSERVER_LIKE})
    (repo / "models" / "team" / "iris.yaml").write_text(
        (repo / "models" / "team" / "iris.yaml").read_text().replace("predictive", "generative"))
    result = run_cli("check", "--repo", repo, cwd=repo)
    assert result.exit_code == 1
    assert ("models/team/iris.yaml:7:14: error: spec.modelType: MLServer cannot serve generative "
            "models [mlserver.framework]\n") in result.stdout


def test_mlserver_settings_on_another_runtime_warn(tmp_path: Path) -> None:
    from conftest import EXAMPLE, copy_repo

    repo = copy_repo(EXAMPLE, tmp_path / "repo")
    spec = repo / "models" / "vision" / "mobilenet.yaml"
    spec.write_text(spec.read_text() + "  mlserver:\n    modelSettings: true\n")
    result = run_cli("check", "--repo", repo, cwd=repo)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "models/vision/mobilenet.yaml:19:5: warning: spec.mlserver: spec.mlserver has no effect: "
        "runtime 'kserve-ovms' is not MLServer [mlserver.unused]")
