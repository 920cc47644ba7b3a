"""Time inferc against kustomize on synthetic config repos.

    python benchmarks/run.py --models 100 [--models 1000] [--namespaces 10] [--keep DIR]

For each N, a repo of N models over M namespaces and three environments is
generated (benchmarks/generate.py; not timed), then, in this one run and on the
same repo, four commands are timed by wall clock around ``subprocess.run`` —
so interpreter start-up and imports count, as they do for a user. As for a user
whose pip installed inferc, the project's modules are byte-compiled first and the
children run without ``PYTHONDONTWRITEBYTECODE`` (some shells export it; then every
run would recompile the project, about 0.1 s that no installed inferc pays):

  build      inferc build REPO -o OUT          (3 environments, incl. verification)
  render     inferc render REPO --env prod     (stdout to a file, not a pipe)
  check      inferc check REPO/models/NS/X.yaml  (one file, as the pre-commit hook runs)
  kustomize  kubectl kustomize OUT/overlays/prod (stdout to a file)

Each is run several times and the best time is kept (a noisy neighbour only
ever makes a run slower). Outputs are checked before any figure is printed:
every command must exit 0, render must print 2 objects per KServe model (a
ServingRuntime and an InferenceService) and 5 per llm-d model (the
LLMInferenceService and its default token's ServiceAccount, Role, RoleBinding and
Secret), and so must kustomize; a warning is
printed if render's objects differ from kustomize's (compared untimed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_repo  # benchmarks/ is not a package

# Targets, all at N=1000 except check, which must be fast at any size.
TARGET_N = 1000
RENDER_SPEEDUP = 50.0  # kustomize time / render time, at least
BUILD_MAX_S = 3.0
CHECK_MAX_S = 0.3

_KIND = re.compile(r"^kind:\s*(\S+)\s*$", re.MULTILINE)
_SEPARATOR = re.compile(r"^---\s*$", re.MULTILINE)


class BenchmarkError(SystemExit):
    """Abort: an output is not what it should be, so the figures would mean nothing."""

    def __init__(self, message: str) -> None:
        super().__init__(f"run.py: error: {message}")


@dataclass
class Timing:
    name: str
    times: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.times)


@dataclass
class Result:
    n: int
    namespaces: int
    objects: int
    same: bool | None  # render's objects == kustomize's (None: PyYAML missing)
    build: Timing
    render: Timing
    check: Timing
    kustomize: Timing

    def as_json(self) -> dict[str, Any]:
        timings = (self.build, self.render, self.check, self.kustomize)
        return {"n": self.n, "namespaces": self.namespaces, "objects": self.objects,
                "same_as_kustomize": self.same, **{t.name: t.best for t in timings},
                "runs": {t.name: t.times for t in timings}}


def inferc_command() -> list[str]:
    """The inferc next to the running python, else ``python -m compiler``."""
    exe = Path(sys.executable).parent / ("inferc.exe" if os.name == "nt" else "inferc")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "compiler"]


def compile_project() -> None:
    """Write the .pyc files an installed inferc has (compileall writes them even where
    PYTHONDONTWRITEBYTECODE is set), so no timed run pays for compiling."""
    import compileall

    import compiler

    compileall.compile_dir(str(Path(compiler.__file__).parent), quiet=1)


# the environment every timed child runs in: bytecode is read, never recompiled
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(name: str, cmd: list[str], repeats: int, stdout_file: Path | None = None,
          cwd: Path | None = None) -> tuple[Timing, str]:
    """Run CMD REPEATS times; abort on a non-zero exit. Returns timings and last stdout."""
    timing = Timing(name)
    text = ""
    for _ in range(repeats):
        if stdout_file is not None:
            with open(stdout_file, "wb") as out:
                start = time.perf_counter()
                proc = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, cwd=cwd,
                                      env=CHILD_ENV)
                elapsed = time.perf_counter() - start
        else:
            start = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, cwd=cwd, env=CHILD_ENV)
            elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            tail = proc.stderr.decode(errors="replace").strip().splitlines()[-15:]
            raise BenchmarkError(
                f"{name} failed with exit code {proc.returncode}: {' '.join(cmd)}\n  "
                + "\n  ".join(tail or ["(no stderr)"]))
        timing.times.append(elapsed)
    if stdout_file is not None:
        text = stdout_file.read_text(encoding="utf-8", errors="replace")
    else:
        text = proc.stdout.decode(errors="replace")
    return timing, text


def count_objects(stream: str) -> tuple[int, dict[str, int]]:
    """Documents in a YAML stream (by top-level ``kind:`` lines) and how many of each kind."""
    kinds: dict[str, int] = {}
    for kind in _KIND.findall(stream):
        kinds[kind] = kinds.get(kind, 0) + 1
    return sum(kinds.values()), kinds


def expected_kinds(n: int, llmd: int) -> dict[str, int]:
    """KServe: ServingRuntime + InferenceService; llm-d: the LLMInferenceService and the
    token-auth objects of its default token (llm-d models have auth on by default)."""
    want = {"InferenceService": n - llmd, "ServingRuntime": n - llmd}
    if llmd:
        want.update({k: llmd for k in ("LLMInferenceService", "ServiceAccount", "Role",
                                        "RoleBinding", "Secret")})
    return want


def expect_objects(what: str, stream: str, n: int, llmd: int) -> int:
    total, kinds = count_objects(stream)
    separators = len(_SEPARATOR.findall(stream))
    want = expected_kinds(n, llmd)
    if kinds != want:
        raise BenchmarkError(f"{what} printed {total} objects {kinds}; expected "
                             f"{sum(want.values())}: {want}")
    if separators not in (total - 1, total):  # with or without a leading '---'
        raise BenchmarkError(f"{what} printed {total} objects but {separators} '---' separators")
    return total


def same_objects(render: str, kustomize: str) -> bool | None:
    """Do render and kustomize give the same objects? None when PyYAML is missing. Untimed."""
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        return None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def objects(stream: str) -> dict[tuple[str, str, str], object]:
        docs = [d for d in yaml.load_all(stream, Loader=loader) if d]
        return {(d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]): d
                for d in docs}

    return objects(render) == objects(kustomize)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")


def tool_version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return " ".join(out.stdout.split()) or "unknown"


def bench_one(n: int, m: int, workdir: Path, repeats: dict[str, int], inferc: list[str],
              kubectl: str, seed: int) -> Result:
    repo, out = workdir / "repo", workdir / "out"
    write_repo(repo, n, m, seed, force=True)
    if out.exists():
        shutil.rmtree(out)
    one = sorted((repo / "models").glob("*/*.yaml"))[0]
    llmd = sum("runtime: llm-d" in p.read_text() for p in (repo / "models").glob("*/*.yaml"))
    render_file, kustomize_file = workdir / "render.yaml", workdir / "kustomize.yaml"
    print(f"N={n}: repo {repo} ({m} namespaces); timing build ×{repeats['build']}, "
          f"render ×{repeats['render']}, check ×{repeats['check']}, "
          f"kustomize ×{repeats['kustomize']} …", file=sys.stderr, flush=True)

    build, _ = timed("build", inferc + ["build", str(repo), "-o", str(out)],
                     repeats["build"])
    if not (out / "overlays" / "prod").is_dir():
        raise BenchmarkError(f"inferc build exited 0 but wrote no {out}/overlays/prod")
    render, stream = timed("render", inferc + ["render", str(repo), "--env", "prod"],
                           repeats["render"], stdout_file=render_file)
    rendered = expect_objects("inferc render --env prod", stream, n, llmd)
    check, _ = timed("check", inferc + ["check", str(one)], repeats["check"])
    kustomize, kstream = timed("kustomize",
                               [kubectl, "kustomize", str(out / "overlays" / "prod")],
                               repeats["kustomize"], stdout_file=kustomize_file)
    expect_objects("kubectl kustomize overlays/prod", kstream, n, llmd)
    return Result(n, m, rendered, same_objects(stream, kstream), build, render, check, kustomize)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(results: list[Result]) -> str:
    head = (f"{'N':>6} {'objects':>7} {'build s':>8} {'render s':>9} {'check s':>8} "
            f"{'kustomize s':>11} {'kust/render':>11} {'kust/build':>10}")
    lines = [head, "-" * len(head)]
    for r in results:
        build, render, check, kust = r.build.best, r.render.best, r.check.best, r.kustomize.best
        lines.append(f"{r.n:>6} {r.objects:>7} {build:>8.3f} {render:>9.3f} {check:>8.3f} "
                     f"{kust:>11.3f} {kust / render:>10.2f}× {kust / build:>9.2f}×")
    for r in results:
        if r.same is False:
            lines.append(f"WARNING: at N={r.n} inferc render and kubectl kustomize give "
                         f"different objects (kept with --keep for a diff)")
    lines += ["", "Targets:"]
    at_target = [r for r in results if r.n == TARGET_N]
    for r in at_target:
        ratio = r.kustomize.best / r.render.best
        lines.append(f"  render ≥ {RENDER_SPEEDUP:.0f}× faster than kustomize at N={TARGET_N}: "
                     f"{ratio:.2f}× — {verdict(ratio >= RENDER_SPEEDUP)}")
        lines.append(f"  build ≤ {BUILD_MAX_S:g} s at N={TARGET_N}: {r.build.best:.3f} s — "
                     f"{verdict(r.build.best <= BUILD_MAX_S)}")
    if not at_target:
        lines.append(f"  render and build targets are for N={TARGET_N}: add --models {TARGET_N}")
    for r in results:
        lines.append(f"  check ≤ {CHECK_MAX_S:g} s (N={r.n}): {r.check.best:.3f} s — "
                     f"{verdict(r.check.best <= CHECK_MAX_S)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, action="append",
                        help="repo size N; repeat for several (default: 100)")
    parser.add_argument("--namespaces", type=int, default=10, help="namespaces M (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep the repos and outputs under DIR/n<N>/ instead of a temp dir")
    parser.add_argument("--repeat-build", type=int, default=3, metavar="K")
    parser.add_argument("--repeat-render", type=int, default=3, metavar="K")
    parser.add_argument("--repeat-check", type=int, default=5, metavar="K")
    parser.add_argument("--repeat-kustomize", type=int, metavar="K",
                        help="default: 1 for N ≥ 1000, 3 below")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write results as JSON")
    args = parser.parse_args(argv)
    sizes = args.models or [100]
    if any(n < 1 for n in sizes) or args.namespaces < 1:
        parser.error("--models and --namespaces must be at least 1")
    for name in ("build", "render", "check", "kustomize"):
        value = getattr(args, f"repeat_{name}")
        if value is not None and value < 1:
            parser.error(f"--repeat-{name} must be at least 1")

    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise BenchmarkError("kubectl is not on PATH; it is needed for the kustomize baseline")
    inferc = inferc_command()
    compile_project()
    print(f"machine: {machine()}", file=sys.stderr)
    print(f"inferc:  {' '.join(inferc)} ({tool_version(inferc + ['--version'])})",
          file=sys.stderr)
    print(f"kubectl: {kubectl} ({tool_version([kubectl, 'version', '--client'])})",
          file=sys.stderr)

    results = []
    for n in sizes:
        m = min(args.namespaces, n)
        repeats = {"build": args.repeat_build, "render": args.repeat_render,
                   "check": args.repeat_check,
                   "kustomize": args.repeat_kustomize or (1 if n >= 1000 else 3)}
        if args.keep is not None:
            workdir = args.keep / f"n{n}"
            workdir.mkdir(parents=True, exist_ok=True)
            results.append(bench_one(n, m, workdir, repeats, inferc, kubectl, args.seed))
        else:
            with tempfile.TemporaryDirectory(prefix=f"inferc-bench-{n}-") as tmp:
                results.append(bench_one(n, m, Path(tmp), repeats, inferc, kubectl, args.seed))

    print()
    print(f"inferc benchmark, {dt.date.today().isoformat()}, {machine()}")
    print("best wall-clock seconds per command, interpreter start-up included "
          "(project byte-compiled, as installed)\n")
    print(report(results))
    if args.json is not None:
        args.json.write_text(json.dumps({"date": dt.date.today().isoformat(),
                                         "machine": machine(),
                                         "results": [r.as_json() for r in results]},
                                        indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
