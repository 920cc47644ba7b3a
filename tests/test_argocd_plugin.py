"""The Argo CD Config Management Plugin contract, emulated: a copy of a config repo, the
working directory and variables as Argo CD's cmp-server sets them, ``inferc render`` run as
the plugin's ``generate`` command, its stdout parsed as a stream and compared with
``kubectl kustomize`` of the overlay ``inferc build`` emits.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE, ROOT, kustomize_build, run_cli

from compiler.repo import SETTINGS_FILE

SOURCE_PATH = "deploy"  # the Application's spec.source.path inside the git repository


def inferc() -> list[str]:
    script = Path(sys.executable).parent / "inferc"  # the console script the plugin runs
    return [str(script)] if script.is_file() else [sys.executable, "-m", "compiler"]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The repository as the cmp-server unpacks it: a copy, the config repo in deploy/."""
    repo = tmp_path / "checkout"
    shutil.copytree(EXAMPLE, repo / SOURCE_PATH, ignore=shutil.ignore_patterns("out"))
    return repo


def plugin_env(tmp: Path, **selection: str) -> dict[str, str]:
    """What the cmp-server hands to generate (integrations.md §1.2): its own environment,
    the build environment, and the Application's plugin env prefixed ARGOCD_ENV_."""
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    run_tmp = tmp / f"tmp-{len(list(tmp.glob('tmp-*')))}"
    run_tmp.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "TMPDIR": str(run_tmp),
           "ARGOCD_APP_NAME": "inferc-prod", "ARGOCD_APP_NAMESPACE": "llm",
           "ARGOCD_APP_PROJECT_NAME": "default",
           "ARGOCD_APP_REVISION": "0123456789abcdef0123456789abcdef01234567",
           "ARGOCD_APP_REVISION_SHORT": "0123456", "ARGOCD_APP_REVISION_SHORT_8": "01234567",
           "ARGOCD_APP_SOURCE_PATH": SOURCE_PATH,
           "ARGOCD_APP_SOURCE_REPO_URL": "https://git.example.com/team/models.git",
           "ARGOCD_APP_SOURCE_TARGET_REVISION": "main",
           "KUBE_VERSION": "1.31.0", "KUBE_API_VERSIONS": "v1,apps/v1,serving.kserve.io/v1beta1"}
    env.update({f"ARGOCD_ENV_INFERC_{k.upper()}": v for k, v in selection.items()})
    return env


def generate(checkout: Path, tmp: Path, **selection: str) -> subprocess.CompletedProcess[str]:
    """The plugin's generate command, in the Application's source path."""
    return subprocess.run([*inferc(), "render"], cwd=checkout / SOURCE_PATH,
                          env=plugin_env(tmp, **selection), capture_output=True, text=True,
                          check=False, timeout=120)


def stream(text: str) -> list[dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all(text) if d is not None]
    assert all(isinstance(d, dict) and "kind" in d and "apiVersion" in d for d in docs)
    return docs


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def test_plugin_yaml_discovers_a_config_repo_and_runs_render() -> None:
    plugin = yaml.safe_load((ROOT / "argocd" / "plugin.yaml").read_text())
    assert (plugin["apiVersion"], plugin["kind"]) == ("argoproj.io/v1alpha1",
                                                      "ConfigManagementPlugin")
    assert plugin["spec"]["discover"] == {"fileName": SETTINGS_FILE}
    assert plugin["spec"]["generate"]["command"] == ["inferc", "render"]
    assert "init" not in plugin["spec"]  # nothing to fetch or prepare
    container = (ROOT / "argocd" / "Containerfile").read_text()
    assert "USER 999" in container
    assert "COPY argocd/plugin.yaml /home/argocd/cmp-server/config/plugin.yaml" in container
    sidecar = yaml.safe_load((ROOT / "argocd" / "repo-server-sidecar.yaml").read_text())
    spec = sidecar["spec"]["template"]["spec"]
    mounts = {m["mountPath"]: m["name"] for m in spec["containers"][0]["volumeMounts"]}
    assert mounts["/tmp"] == "inferc-tmp" and {"name": "inferc-tmp", "emptyDir": {}} in spec["volumes"]
    assert spec["containers"][0]["securityContext"]["runAsUser"] == 999


def test_stream_equals_kustomize_build_of_the_overlay(checkout: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("build", checkout / SOURCE_PATH, "-o", out).exit_code == 0
    result = generate(checkout, tmp_path, environment="prod")
    assert result.returncode == 0, result.stderr
    assert stream(result.stdout) == stream(kustomize_build(out / "overlays" / "prod"))
    assert result.stderr.splitlines() == [
        f"inferc: rendered {len(stream(result.stdout))} objects for environment prod"]


def test_model_and_namespace_selections_equal_their_overlays(checkout: Path,
                                                            tmp_path: Path) -> None:
    """INFERC_MODEL and INFERC_NAMESPACE select exactly what the model's overlay, or the
    namespace's model overlays, hold (what a per-model or per-namespace Application on
    the committed tree would deploy)."""
    out = tmp_path / "out"
    assert run_cli("build", checkout / SOURCE_PATH, "-o", out).exit_code == 0
    one = generate(checkout, tmp_path, environment="prod", model="vision/mobilenet")
    assert one.returncode == 0, one.stderr
    assert stream(one.stdout) == stream(kustomize_build(out / "overlays/prod/vision/mobilenet"))
    ns = generate(checkout, tmp_path, environment="prod", namespace="llm")
    assert ns.returncode == 0, ns.stderr
    expected = [d for model in sorted((out / "overlays/prod/llm").iterdir())
                for d in stream(kustomize_build(model))]
    key = lambda o: (o["kind"], o["metadata"]["name"])  # noqa: E731
    assert sorted(stream(ns.stdout), key=key) == sorted(expected, key=key)


def test_output_depends_only_on_the_repository(checkout: Path, tmp_path: Path) -> None:
    before = tree_hash(checkout)
    first = generate(checkout, tmp_path, environment="dev")
    env = plugin_env(tmp_path, environment="dev")
    env.update(ARGOCD_APP_REVISION="f" * 40, ARGOCD_APP_NAME="other", KUBE_VERSION="1.33.2",
               TZ="Pacific/Kiritimati", SOURCE_DATE_EPOCH="1")
    second = subprocess.run([*inferc(), "render"], cwd=checkout / SOURCE_PATH, env=env,
                            capture_output=True, text=True, check=False, timeout=120)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    assert tree_hash(checkout) == before  # nothing written into the checkout
    assert not any((tmp_path / "home").iterdir())  # nor into HOME


_SEALED = """\
import datetime, socket, sys, time
def refuse(*args, **kwargs):
    raise AssertionError("inferc render read the clock or opened a connection")
for name in ("time", "time_ns", "localtime", "gmtime", "ctime", "strftime"):
    setattr(time, name, refuse)
class NoClock(datetime.datetime):
    now = utcnow = today = classmethod(refuse)
datetime.datetime = NoClock
socket.socket = socket.create_connection = socket.getaddrinfo = refuse
sys.argv = ["inferc", "render"]
from compiler.cli import main
main()
"""


def test_render_reads_neither_the_clock_nor_the_network(checkout: Path, tmp_path: Path) -> None:
    """Argo CD caches generated manifests for 24 h per revision: the output may depend on
    nothing else. The plugin's generate, run with the clock and sockets refusing to work,
    prints the same stream."""
    plain = generate(checkout, tmp_path, environment="prod")
    sealed = subprocess.run([sys.executable, "-c", _SEALED], cwd=checkout / SOURCE_PATH,
                            env=plugin_env(tmp_path, environment="prod"), capture_output=True,
                            text=True, check=False, timeout=120)
    assert sealed.returncode == 0, sealed.stderr
    assert (sealed.stdout, sealed.stderr) == (plain.stdout, plain.stderr)


def test_concurrent_invocations(checkout: Path, tmp_path: Path) -> None:
    """Argo CD runs generate for several Applications at once on one sidecar."""
    procs = [subprocess.Popen([*inferc(), "render"], cwd=checkout / SOURCE_PATH,
                              env=plugin_env(tmp_path, environment=env),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for env in ("prod", "dev", "prod", "dev")]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [o[1] for o in outputs]
    assert outputs[0][0] == outputs[2][0] and outputs[1][0] == outputs[3][0]
    assert outputs[0][0] != outputs[1][0]


@pytest.mark.parametrize("selection, first_line", [
    ({}, "inferc: error: no environment given: pass --env ENV (under the Argo CD plugin, set "
         "the plugin env INFERC_ENVIRONMENT)"),
    ({"environment": "stage"}, "inferc: error: no environment 'stage' (known: dev, prod)"),
    ({"environment": "prod", "namespace": "nope"},
     "inferc: error: no models in namespace 'nope' in environment 'prod': refusing to print "
     "an empty stream"),
    ({"environment": "prod", "objects": "platform"},
     "inferc: error: no cluster-level objects in environment 'prod': refusing to print an "
     "empty stream"),
])
def test_usage_problems_fail_with_the_actionable_line_first(
        checkout: Path, tmp_path: Path, selection: dict[str, str], first_line: str) -> None:
    result = generate(checkout, tmp_path, **selection)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[0] == first_line


def test_bad_spec_fails_with_its_diagnostic_first(checkout: Path, tmp_path: Path) -> None:
    spec = checkout / SOURCE_PATH / "models" / "llm" / "granite-8b.yaml"
    spec.write_text(spec.read_text().replace("hardwareProfile: nvidia-gpu",
                                             "hardwareProfile: tpu-v5"))
    result = generate(checkout, tmp_path, environment="prod")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == (
        "models/llm/granite-8b.yaml:15:20: error: spec.hardwareProfile: no hardware profile "
        "'tpu-v5' [profile.unknown]")


def test_empty_repository_is_never_an_empty_success(checkout: Path, tmp_path: Path) -> None:
    """An empty stream with exit 0 would make Argo CD prune every object (#15339)."""
    shutil.rmtree(checkout / SOURCE_PATH / "models")
    (checkout / SOURCE_PATH / "environments" / "dev.yaml").unlink()  # its override names a model
    result = generate(checkout, tmp_path, environment="prod")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == (
        "environments/prod.yaml:1:1: error: $: environment 'prod' renders no model: there is "
        "no models/ folder [repo.empty]")


def enable_argocd(repo: Path, split: str, application_set: bool = False) -> None:
    settings = repo / SETTINGS_FILE
    settings.write_text(settings.read_text() + (
        "  argocd:\n    repoURL: https://git.example.com/team/models.git\n"
        f"    targetRevision: main\n    path: {SOURCE_PATH}\n    split: {split}\n"
        f"    applicationSet: {'true' if application_set else 'false'}\n"))
    for name in ("dev", "prod"):
        env = repo / "environments" / f"{name}.yaml"
        env.write_text(env.read_text().replace("spec:\n", "spec:\n  manageNamespaces: true\n", 1))


@pytest.mark.parametrize("split", ["environment", "namespace"])
def test_emitted_applications_cover_each_environment_once(checkout: Path, tmp_path: Path,
                                                          split: str) -> None:
    repo = checkout / SOURCE_PATH
    enable_argocd(repo, split)
    out = tmp_path / "out"
    assert run_cli("build", repo, "-o", out).exit_code == 0
    apps = [yaml.safe_load(p.read_text()) for p in sorted((out / "argocd").glob("*.yaml"))]
    for env in ("dev", "prod"):
        mine = [a for a in apps if a["metadata"]["labels"]["inferc.dev/environment"] == env]
        names = [a["metadata"]["name"] for a in mine]
        expected = ([f"inferc-{env}-assistants", f"inferc-{env}-llm", f"inferc-{env}-platform",
                     f"inferc-{env}-risk",
                     f"inferc-{env}-vision"] if split == "namespace" else
                    [f"inferc-{env}", f"inferc-{env}-platform"])
        assert sorted(names) == sorted(expected)
        objects: list[dict[str, Any]] = []
        for app in mine:
            source = app["spec"]["source"]
            assert (source["path"], source["plugin"]["name"]) == (SOURCE_PATH, "inferc")
            selection = {e["name"].removeprefix("INFERC_").lower(): e["value"]
                         for e in source["plugin"]["env"]}
            result = generate(checkout, tmp_path, **selection)
            assert result.returncode == 0, result.stderr
            objects += stream(result.stdout)
        whole = stream(kustomize_build(out / "overlays" / env))
        key = lambda o: (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])  # noqa: E731
        assert sorted(objects, key=key) == sorted(whole, key=key)  # every object exactly once


def test_applications_name_the_platform_fields_to_ignore(checkout: Path, tmp_path: Path) -> None:
    repo = checkout / SOURCE_PATH
    enable_argocd(repo, "environment")
    out = tmp_path / "out"
    assert run_cli("build", repo, "-o", out).exit_code == 0
    app = yaml.safe_load((out / "argocd" / "inferc-prod.yaml").read_text())
    assert app["spec"]["destination"] == {"server": "https://kubernetes.default.svc"}
    assert app["spec"]["syncPolicy"] == {"syncOptions": ["RespectIgnoreDifferences=true"],
                                         "automated": {"prune": True, "selfHeal": True}}
    isvc = app["spec"]["ignoreDifferences"][0]
    assert isvc["kind"] == "InferenceService"
    assert isvc["jsonPointers"][0] == "/metadata/annotations/serving.kserve.io~1stop"
    assert "/spec/predictor/nodeSelector" in isvc["jsonPointers"]  # OpenShift AI's webhook


def test_application_set(checkout: Path, tmp_path: Path) -> None:
    repo = checkout / SOURCE_PATH
    enable_argocd(repo, "namespace", application_set=True)
    out = tmp_path / "out"
    assert run_cli("build", repo, "-o", out).exit_code == 0
    assert sorted(p.name for p in (out / "argocd").iterdir()) == ["applicationset.yaml"]
    appset = yaml.safe_load((out / "argocd" / "applicationset.yaml").read_text())
    elements = appset["spec"]["generators"][0]["list"]["elements"]
    assert [e["name"] for e in elements][:5] == ["inferc-dev-platform", "inferc-dev-assistants",
                                                 "inferc-dev-llm", "inferc-dev-risk",
                                                 "inferc-dev-vision"]
    assert elements[2]["namespace"] == "llm" and elements[0]["objects"] == "platform"
    assert appset["spec"]["goTemplate"] is True


@pytest.mark.parametrize("example, extra", [
    ("application.yaml", ""),
    ("applicationset.yaml", "    split: namespace\n    applicationSet: true\n"),
])
def test_shipped_examples_are_what_build_emits(tmp_path: Path, example: str, extra: str) -> None:
    """argocd/examples/ (linked from the README) is the example repo's own output."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("out"))
    settings = repo / SETTINGS_FILE
    settings.write_text(settings.read_text() + (
        "  argocd:\n    repoURL: https://git.example.com/team/models.git\n"
        f"    targetRevision: main\n    path: {SOURCE_PATH}\n{extra}"))
    assert run_cli("build", repo, "-o", tmp_path / "out").exit_code == 0
    emitted = "inferc-prod.yaml" if example == "application.yaml" else example
    assert (ROOT / "argocd" / "examples" / example).read_text() == (
        tmp_path / "out" / "argocd" / emitted).read_text()
