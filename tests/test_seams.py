"""The seams hold: a target and an environment output are added by registering them,
without editing a compiler module, and a repo builds with them through the CLI."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import kustomize_build, run_cli

from compiler import render as render_stage
from compiler import resolve, targets
from compiler.diagnostics import Diagnostic
from compiler.objects import K8sObject
from compiler.render import environment
from compiler.resolve.records import ResolvedDeployment, Workload
from compiler.resolve.targets import TargetInput, TargetResolver
from compiler.spec import Environment

TOY = targets.TargetFacts(
    name="toy", display="Toy server", api_version="v1", kind="ConfigMap",
    rbac_resource="configmaps", derived_names=(targets.DerivedName("{model}-toy-endpoint"),),
    pod_roles=("main",), strategy_choice=False, runtime_name="toy")


@dataclass(frozen=True)
class ToyWorkload(Workload):
    greeting: str


def _resolve(inp: TargetInput) -> tuple[Workload | None, list[Diagnostic]]:
    return ToyWorkload(f"hello from {inp.env.name}"), []


def _render(rd: ResolvedDeployment) -> list[K8sObject]:
    workload = rd.workload_as(ToyWorkload)
    namespace = rd.key.namespace
    return [
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": rd.key.name, "namespace": namespace},
         "data": {"greeting": workload.greeting, "uri": rd.storage.uri}},
        # every toy model of a namespace needs this one object, identically
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "toy-shared", "namespace": namespace},
         "data": {"environment": rd.environment.name}},
    ]


def _cluster_output(env: Environment, deployments: Sequence[ResolvedDeployment]) -> list[K8sObject]:
    names = ",".join(sorted(str(rd.key) for rd in deployments))
    return [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
             "metadata": {"name": f"toy-reader-{env.name}", "annotations": {"toy/models": names}},
             "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]}]


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(targets.FACTS, "toy", TOY)
    monkeypatch.setitem(resolve.TARGETS, "toy", TargetResolver(resolve=_resolve))
    monkeypatch.setitem(render_stage.TARGETS, "toy", _render)
    monkeypatch.setitem(environment.OUTPUTS, "toy-cluster", _cluster_output)


def _model(root: Path, name: str, runtime: str, tokens: bool = False) -> None:
    access = "  access:\n    tokens: [reader]\n" if tokens else ""
    path = root / "models" / "team" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("apiVersion: inferc.dev/v1alpha1\nkind: ModelDeployment\nmetadata:\n"
                    f"  name: {name}\n  namespace: team\nspec:\n  modelType: generative\n"
                    f"  storage:\n    uri: hf://org/{name}\n  hardwareProfile: nvidia-gpu\n"
                    f"  runtime: {runtime}\n{access}")


def _repo(root: Path, *, env_extra: str = "") -> Path:
    (root / "environments").mkdir(parents=True)
    (root / "inferc.yaml").write_text("apiVersion: inferc.dev/v1alpha1\nkind: Repository\n")
    for env in ("dev", "prod"):
        (root / "environments" / f"{env}.yaml").write_text(
            "apiVersion: inferc.dev/v1alpha1\nkind: Environment\nmetadata:\n"
            f"  name: {env}\nspec:\n  platform:\n    name: openshift-ai\n    version: \"3.5\"\n"
            f"{env_extra}")
    return root


@pytest.mark.usefixtures("toy")
def test_a_registered_target_and_environment_output_build(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    _model(repo, "alpha", "toy", tokens=True)
    _model(repo, "beta", "toy")
    _model(repo, "gamma", "vllm-cuda-runtime-template")  # KServe beside it
    out = tmp_path / "out"
    result = run_cli("build", repo, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert (out / "base" / "team" / "alpha" / "configmap-alpha.yaml").is_file()
    # the shared object and the cluster-scoped one are written once, at environment level
    platform = sorted(p.name for p in (out / "platform" / "dev").iterdir())
    assert platform == ["clusterrole-toy-reader-dev.yaml", "configmap-toy-shared.yaml",
                        "kustomization.yaml"]
    assert not list(out.glob("*/*/team/*/configmap-toy-shared.yaml"))
    # the token Role grants the resource the toy target's facts name
    role = yaml.safe_load((out / "base" / "team" / "alpha" / "role-alpha-view-role.yaml")
                          .read_text())
    assert role["rules"][0]["resources"] == ["configmaps"]
    assert role["rules"][0]["apiGroups"] == [""]
    assert (out / "base" / "team" / "gamma" / "inferenceservice-gamma.yaml").is_file()
    for env in ("dev", "prod"):
        built = list(yaml.safe_load_all(kustomize_build(out / "overlays" / env)))
        rendered = list(yaml.safe_load_all(run_cli("render", repo, "--env", env).stdout))
        assert rendered == built
        assert sum(o["metadata"]["name"] == "toy-shared" for o in built) == 1


@pytest.mark.usefixtures("toy")
def test_a_registered_target_keeps_the_shared_rules(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    _model(repo, "a" * 50, "toy")  # with '-toy-endpoint', 63 characters: fits
    assert run_cli("check", "--repo", repo, cwd=repo).exit_code == 0
    _model(repo, "a" * 51, "toy")
    result = run_cli("check", "--repo", repo, cwd=repo)
    assert result.exit_code == 1
    assert f"derived name '{'a' * 51}-toy-endpoint' is 64 characters; Kubernetes allows 63" \
        in result.stdout
    assert "hint: shorten the model name to at most 50 characters" in result.stdout


@pytest.mark.usefixtures("toy")
def test_objects_two_models_produce_differently_are_a_conflict(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def differing(rd: ResolvedDeployment) -> list[K8sObject]:
        objects = _render(rd)
        objects[1]["data"]["model"] = rd.key.name
        return objects

    monkeypatch.setitem(render_stage.TARGETS, "toy", differing)
    repo = _repo(tmp_path / "repo")
    _model(repo, "alpha", "toy")
    _model(repo, "beta", "toy")
    out = tmp_path / "out"
    result = run_cli("build", repo, "-o", out, cwd=repo)
    assert result.exit_code == 1
    assert not out.exists()
    assert ("models/team/beta.yaml:1:1: error: $: ConfigMap team/toy-shared is produced "
            "differently by model models/team/alpha.yaml and model models/team/beta.yaml; one "
            "object can be written only once [render.conflict]") in result.stderr


def test_a_known_target_without_modules_is_unavailable(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(targets.FACTS, "future", targets.TargetFacts(
        name="future", display="A future target", api_version="example.dev/v1",
        kind="FutureService", rbac_resource="futureservices", derived_names=(),
        pod_roles=("main",), strategy_choice=False, runtime_name="future"))
    repo = _repo(tmp_path / "repo")
    _model(repo, "m", "future")
    result = run_cli("check", "--repo", repo, cwd=repo)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        "models/team/m.yaml:11:12: error: spec.runtime: future (A future target) "
        "is chosen by name, but inferc cannot render FutureService yet "
        "[target.unavailable]",
        "  hint: name a KServe runtime template in spec.runtime to deploy with KServe"]


def test_a_target_serves_only_its_model_types(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    _model(repo, "m", "llm-d")
    path = repo / "models" / "team" / "m.yaml"
    path.write_text(path.read_text().replace(
        "modelType: generative", "modelType: predictive\n  modelFormat: {name: onnx}"))
    result = run_cli("check", "--repo", repo, cwd=repo)
    assert result.stdout.splitlines()[0] == (
        "models/team/m.yaml:12:12: error: spec.runtime: llm-d serves generative models only "
        "[runtime.incompatible]")


def test_the_environment_default_target_applies_per_environment(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    (repo / "environments" / "prod.yaml").write_text(
        (repo / "environments" / "prod.yaml").read_text()
        + "  dashboardConfig:\n    modelServing:\n      isLLMdDefault: true\n")
    (repo / "environments" / "prod.yaml").write_text(
        (repo / "environments" / "prod.yaml").read_text()
        + "  gateway:\n    trustedNamespaces: [team]\n")
    _model(repo, "m", "auto")
    # only prod chooses llm-d: dev resolves the same model to KServe
    kinds = {}
    for env in ("dev", "prod"):
        result = run_cli("render", "--env", env, cwd=repo)
        assert result.exit_code == 0, result.stderr
        kinds[env] = sorted(d["kind"] for d in yaml.safe_load_all(result.stdout)
                            if d["kind"].endswith("Service"))
    assert kinds == {"dev": ["InferenceService"], "prod": ["LLMInferenceService"]}


def _explain(repo: Path, model: str, env: str = "dev") -> dict[str, tuple[str, str]]:
    result = run_cli("explain", f"team/{model}", "--repo", repo, "--env", env, "--format", "json",
                     cwd=repo)
    assert result.exit_code == 0, result.stderr
    return {v["field"]: (v["value"], v["layer"]) for v in json.loads(result.stdout)["values"]}


@pytest.mark.usefixtures("toy")
def test_a_target_without_strategy_choice_gets_no_strategy_default(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    _model(repo, "toy-model", "toy")
    _model(repo, "kserve-model", "vllm-cuda-runtime-template")
    assert "spec.strategy" not in _explain(repo, "toy-model")
    assert _explain(repo, "kserve-model")["spec.strategy"] == ("RollingUpdate", "built-in preset")


def test_environment_defaults_take_every_field_an_override_takes(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", env_extra=(
        "  defaults:\n    env: [{name: LOG_LEVEL, value: debug}]\n"
        "    access: {tokens: [reader]}\n    strategy: {type: Recreate}\n"))
    _model(repo, "m", "vllm-cuda-runtime-template")
    values = _explain(repo, "m")
    assert values["spec.env.LOG_LEVEL"] == ("debug", "environment default")
    assert values["spec.access.tokens"] == ("reader", "environment default")
    assert values["spec.strategy"] == ("Recreate", "environment default")
    out = tmp_path / "out"
    assert run_cli("build", repo, "-o", out).exit_code == 0
    assert (out / "base" / "team" / "m" / "secret-reader-m-sa.yaml").is_file()


def test_no_stage_reads_the_environment_document() -> None:
    """The Environment is parsed once (compiler/spec.py); stages read its typed fields."""
    compiler = Path(__file__).resolve().parent.parent / "compiler"
    readers = sorted(str(p.relative_to(compiler)) for p in compiler.rglob("*.py")
                     if p.name != "spec.py" and "env.doc.data" in p.read_text(encoding="utf-8"))
    assert readers == []


def test_exit_3_always_says_it_is_a_bug(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from compiler import app
    from compiler.errors import InternalError

    def broken(opts: object) -> object:
        raise InternalError("an invariant does not hold")

    monkeypatch.setattr(app, "check", broken)
    result = run_cli("check", "--repo", tmp_path)
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "inferc: internal error (this is a bug; please report it with the output below)",
        "inferc: error: an invariant does not hold"]


def test_exceptions_carry_their_message() -> None:
    from compiler.errors import InfercError, InputError
    from compiler.quantity import QuantityError, parse
    from compiler.resolve.storage import StorageProblem

    with pytest.raises(QuantityError) as caught:
        parse("12 apples")
    assert str(caught.value) == "'12 apples' is not a Kubernetes quantity"
    assert isinstance(caught.value, InfercError) and isinstance(caught.value, ValueError)
    assert str(StorageProblem("no bucket")) == "no bucket"
    assert issubclass(StorageProblem, InputError)
