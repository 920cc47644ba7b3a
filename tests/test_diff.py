"""inferc diff on temporary git histories made with the real git: objects added, removed
and changed, every risk flag with its exact text, each output format, exit codes, failing
revisions, a config repo in a subfolder, and a working tree left exactly as it was."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, Run, run_cli

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


# --- output formats ------------------------------------------------------------------------

@pytest.fixture
def auth_off(tmp_path: Path) -> History:
    """Token authentication switched off in favour of a public route, two more replicas."""
    history = History(tmp_path / "git")
    shutil.rmtree(history.config / "models" / "team")
    history.write("models/llm/chat.yaml", model(spec=TOKENS))
    history.commit("chat model with a token")
    history.write("models/llm/chat.yaml", model(spec="  replicas: 2\n" + PUBLIC))
    return history


def _sha(history: History, ref: str = "main") -> str:
    return history.git("rev-parse", ref).strip()


_REMOVED = """\
- Role llm/chat-view-role (models/llm/chat.yaml)
- RoleBinding llm/chat-view (models/llm/chat.yaml)
- Secret llm/default-name-chat-sa (models/llm/chat.yaml)
- ServiceAccount llm/chat-sa (models/llm/chat.yaml)
~ InferenceService llm/chat (models/llm/chat.yaml)
    metadata.annotations["security.opendatahub.io/enable-auth"]: "true" → "false"
"""
_AUTH = ("token authentication removed: requests need no token any more (tokens: "
         "default-name → none)")
_GPU = "accelerator count raised: nvidia.com/gpu 1 → 2 in total at the most replicas (1 per pod)"


def test_markdown_is_a_pull_request_comment(auth_off: History) -> None:
    run = auth_off.diff("--base", "main", "--format", "markdown")
    assert run.exit_code == 0, run.stdout
    assert run.stdout == f"""\
<!-- inferc-diff -->
## inferc diff

**base** main ({_sha(auth_off)[:7]}) → **head** the working tree

| Environment | Added | Removed | Changed | Risk flags |
| --- | ---: | ---: | ---: | --- |
| dev | 0 | 4 | 1 | accelerators-raised, auth-removed |
| prod | 0 | 4 | 1 | auth-removed |

### Risk flags

- **dev** `llm/chat` **accelerator count raised**: nvidia.com/gpu 1 → 2 in total at the most \
replicas (1 per pod) (models/llm/chat.yaml:11:13)
- **dev** `llm/chat` **token authentication removed**: requests need no token any more \
(tokens: default-name → none) (models/llm/chat.yaml:14:13)
- **prod** `llm/chat` **token authentication removed**: requests need no token any more \
(tokens: default-name → none) (models/llm/chat.yaml:14:13)

<details><summary>dev: 0 added, 4 removed, 1 changed</summary>

```diff
{_REMOVED}\
    spec.predictor.minReplicas: 1 → 2
    spec.predictor.maxReplicas: 1 → 2
```

</details>

<details><summary>prod: 0 added, 4 removed, 1 changed</summary>

```diff
{_REMOVED}\
    spec.predictor.minReplicas: 3 → 2
    spec.predictor.maxReplicas: 3 → 2
```

</details>
"""


def test_markdown_without_changes(repo: History) -> None:
    run = repo.diff("--base", "main", "--format", "markdown")
    assert run.stdout == (f"<!-- inferc-diff -->\n## inferc diff\n\n**base** main "
                          f"({_sha(repo)[:7]}) → **head** the working tree: no change to the "
                          "rendered objects.\n")


def test_github_annotates_the_spec_lines_behind_each_flag(auth_off: History) -> None:
    run = auth_off.diff("--base", "main", "--format", "github")
    assert run.stdout == (
        "::notice title=inferc diff::environment dev: 0 added, 4 removed, 1 changed\n"
        "::warning file=models/llm/chat.yaml,line=11,col=13,title=inferc diff "
        f"accelerators-raised::dev llm/chat: {_GPU}\n"
        "::warning file=models/llm/chat.yaml,line=14,col=13,title=inferc diff "
        f"auth-removed::dev llm/chat: {_AUTH}\n"
        "::notice title=inferc diff::environment prod: 0 added, 4 removed, 1 changed\n"
        "::warning file=models/llm/chat.yaml,line=14,col=13,title=inferc diff "
        f"auth-removed::prod llm/chat: {_AUTH}\n")


def _removed_json() -> list[dict[str, object]]:
    rbac = "rbac.authorization.k8s.io"
    return [{"apiGroup": group, "kind": kind, "namespace": "llm", "name": name,
             "model": "llm/chat", "file": "models/llm/chat.yaml"}
            for group, kind, name in [(rbac, "Role", "chat-view-role"),
                                      (rbac, "RoleBinding", "chat-view"),
                                      ("", "Secret", "default-name-chat-sa"),
                                      ("", "ServiceAccount", "chat-sa")]]


def _flag_json(rule: str, text: str, line: int, col: int) -> dict[str, object]:
    message, _, reason = text.partition(": ")
    return {"rule": rule, "subject": "llm/chat", "message": message, "reason": reason,
            "file": "models/llm/chat.yaml", "line": line, "column": col}


def test_json_says_which_case_occurred(auth_off: History) -> None:
    run = auth_off.diff("--base", "main", "--format", "json")
    assert run.exit_code == 0

    def env(name: str, replicas: int, flags: list[dict[str, object]]) -> dict[str, object]:
        fields = [{"path": 'metadata.annotations["security.opendatahub.io/enable-auth"]',
                   "old": "true", "new": "false"},
                  {"path": "spec.predictor.minReplicas", "old": replicas, "new": 2},
                  {"path": "spec.predictor.maxReplicas", "old": replicas, "new": 2}]
        changed = {"apiGroup": "serving.kserve.io", "kind": "InferenceService",
                   "namespace": "llm", "name": "chat", "model": "llm/chat",
                   "file": "models/llm/chat.yaml", "fields": fields}
        return {"name": name, "added": [], "removed": _removed_json(), "changed": [changed],
                "flags": flags}

    assert json.loads(run.stdout) == {
        "result": "changed",
        "base": {"ref": "main", "commit": _sha(auth_off), "worktree": False},
        "head": {"ref": None, "commit": None, "worktree": True},
        "environments": [
            env("dev", 1, [_flag_json("accelerators-raised", _GPU, 11, 13),
                           _flag_json("auth-removed", _AUTH, 14, 13)]),
            env("prod", 3, [_flag_json("auth-removed", _AUTH, 14, 13)])]}


def test_json_unchanged(repo: History) -> None:
    found = json.loads(repo.diff("--base", "main", "--format", "json").stdout)
    assert found["result"] == "unchanged"
    assert [(e["name"], e["added"], e["removed"], e["changed"], e["flags"])
            for e in found["environments"]] == [("dev", [], [], [], []),
                                                ("prod", [], [], [], [])]


# --- exit codes and failing revisions ------------------------------------------------------

def test_exit_code_as_git_diff(repo: History) -> None:
    assert repo.diff("--base", "main", "--exit-code").exit_code == 0
    repo.write("models/llm/chat.yaml", model(spec="  replicas: 2\n"))
    assert repo.diff("--base", "main").exit_code == 0
    changed = repo.diff("--base", "main", "--exit-code")
    assert changed.exit_code == 1 and changed.stdout.startswith("inferc diff: main (")
    assert changed.stderr == ""  # no "done" line when the exit code says "changed"


def test_failing_head_gives_its_diagnostics_and_no_diff(repo: History) -> None:
    repo.write("models/llm/chat.yaml", model(spec="  replicas: many\n"))
    run = repo.diff("--base", "main")
    assert (run.exit_code, run.stderr) == (1, "")
    assert run.stdout == (
        "inferc diff: the head revision (the working tree) does not compile; no diff\n"
        "models/llm/chat.yaml:11:13: error: spec.replicas: expected an integer, found a "
        "string ('many') [schema.type]\n"
        "1 error in 1 file\n")


def test_failing_base_is_named_in_every_format(repo: History) -> None:
    repo.write("models/llm/chat.yaml", model(spec="  replicas: many\n"))
    bad = repo.commit("broken")
    repo.write("models/llm/chat.yaml", model())
    run = repo.diff("--base", "main")
    assert run.exit_code == 1
    assert run.stdout.splitlines()[:2] == [
        f"inferc diff: the base revision (main ({bad[:7]})) does not compile; no diff",
        "models/llm/chat.yaml:11:13: error: spec.replicas: expected an integer, found a "
        "string ('many') [schema.type]"]
    found = json.loads(repo.diff("--base", "main", "--format", "json").stdout)
    assert found["result"] == "failed"
    assert [(f["revision"], [d["rule"] for d in f["diagnostics"]])
            for f in found["failed"]] == [("base", ["schema.type"])]
    github = repo.diff("--base", "main", "--format", "github")
    assert (github.exit_code, github.stdout.splitlines()) == (1, [
        f"::error title=inferc diff::the base revision (main ({bad[:7]})) does not compile; "
        "no diff",
        "::error file=models/llm/chat.yaml,line=11,col=13,title=inferc schema.type::"
        "spec.replicas: expected an integer, found a string ('many')"])
    markdown = repo.diff("--base", "main", "--format", "markdown")
    assert markdown.stdout.splitlines()[:6] == [
        "<!-- inferc-diff -->", "## inferc diff", "",
        f"**The base revision (main ({bad[:7]})) does not compile; no diff.**", "", "```text"]


def test_both_revisions_failing_are_both_reported(repo: History) -> None:
    repo.write("models/llm/chat.yaml", model(spec="  replicas: many\n"))
    repo.commit("broken")
    repo.write("models/llm/chat.yaml", model(spec="  replicas: -1\n"))
    found = json.loads(repo.diff("--base", "main", "--format", "json").stdout)
    assert [f["revision"] for f in found["failed"]] == ["base", "head"]


# --- where it reads, and what it leaves alone ------------------------------------------------

def test_subfolder_config_repo_names_files_from_the_current_directory(tmp_path: Path) -> None:
    history = History(tmp_path / "git", sub="deploy")
    history.write("models/llm/chat.yaml", model(spec=TOKENS))
    history.commit("chat")
    history.write("models/llm/chat.yaml", model(spec=PUBLIC))
    (history.top / "README.md").write_text("not part of the config repo\n")
    run = run_cli("diff", "--repo", "deploy", "--base", "main", "--format", "github",
                  cwd=history.top)
    assert run.exit_code == 0, run.stdout
    assert [line.split("::")[1] for line in run.stdout.splitlines() if "warning" in line] == [
        "warning file=deploy/models/llm/chat.yaml,line=13,col=13,title=inferc diff "
        "auth-removed"] * 2
    inside = run_cli("diff", "--base", "main", cwd=history.config / "models")
    assert "  ! auth-removed: llm/chat: token authentication removed" in inside.stdout
    assert "(llm/chat.yaml:13:13)" in inside.stdout


def test_head_revision_and_the_working_tree_untouched(repo: History) -> None:
    first = _sha(repo)
    repo.write("models/llm/chat.yaml", model(spec="  replicas: 2\n"))
    repo.commit("two replicas")
    repo.write("models/llm/chat.yaml", model(spec="  replicas: many\n"))  # uncommitted, broken
    repo.write("models/llm/scratch.yaml", "not: [yaml")  # untracked
    (repo.top / "out").mkdir()
    status = repo.git("status", "--porcelain", "--ignored")
    stamps = {p: p.stat().st_mtime_ns for p in repo.top.rglob("*") if ".git" not in p.parts}
    head = repo.git("rev-parse", "HEAD")
    run = repo.diff("--base", first, "--head", "main")
    assert run.exit_code == 0, run.stdout
    assert "      spec.predictor.minReplicas: 3 → 2\n" in run.stdout
    assert run.stderr == (f"inferc: compared {first} ({first[:7]}) with main "
                          f"({_sha(repo)[:7]}): 2 objects changed, 1 risk flag\n")
    assert repo.git("status", "--porcelain", "--ignored") == status
    assert {p: p.stat().st_mtime_ns for p in repo.top.rglob("*")
            if ".git" not in p.parts} == stamps
    assert repo.git("rev-parse", "HEAD") == head


def test_a_revision_linking_out_of_the_repo_is_not_followed(repo: History,
                                                             tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    (repo.config / "models" / "llm" / "leak.yaml").symlink_to(secret)
    repo.commit("a link out")
    (repo.config / "models" / "llm" / "leak.yaml").unlink()
    run = repo.diff("--base", "main")
    assert run.exit_code == 1
    assert "models/llm/leak.yaml:1:1: error: $: symbolic link to a file outside the config " \
           "repo; inferc does not follow it [repo.symlink]" in run.stdout
    assert "hunter2" not in run.stdout


def test_unknown_ref_and_no_git_repository_are_one_line_errors(repo: History,
                                                                 tmp_path: Path) -> None:
    run = repo.diff("--base", "no-such-branch")
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == f"inferc: error: no git revision 'no-such-branch' in {repo.top}\n"
    option = repo.diff("--base", "--output=x")
    assert (option.exit_code, option.stderr) == (
        2, "inferc: error: no git revision '--output=x'\n")
    plain = tmp_path / "plain"
    shutil.copytree(BASE_REPO, plain)
    outside = run_cli("diff", "--base", "main", cwd=plain)
    assert (outside.exit_code, outside.stderr) == (
        2, f"inferc: error: {plain} is not in a git repository: inferc diff compares git "
           "revisions\n")


def test_base_without_a_config_repo(tmp_path: Path) -> None:
    history = History(tmp_path / "git", sub="deploy")
    history.git("mv", "deploy", "config")
    history.commit("moved")
    history.git("mv", "config", "deploy")
    run = run_cli("diff", "--base", "main", cwd=history.config)
    assert (run.exit_code, run.stderr) == (
        2, f"inferc: error: revision 'main' ({_sha(history)[:7]}) has no inferc.yaml in "
           "deploy/: no config repo to compare there\n")


def test_progress_goes_to_the_callback_only(repo: History) -> None:
    from compiler import app

    lines: list[str] = []
    os.chdir(repo.config)
    try:
        app.diff(app.DiffOptions(None, "main", None, "text", progress=lines.append))
    finally:
        os.chdir(ROOT)
    assert lines == [f"reading the base revision main ({_sha(repo)[:7]})",
                     f"compiling the base revision main ({_sha(repo)[:7]})",
                     "rendering environment dev (3 models)",
                     "rendering environment prod (3 models)",
                     "compiling the head revision the working tree",
                     "rendering environment dev (3 models)",
                     "rendering environment prod (3 models)",
                     "comparing"]


TRITON = """\
apiVersion: inferc.dev/v1alpha1
kind: RuntimeTemplate
metadata:
  name: triton-runtime-template
  namespace: fraud
spec:
  displayName: NVIDIA Triton Inference Server
  modelTypes: [predictive]
  apiProtocol: REST
  servingRuntime:
    metadata:
      name: triton-runtime
    spec:
      supportedModelFormats:
      - name: xgboost
        version: "2"
        autoSelect: true
      protocolVersions: [v2, grpc-v2]
      containers:
      - name: kserve-container
        image: nvcr.io/nvidia/tritonserver:{tag}
        ports:
        - containerPort: 8000
          protocol: TCP
"""
SCORER = """\
apiVersion: inferc.dev/v1alpha1
kind: ModelDeployment
metadata:
  name: scorer
  namespace: fraud
spec:
  modelType: predictive
  modelFormat:
    name: xgboost
    version: "2"
  storage:
    uri: pvc://fraud-models/scorer/v3
  runtime: triton-runtime
  hardwareProfile: default-profile
"""


def test_flag_runtime_image_changed_by_a_preset(repo: History) -> None:
    repo.write("presets/runtimes/triton.yaml", TRITON.replace("{tag}", "24.08-py3"))
    repo.write("models/fraud/scorer.yaml", SCORER)
    repo.commit("scorer on the team's Triton")
    repo.write("presets/runtimes/triton.yaml", TRITON.replace("{tag}", "24.09-py3"))
    assert flags(repo.diff("--base", "main")) == [
        "! runtime-changed: fraud/scorer: runtime changed without a spec change: image of "
        "kserve-container nvcr.io/nvidia/tritonserver:24.08-py3 → "
        "nvcr.io/nvidia/tritonserver:24.09-py3: its runtime preset "
        "presets/runtimes/triton.yaml changed (presets/runtimes/triton.yaml:21:1)"] * 2


def test_a_new_environment_adds_everything(repo: History) -> None:
    repo.write("environments/staging.yaml", environment("staging"))
    run = repo.diff("--base", "main")
    assert "environment staging: 6 added, 0 removed, 0 changed\n" in run.stdout
    found = json.loads(repo.diff("--base", "main", "--format", "json").stdout)
    assert [(e["name"], len(e["added"])) for e in found["environments"]] == [
        ("dev", 0), ("prod", 0), ("staging", 6)]


def test_diff_modules_load_only_for_the_diff_command() -> None:
    code = ("import sys, compiler.cli, compiler.app; "
            "print(sorted(m for m in sys.modules if m in ('compiler.diff', 'compiler.risk', "
            "'compiler.gitrev', 'compiler.diff_report')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert proc.stdout == "[]\n"


def test_a_crafted_tree_leaving_the_copy_is_refused(repo: History, tmp_path: Path) -> None:
    blob = repo.git("hash-object", "-w", str(repo.config / "inferc.yaml")).strip()
    inner = subprocess.run(["git", "mktree"], cwd=repo.top, capture_output=True, text=True,
                           check=True, input=f"100644 blob {blob}\tevil.yaml\n").stdout.strip()
    listing = repo.git("ls-tree", "HEAD") + f"040000 tree {inner}\t..\n"
    tree = subprocess.run(["git", "mktree"], cwd=repo.top, capture_output=True, text=True,
                          check=True, input=listing).stdout.strip()
    crafted = subprocess.run(["git", "commit-tree", tree, "-m", "crafted"], cwd=repo.top,
                             capture_output=True, text=True, check=True,
                             env={**os.environ, **_GIT_ENV}).stdout.strip()
    before = sorted(tmp_path.rglob("evil.yaml"))
    run = repo.diff("--base", crafted)
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == ("inferc: error: the revision holds an unsafe path '../evil.yaml'; "
                          "refusing to read it\n")
    assert sorted(tmp_path.rglob("evil.yaml")) == before == []


def test_a_repository_git_does_not_trust_is_an_environment_failure(
        repo: History, monkeypatch: pytest.MonkeyPatch) -> None:
    # git's own switch for "owned by someone else" (CI containers, mounted checkouts)
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    run = repo.diff("--base", "main")
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == (
        f"inferc: error: git cannot read {repo.config}: detected dubious ownership in "
        f"repository at '{repo.top}' (to trust it: git config --global --add safe.directory "
        f"{repo.top})\n")


def test_flag_workload_replaced_when_the_target_changes(tmp_path: Path) -> None:
    history = History(tmp_path / "git")
    for env in ("dev", "prod"):
        history.write(f"environments/{env}.yaml", environment(
            env, version="3.4", extra="  gateway:\n    trustedNamespaces: [llm]\n"))
    history.write("models/llm/chat.yaml", model())
    history.commit("KServe model")
    history.write("models/llm/chat.yaml", model(spec="  runtime: llm-d\n"))
    assert flags(history.diff("--base", "main")) == [
        "! renamed: llm/chat: workload replaced (InferenceService → LLMInferenceService): the "
        "InferenceService is deleted and an LLMInferenceService created: downtime while it "
        "starts, and a new URL for every client (models/llm/chat.yaml:11:12)"] * 2


def test_a_comment_is_no_spec_change(repo: History) -> None:
    repo.write("environments/prod.yaml", environment("prod", version="3.4"))
    repo.write("models/llm/chat.yaml", "# reviewed\n" + model())
    assert [f.split(": ")[1] for f in flags(repo.diff("--base", "main"))
            if "runtime-changed" in f] == ["llm/chat", "team/chat", "team/vision"]


def test_a_flag_is_placed_on_the_value_that_changed(repo: History) -> None:
    # The GPU limit raised in the spec, the replicas unchanged (from the environment):
    # the annotation goes on the spec's limit line, not on the environment's replicas.
    repo.write("models/llm/chat.yaml", model(
        spec="  resources:\n    limits:\n      nvidia.com/gpu: 2\n"))
    assert [f.rpartition(" (")[2] for f in flags(repo.diff("--base", "main"))] == [
        "models/llm/chat.yaml:13:23)"] * 2
    repo.commit("two GPUs")
    repo.write("environments/prod.yaml", environment("prod").replace("replicas: 3",
                                                                      "replicas: 4"))
    assert [(f.split(": ")[1], f.rpartition(" (")[2])
            for f in flags(repo.diff("--base", "main"))] == [
        ("llm/chat", "environments/prod.yaml:10:15)"),
        ("team/chat", "environments/prod.yaml:10:15)")]


def test_markdown_stays_within_a_comment(auth_off: History,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from compiler import diff_report

    full = auth_off.diff("--base", "main", "--format", "markdown").stdout
    details = full.index("\n<details>")
    monkeypatch.setattr(diff_report, "COMMENT_LIMIT", details + 400)
    cut = auth_off.diff("--base", "main", "--format", "markdown").stdout
    assert cut == full[:details] + (
        "\n**2 more entries not shown** (flags or environment details): a pull-request "
        "comment holds at most 65,536 characters; run `inferc diff` for all of it.\n")
    assert len(cut) <= details + 400


def test_markdown_of_a_failure_stays_within_a_comment(repo: History,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from compiler import diff_report

    repo.write("models/llm/chat.yaml", model(spec="  replicas: many\n  stopped: maybe\n"))
    monkeypatch.setattr(diff_report, "COMMENT_LIMIT", 640)
    run = repo.diff("--base", "main", "--format", "markdown")
    assert run.exit_code == 1
    assert run.stdout.endswith(
        "```text\nmodels/llm/chat.yaml:11:13: error: spec.replicas: expected an integer, "
        "found a string ('many') [schema.type]\n… 2 more lines: run inferc diff for all of "
        "them\n```\n")


def test_starting_a_stopped_model_raises_its_accelerators(repo: History) -> None:
    repo.write("models/llm/chat.yaml", model(spec="  stopped: true\n"))
    repo.commit("stopped")
    repo.write("models/llm/chat.yaml", model())
    assert flags(repo.diff("--base", "main")) == [
        "! accelerators-raised: llm/chat: accelerator count raised: nvidia.com/gpu 0 → 1 per "
        "pod, 0 → 1 in total at the most replicas (models/llm/chat.yaml:4:9)",
        "! accelerators-raised: llm/chat: accelerator count raised: nvidia.com/gpu 0 → 1 per "
        "pod, 0 → 3 in total at the most replicas (models/llm/chat.yaml:4:9)"]


def test_the_readme_ci_steps_are_yaml_and_call_real_options() -> None:
    import re

    import yaml

    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Pull requests: `inferc diff`")[1].split("\n## ")[0]
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section, re.S)]
    assert [set(b) for b in blocks] == [{"name", True, "permissions", "jobs"},
                                        {"inferc-diff"}]  # YAML 1.1 reads `on` as True
    from compiler.cli import diff as command

    known = {option for param in command.params for option in param.opts}
    calls = re.findall(r"inferc diff (--[^>\n]*)", section)
    assert len(calls) >= 3
    for call in calls:
        assert {w for w in call.split() if w.startswith("--")} <= known, call
