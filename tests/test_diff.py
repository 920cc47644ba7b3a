"""inferc diff on temporary git histories made with the real git: objects added, removed
and changed, every risk flag with its exact text, each output format, exit codes, failing
revisions, a config repo in a subfolder, and a working tree left exactly as it was."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, Run, run_cli

BASE_REPO = ROOT / "tests" / "cases" / "invalid" / "_base"
# Fixed identity and dates: the commits (and so the shas in the output) are the same on
# every machine; no user or system git configuration (signing, hooks) takes part.
_GIT_ENV = {"GIT_AUTHOR_NAME": "inferc tests", "GIT_AUTHOR_EMAIL": "tests@inferc.dev",
            "GIT_COMMITTER_NAME": "inferc tests", "GIT_COMMITTER_EMAIL": "tests@inferc.dev",
            "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
            "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


class History:
    """A git repository holding a config repo (at ``sub`` inside it)."""

    def __init__(self, top: Path, sub: str = "") -> None:
        self.top = top
        self.config = top / sub if sub else top
        shutil.copytree(BASE_REPO, self.config)
        self.git("init", "-q", "-b", "main")
        self.commit("base repo")

    def git(self, *args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=self.top, capture_output=True, text=True,
                              check=True, env={**os.environ, **_GIT_ENV})
        return proc.stdout

    def write(self, relative: str, text: str) -> None:
        path = self.config / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def remove(self, relative: str) -> None:
        (self.config / relative).unlink()

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def diff(self, *args: str) -> Run:
        return run_cli("diff", *args, cwd=self.config)


def model(name: str = "chat", namespace: str = "llm", spec: str = "", *,
          uri: str = "hf://ibm-granite/granite-3.1-8b-instruct") -> str:
    """A KServe generative model on an NVIDIA GPU; ``spec`` adds lines under spec:."""
    return (f"apiVersion: inferc.dev/v1alpha1\nkind: ModelDeployment\nmetadata:\n"
            f"  name: {name}\n  namespace: {namespace}\nspec:\n  modelType: generative\n"
            f"  storage:\n    uri: {uri}\n  hardwareProfile: nvidia-gpu\n{spec}")


def environment(name: str, version: str = "3.3", extra: str = "") -> str:
    replicas = 3 if name == "prod" else 1
    return (f"apiVersion: inferc.dev/v1alpha1\nkind: Environment\nmetadata:\n  name: {name}\n"
            f"spec:\n  platform:\n    name: openshift-ai\n    version: \"{version}\"\n"
            f"  defaults:\n    replicas: {replicas}\n{extra}")


TOKENS = "  access:\n    external: true\n    tokens: [default-name]\n"
PUBLIC = "  access:\n    external: true\n    public: true\n"


@pytest.fixture
def repo(tmp_path: Path) -> History:
    history = History(tmp_path / "git")
    history.write("models/llm/chat.yaml", model())
    history.commit("chat model")
    return history


def flags(run: Run) -> list[str]:
    assert run.exit_code == 0, run.stdout + run.stderr
    return [line.strip() for line in run.stdout.splitlines() if line.startswith("  ! ")]


# --- objects and fields -----------------------------------------------------------------

def test_unchanged_prints_nothing_and_says_so(repo: History) -> None:
    run = repo.diff("--base", "main")
    assert (run.exit_code, run.stdout) == (0, "")
    assert run.stderr.startswith("inferc: compared main (") and \
        run.stderr.endswith(") with the working tree: no changes\n")


def test_added_removed_and_changed_with_field_paths(repo: History) -> None:
    repo.write("models/llm/chat.yaml", model(spec="  replicas: 2\n  args: [--max-model-len=4096]\n"))
    repo.write("models/vision/cam.yaml", model("cam", "vision"))
    run = repo.diff("--base", "main")
    assert run.exit_code == 0, run.stderr
    sha = repo.git("rev-parse", "--short=7", "main").strip()
    assert run.stdout.startswith(f"inferc diff: main ({sha}) → the working tree\n")
    prod = run.stdout.split("environment prod: ")[1]
    assert prod == (
        "2 added, 0 removed, 1 changed\n"
        "  + InferenceService vision/cam (models/vision/cam.yaml)\n"
        "  + ServingRuntime vision/cam (models/vision/cam.yaml)\n"
        "  ~ InferenceService llm/chat (models/llm/chat.yaml)\n"
        "      spec.predictor.minReplicas: 3 → 2\n"
        "      spec.predictor.maxReplicas: 3 → 2\n"
        '      spec.predictor.model.args: (absent) → ["--max-model-len=4096"]\n')


def test_removed_objects_and_removed_fields(repo: History) -> None:
    repo.write("models/llm/chat.yaml", model(spec=TOKENS))
    repo.commit("tokens")
    repo.write("models/llm/chat.yaml", model(spec="  access:\n    tokens: [default-name]\n"))
    run = repo.diff("--base", "main")
    dev = run.stdout.split("environment dev: ")[1].split("environment prod")[0]
    assert dev == (
        "0 added, 0 removed, 1 changed\n"
        "  ~ InferenceService llm/chat (models/llm/chat.yaml)\n"
        '      metadata.labels["networking.kserve.io/visibility"]: "exposed" → (absent)\n')


# --- risk flags, one test each -------------------------------------------------------------

def test_flag_token_auth_removed(repo: History) -> None:
    repo.write("models/llm/chat.yaml", model(spec=TOKENS))
    repo.commit("tokens")
    repo.write("models/llm/chat.yaml", model(spec=PUBLIC))
    assert flags(repo.diff("--base", "main")) == [
        "! auth-removed: llm/chat: token authentication removed: requests need no token any "
        "more (tokens: default-name → none) (models/llm/chat.yaml:13:13)"] * 2


def test_flag_endpoint_made_public_and_external_access_added(repo: History) -> None:
    repo.write("models/llm/chat.yaml", model(spec=PUBLIC))
    assert flags(repo.diff("--base", "main")) == [
        "! auth-removed: llm/chat: endpoint made public: public: true lets anyone who reaches "
        "the endpoint call the model without a token (models/llm/chat.yaml:13:13)",
        "! external-added: llm/chat: external access added: an external route makes it "
        "reachable from outside the cluster, without token authentication (public) "
        "(models/llm/chat.yaml:12:15)"] * 2


def test_flag_external_access_added_to_a_new_model(repo: History) -> None:
    repo.write("models/vision/cam.yaml", model("cam", "vision", TOKENS))
    assert flags(repo.diff("--base", "main")) == [
        "! external-added: vision/cam: external access added: a new model with an external "
        "route makes it reachable from outside the cluster, with token authentication "
        "(models/vision/cam.yaml:12:15)"] * 2


def test_flag_recreate_in_a_production_environment(repo: History) -> None:
    repo.write("environments/prod.yaml", environment("prod", extra="  production: true\n"))
    repo.commit("prod is production")
    repo.write("models/llm/chat.yaml", model(spec="  strategy:\n    type: Recreate\n"))
    assert flags(repo.diff("--base", "main")) == [
        "! recreate-in-production: llm/chat: switched to Recreate in production: environment "
        "prod is production (spec.production: true) and Recreate stops every pod before the "
        "new ones start: downtime at every rollout (models/llm/chat.yaml:12:5)"]


def test_flag_model_stopped(repo: History) -> None:
    repo.write("models/llm/chat.yaml", model(spec="  stopped: true\n"))
    assert flags(repo.diff("--base", "main")) == [
        "! stopped: llm/chat: model stopped: stopped: true scales it to zero "
        "(serving.kserve.io/stop): requests fail until it is started again "
        "(models/llm/chat.yaml:11:12)"] * 2


def test_replicas_zero_is_a_failing_revision(repo: History) -> None:
    repo.write("models/llm/chat.yaml", model(spec="  replicas: 0\n"))
    run = repo.diff("--base", "main")
    assert run.exit_code == 1
    assert run.stdout.splitlines()[0] == ("inferc diff: the head revision (the working tree) "
                                          "does not compile; no diff")
    assert "[scaling.zero]" in run.stdout


def test_flag_accelerator_count_raised(repo: History) -> None:
    repo.write("models/llm/chat.yaml", model(
        spec="  resources:\n    requests:\n      nvidia.com/gpu: 2\n"))
    assert flags(repo.diff("--base", "main")) == [
        "! accelerators-raised: llm/chat: accelerator count raised: nvidia.com/gpu 1 → 2 per "
        "pod, 1 → 2 in total at the most replicas (models/llm/chat.yaml:13:23)",
        "! accelerators-raised: llm/chat: accelerator count raised: nvidia.com/gpu 1 → 2 per "
        "pod, 3 → 6 in total at the most replicas (models/llm/chat.yaml:13:23)"]


def test_flag_quota_headroom_lost(repo: History) -> None:
    quota = "  quotas:\n    llm:\n      requests.nvidia.com/gpu: {}\n"
    repo.write("environments/prod.yaml", environment("prod", extra=quota.format(5)))
    repo.commit("quota 5")
    repo.write("environments/prod.yaml", environment("prod", extra=quota.format(4)))
    assert flags(repo.diff("--base", "main")) == [
        "! quota-headroom: quota llm requests.nvidia.com/gpu: quota headroom lost: peak 4 of the "
        "quota 5 → 4: headroom 1 → 0, less than one more pod of its largest model (1) "
        "(environments/prod.yaml:13:32)"]


def test_flag_runtime_image_changed_by_the_target_release(repo: History) -> None:
    repo.write("environments/prod.yaml", environment("prod", version="3.4"))
    run = repo.diff("--base", "main")
    (flag,) = [f for f in flags(run) if "llm/chat" in f]
    assert flag.startswith("! runtime-changed: llm/chat: runtime changed without a spec "
                           "change: image of kserve-container registry.redhat.io/")
    assert flag.endswith(": the target release changed (openshift-ai-3.3 → "
                         "openshift-ai-3.4) (environments/prod.yaml:8:14)")


def test_no_runtime_flag_when_the_spec_changed_too(repo: History) -> None:
    repo.write("environments/prod.yaml", environment("prod", version="3.4"))
    repo.write("models/llm/chat.yaml", model(spec="  replicas: 2\n"))
    assert [f.split(": ")[1] for f in flags(repo.diff("--base", "main"))
            if "runtime-changed" in f] == ["team/chat", "team/vision"]  # specs unchanged


def test_flag_rename(repo: History) -> None:
    repo.remove("models/llm/chat.yaml")
    repo.write("models/llm/assistant.yaml", model("assistant"))
    assert flags(repo.diff("--base", "main")) == [
        "! renamed: llm/assistant: model renamed (llm/chat → llm/assistant): the workload of "
        "llm/chat is deleted and llm/assistant's created: downtime while it starts, and a new "
        "URL for every client (models/llm/assistant.yaml:4:9)"] * 2


def test_flag_llmd_scheduler_configuration_changed(tmp_path: Path) -> None:
    history = History(tmp_path / "git")
    for env in ("dev", "prod"):
        history.write(f"environments/{env}.yaml", environment(
            env, version="3.4", extra="  gateway:\n    trustedNamespaces: [llm]\n"))
    llmd = "  runtime: llm-d\n"
    history.write("models/llm/chat.yaml", model(spec=llmd))
    history.commit("llm-d model")
    history.write("models/llm/chat.yaml", model(
        spec=llmd + "  llmd:\n    router:\n      routing: prefix-cache\n"))
    assert flags(history.diff("--base", "main")) == [
        "! scheduler-changed: llm/chat: llm-d scheduler configuration changed: the endpoint "
        "picker routes requests differently (spec.router.scheduler.config) "
        "(models/llm/chat.yaml:14:16)"] * 2
