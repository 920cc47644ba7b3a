"""Property-based fuzzing of check, render, build and verify, in-process.

Invariant for every command on every input: exit 0; or exit 1 with located
diagnostics (``file:line:col: severity: path: message [rule]``); or exit 2 with
one ``inferc: error:`` line. Never an exception (an exit 3 in the real CLI),
never a raw control character in what inferc prints, and never exit 0 from
``check`` for a repo that ``render`` or ``build`` rejects.

Budget: the default profile runs a few thousand documents, derandomized, so CI
stays fast and stable. ``INFERC_FUZZ=long`` (or ``INFERC_FUZZ=<number>``, the
examples per test) runs far more with fresh randomness; the counts are printed
at the end of the session (``-s``) and written to ``$INFERC_FUZZ_REPORT`` if set.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE, ROOT, Run, run_cli
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from compiler import pipeline
from compiler.validate import default_validator

_PROFILE = os.environ.get("INFERC_FUZZ", "ci")
# Examples per test: 60 in CI (about 2,000 documents in all), 3,000 in the long
# profile (over 100,000 documents), or the number given.
_BASE = {"ci": 60, "long": 3000}.get(_PROFILE) or int(_PROFILE)


def _budget(weight: float = 1.0) -> settings:
    return settings(
        max_examples=max(1, int(_BASE * weight)), deadline=None, database=None,
        derandomize=_PROFILE == "ci", print_blob=True,
        # Shrinking a failure of a whole-repo property can take many minutes; the
        # drawn bytes are printed either way. INFERC_FUZZ_SHRINK=1 turns it back on.
        phases=[p for p in Phase if p is not Phase.shrink or os.environ.get("INFERC_FUZZ_SHRINK")],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much, HealthCheck.large_base_example])


BATCH = 20  # documents per run in the batch tests: many documents, one repo load

STATS: Counter[str] = Counter()

_LOCATED = re.compile(r"^.+:\d+:\d+: (error|warning): .*\[[A-Za-z0-9][A-Za-z0-9._\-]*\]$")
_SUMMARY = re.compile(r"^\d+ errors?(, \d+ warnings?)? in \d+ files?$")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")

# Plain scalars and fragments that reached crashes or bypasses before (issue 9),
# plus YAML's own traps.
HOSTILE = [
    "=", "<<", "0b101", "+0b1", "0b_", "0o_", "0x_", "0x1F", "0o17", "0777", "1_000",
    "1" * 4301, "9223372036854775808", "-9223372036854775809", "1e999999999",
    '"1e999999999"', '"99999Ei"', '"10000E"', "2.0", "1e3", ".inf", "-.inf", ".nan", "~",
    "null", "yes", "no", "on", "off", "y", "n", "'x\\n'", '"x\\n"', '"risk-models\\n"',
    '"x\\n::add-mask::secret"', '"\\e[31m"', '"\\u0085"', '"\\u2028"', "../../etc",
    "/etc/passwd", "*a", "&a x", "!!binary aGk=", "!!python/object:os.system x",
    "!custom x", "{", "[", "]", "}", "- ", "? ", ": ", "#", "%YAML 1.1", "---", "...",
    "|", ">", "'", '"', "@", "`", "\t", "\ufeff", "a" * 300, "[" * 100, "{a: " * 70,
    "- " * 70, "[1, 2, 3]", "{}", "[]", "''", "2000-01-01", "12:30:00", "0.", ".5",
    "+1", "-0", "1e18", "9e18", '"4Gi"', '"1500m"', "-1", "0", "100000000", "auto",
    "RollingUpdate", "Recreate", "generative", "predictive", "nvidia-gpu", "llm-d",
]

_KEYS = ["apiVersion", "kind", "metadata", "name", "namespace", "spec", "replicas",
         "resources", "requests", "limits", "cpu", "memory", "nvidia.com/gpu", "storage",
         "uri", "connection", "runtime", "hardwareProfile", "modelType", "modelFormat",
         "strategy", "type", "maxSurge", "quotas", "defaults", "overrides", "platform",
         "version", "access", "external", "tokens", "public", "env", "args", "scaling",
         "minReplicas", "maxReplicas", "output", "baseEnvironment", "identifiers",
         "identifier", "minCount", "maxCount", "defaultCount", "servingRuntime", "<<", "=",
         "team/chat", "fraud/scorer", "llm/granite-8b", "x\ny", ""]

_SCALARS = st.one_of(
    st.integers(min_value=-(1 << 70), max_value=1 << 70),
    st.integers(min_value=-3, max_value=10),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.text(alphabet="\x00\x01\n\r\t\x1b\x7f\x85\u2028 -:.aZ9/%{}[]#&*!|>'\"@`~=<",
            max_size=16),
    st.sampled_from(_KEYS),
    st.booleans(), st.none())
# Values a spec might really hold: mutations with these often stay valid, which is
# what exercises "check passes, so render and build must pass too".
_PLAUSIBLE_VALUES: list[Any] = [
    0, 1, 2, 3, 8, 100, "1", "2", "0.5", "500m", "2Gi", "24Gi", "64Gi", "1Ti", 1.5, True, False,
    "RollingUpdate", "Recreate", "25%", "100%", "0", "auto", "nvidia-gpu", "default-profile",
    "small-cpu", "triton-runtime", "vllm-cuda-runtime", "generative", "predictive", "xgboost",
    "onnx", "sklearn", "s3://bucket/models/m", "hf://org/model", "oci://quay.io/org/m:1",
    "pvc://claim/path", "https://example.com/model.bin", "risk-models", "default-name",
    "dev", "prod", "staging", "team", "llm", "fraud", "--max-model-len=4096", "INFO",
    {"cpu": "2", "memory": "8Gi"}, {"type": "Recreate"}, {"external": True, "public": True},
    {"external": True, "tokens": ["a"]}, ["x"], [], {}, None]
# Copied on every draw: a later mutation changes the drawn dict in place, and a
# shared one would make the strategy depend on earlier examples.
_PLAUSIBLE = st.sampled_from(_PLAUSIBLE_VALUES).map(copy.deepcopy)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(_KEYS) | st.text(max_size=8), inner, max_size=3),
    max_leaves=6)


# --- the repo under test -----------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _seed() -> Path:
    """A valid repo with every kind of input: models of several kinds, two
    environments, repo presets (a hardware profile and a runtime template)."""
    folder = Path(tempfile.mkdtemp(prefix="inferc-fuzz-seed-"))
    shutil.copytree(ROOT / "tests" / "cases" / "golden" / "repo-presets" / "repo", folder / "r")
    shutil.copytree(EXAMPLE / "models", folder / "r" / "models", dirs_exist_ok=True)
    return folder / "r"


def _inputs(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.yaml"))


@pytest.fixture(scope="module")
def work() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="inferc-fuzz-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def _shared_validators() -> Iterator[None]:
    """Build schema validators once per module, not per command: they are stateless, and
    rebuilding them is most of the time of a small run (not what is being tested)."""
    mp = pytest.MonkeyPatch()
    validator = default_validator()
    mp.setattr(pipeline, "default_validator", lambda: validator)
    verifiers: dict[str, Any] = {}
    if hasattr(pipeline, "_verifier"):
        real = pipeline._verifier

        def cached(env: Any) -> Any:
            key = repr(getattr(env, "release", None)) + repr(getattr(env, "crd_set", None))
            if key not in verifiers:
                verifiers[key] = real(env)
            return verifiers[key]

        mp.setattr(pipeline, "_verifier", cached)
    # Built-in hardware profiles need no sharing: compiler.presets reads them once per process.
    yield
    mp.undo()


def _fresh(work: Path) -> Path:
    target = work / "repo"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(_seed(), target)
    return target


# --- invariants --------------------------------------------------------------------------


def _run(command: str, *args: str | os.PathLike[str], cwd: Path) -> Run:
    result = run_cli(command, *args, cwd=cwd)  # an exception fails the example
    STATS[f"{command} exit {result.exit_code}"] += 1
    STATS["runs"] += 1
    if STATS["runs"] % 500 == 0:  # a long run can be read while it goes
        _write_report()
    assert result.exit_code in (0, 1, 2), (command, result)
    report = result.stdout if command in ("check", "verify") else result.stderr
    if result.exit_code == 2:
        assert result.stderr.startswith("inferc: error: "), result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
    elif result.exit_code == 1:
        lines = [line for line in report.splitlines() if not line.startswith("  hint: ")]
        located = [line for line in lines if _LOCATED.match(line)]
        assert located, (command, report)
        odd = [line for line in lines if not (_LOCATED.match(line) or _SUMMARY.match(line)
                                              or line.startswith("would "))]
        assert not odd, (command, odd)
    printed = result.stderr + (result.stdout if command != "render" else "")
    assert not _CONTROL.search(printed), (command, printed)
    return result


def _consistent(root: Path, work: Path, *, build: bool) -> None:
    """check, render and build agree: check never passes what render or build rejects."""
    checked = _run("check", cwd=root)
    rendered = {env: _run("render", "--env", env, cwd=root) for env in ("prod", "staging")}
    if checked.exit_code == 0:
        for env, result in rendered.items():
            assert result.exit_code == 0, (env, result)
    for result in rendered.values():
        if result.exit_code == 1:
            assert checked.exit_code == 1, "render rejects what check accepts"
    if build or checked.exit_code == 0:
        out = work / "out"
        built = _run("build", "-o", out, cwd=root)
        if checked.exit_code == 0:
            assert built.exit_code == 0, built
            assert _run("build", "--check", "-o", out, cwd=root).exit_code == 0
        elif built.exit_code == 1:
            assert checked.exit_code == 1
    STATS["documents"] += 1


# --- mutations ---------------------------------------------------------------------------


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += _paths(value, (*prefix, index))
    return out


def _mutate_data(draw: Callable[..., Any], data: Any) -> Any:
    """Replace, delete or add one value somewhere in ``data``."""
    paths = _paths(data)
    path = draw(st.sampled_from(paths))
    op = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
    if not path:
        return draw(_VALUES) if op == "replace" else data
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if op == "replace":
        parent[last] = draw(st.one_of(_PLAUSIBLE, _PLAUSIBLE, _VALUES))
    elif op == "delete":
        del parent[last]
    elif isinstance(parent[last], dict):
        parent[last][draw(st.sampled_from(_KEYS))] = draw(_VALUES)
    elif isinstance(parent[last], list):
        parent[last].append(draw(_VALUES))
    else:
        parent[last] = draw(_VALUES)
    return data


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1 << 16)


@st.composite
def structured(draw: st.DrawFn, text: str) -> bytes:
    """The document, parsed, changed one to three times, and written back."""
    data = yaml.safe_load(text)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        data = _mutate_data(draw, data)
    return _dump(data).encode("utf-8")


@st.composite
def textual(draw: st.DrawFn, text: str) -> bytes:
    """The document's text with a line's value, a line or some bytes changed."""
    lines = text.splitlines(keepends=True) or ["\n"]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        op = draw(st.sampled_from(["value", "value", "insert", "delete", "indent", "dup"]))
        line = lines[index]
        if op == "value" and ":" in line:
            head = line.split(":", 1)[0]
            lines[index] = f"{head}: {draw(st.sampled_from(HOSTILE))}\n"
        elif op == "insert":
            indent = " " * draw(st.sampled_from([0, 2, 4, 6]))
            key = draw(st.sampled_from(_KEYS))
            lines.insert(index, f"{indent}{key}: {draw(st.sampled_from(HOSTILE))}\n")
        elif op == "delete" and len(lines) > 1:
            del lines[index]
        elif op == "indent":
            lines[index] = " " * draw(st.integers(min_value=0, max_value=3)) + line
        else:
            lines.insert(index, line)
    raw = "".join(lines).encode("utf-8")
    if draw(st.integers(min_value=0, max_value=9)) == 0:  # now and then, raw bytes
        at = draw(st.integers(min_value=0, max_value=len(raw)))
        raw = raw[:at] + draw(st.binary(max_size=8)) + raw[at:]
    return raw


@st.composite
def mutated(draw: st.DrawFn, text: str) -> bytes:
    return draw(st.one_of(structured(text), textual(text)))


# --- the properties ----------------------------------------------------------------------


@_budget()
@given(data=st.data())
def test_one_mutated_input_keeps_check_render_and_build_consistent(
        work: Path, data: st.DataObject) -> None:
    root = _fresh(work)
    rel = data.draw(st.sampled_from(_inputs(root)), label="file")
    raw = data.draw(mutated((root / rel).read_text(encoding="utf-8")), label="bytes")
    (root / rel).write_bytes(raw)
    _consistent(root, work, build=data.draw(st.integers(0, 7), label="build") == 0)


@_budget()
@given(data=st.data())
def test_plausible_changes_keep_check_render_and_build_consistent(
        work: Path, data: st.DataObject) -> None:
    """Small, believable edits under ``spec``: many stay valid, so this is where a
    check that passes what render or build rejects would show."""
    root = _fresh(work)
    rel = data.draw(st.sampled_from(_inputs(root)), label="file")
    doc = yaml.safe_load((root / rel).read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 2), label="edits")):
        leaves = [p for p in _paths(doc.get("spec", {}), ("spec",)) if len(p) > 1]
        if not leaves:
            break
        path = data.draw(st.sampled_from(leaves), label="path")
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        old = parent[path[-1]]
        same = [v for v in _PLAUSIBLE_VALUES if type(v) is type(old)] or _PLAUSIBLE_VALUES
        parent[path[-1]] = copy.deepcopy(data.draw(st.sampled_from(same), label="value"))
    (root / rel).write_text(_dump(doc), encoding="utf-8")
    _consistent(root, work, build=True)


@_budget(1.5)
@given(data=st.data())
def test_many_mutated_specs_at_once_are_all_reported(work: Path, data: st.DataObject) -> None:
    root = _fresh(work)
    seeds = sorted((root / "models").rglob("*.yaml"))
    written = []
    for index in range(BATCH):
        seed = data.draw(st.sampled_from(seeds), label="seed")
        raw = data.draw(mutated(seed.read_text(encoding="utf-8")), label="bytes")
        target = seed.parent / f"fuzz{index}.yaml"
        target.write_bytes(raw)
        written.append(target)
    result = _run("check", cwd=root)
    STATS["documents"] += BATCH
    # Every mutated file is either a valid model somewhere else or reported.
    assert result.exit_code == 1  # file names never match metadata.name: always an error
    for target in written:
        assert f"{target.relative_to(root).as_posix()}:" in result.stdout, target


@_budget()
@given(data=st.data())
def test_raw_bytes_anywhere_in_the_repo(work: Path, data: st.DataObject) -> None:
    root = _fresh(work)
    rel = data.draw(st.sampled_from(_inputs(root)), label="file")
    raw = data.draw(st.one_of(
        st.binary(max_size=200),
        st.text(alphabet="[]{}-?:,#&*!|>'\"%@` \n\tab0", max_size=200).map(str.encode)),
        label="bytes")
    (root / rel).write_bytes(raw)
    _consistent(root, work, build=False)


@_budget()
@given(data=st.data())
def test_whole_environments_and_presets_are_fuzzed(work: Path, data: st.DataObject) -> None:
    root = _fresh(work)
    kind = data.draw(st.sampled_from(["Environment", "HardwareProfile", "RuntimeTemplate",
                                      "Repository", "ModelDeployment"]), label="kind")
    doc = {"apiVersion": "inferc.dev/v1alpha1", "kind": kind,
           "metadata": data.draw(_VALUES, label="metadata"),
           "spec": data.draw(_VALUES, label="spec")}
    target = {"Environment": "environments/prod.yaml", "Repository": "inferc.yaml",
              "HardwareProfile": "presets/hardware-profiles/small-cpu.yaml",
              "RuntimeTemplate": "presets/runtimes/triton.yaml",
              "ModelDeployment": "models/fraud/scorer.yaml"}[kind]
    (root / target).write_text(_dump(doc), encoding="utf-8")
    _consistent(root, work, build=False)


@functools.lru_cache(maxsize=1)
def _manifests() -> str:
    result = run_cli("render", "--env", "prod", cwd=_seed())
    assert result.exit_code == 0, result.stderr
    return result.stdout


@_budget()
@given(data=st.data())
def test_verify_of_corrupted_manifests(work: Path, data: st.DataObject) -> None:
    docs = list(yaml.safe_load_all(_manifests()))
    how = data.draw(st.sampled_from(["structured", "textual", "bytes"]), label="how")
    if how == "structured":
        index = data.draw(st.integers(0, len(docs) - 1), label="object")
        for _ in range(data.draw(st.integers(1, 3), label="n")):
            docs[index] = _mutate_data(data.draw, docs[index])
        raw = yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True).encode()
    elif how == "textual":
        raw = data.draw(textual(_manifests()), label="bytes")
    else:
        raw = data.draw(st.binary(max_size=300), label="bytes")
    target = work / "manifests.yaml"
    target.write_bytes(raw)
    crd_set = data.draw(st.sampled_from(["upstream", "rhoai-3.3", "rhoai-3.5", "nonsense"]),
                        label="platform")
    result = _run("verify", target, "--platform", crd_set, cwd=work)
    STATS["documents"] += 1
    if crd_set == "nonsense":
        assert result.exit_code == 2


def test_fuzz_seed_repo_is_valid() -> None:
    """The properties above mean something only if the unmutated seed passes."""
    assert run_cli("check", cwd=_seed()).exit_code == 0
    assert _manifests()


def _write_report() -> None:
    target = os.environ.get("INFERC_FUZZ_REPORT")
    if target:
        summary = {"profile": _PROFILE, **dict(sorted(STATS.items()))}
        Path(target).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="session", autouse=True)
def _report() -> Iterator[None]:
    yield
    if STATS:
        print("\nfuzz:", json.dumps({"profile": _PROFILE, **dict(sorted(STATS.items()))}))
        _write_report()
