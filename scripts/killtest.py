"""Kill builds at random points and check that nothing is ever lost or mixed (not in CI).

    python scripts/killtest.py [--kills 100] [--models 1000] [--seed 1] [--work DIR]

Generates a config repo (benchmarks/generate.py), then alternates it between two
versions A and B (prod replicas 3 or 4, which changes every prod overlay) and
builds each into one output folder, SIGKILLing the build:

* at a random time during the build (most kills), and
* at chosen points, by running the build under a wrapper that SIGKILLs its own
  process from inside ``os.rename``/``os.open``/``shutil.rmtree``: between the two
  renames of the swap, after the second one, while staging files, while deleting
  the old tree, and in each phase of the in-place swap used for mount points.

After every kill the output folder must be exactly the tree of A or of B (or, if
the kill fell between the two renames, absent with the old tree parked beside
it); then recovery (what the next build does first) must leave exactly A or B
and no leftovers. Prints one line per kill and a summary; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESERVED = {".inferc-output", ".inferc-new", ".inferc-old", ".inferc-swap", ".inferc-lock"}

# Runs one build in a child process and SIGKILLs it at the point named by argv[1]:
# "<function>:<n>" kills on the n-th call of that function (after it returned for
# rename, before it runs for the others); "mount:" prefixes make OUT a mount point.
WRAPPER = r'''
import os, shutil, signal, sys
point = sys.argv[1]
mount = point.startswith("mount:")
point = point.removeprefix("mount:")
name, _, count = point.partition(":")
count = int(count or 0)
calls = {"n": 0}
def die():
    os.kill(os.getpid(), signal.SIGKILL)
def hit():
    calls["n"] += 1
    return calls["n"] == count
import builtins
real_rename, real_open, real_link, real_rmtree = os.rename, builtins.open, os.link, shutil.rmtree
def rename(src, dst, *a, **k):
    real_rename(src, dst, *a, **k)
    if name == "rename" and hit():
        die()
def opener(path, mode="r", *a, **k):
    if name == "write" and "w" in mode and hit():
        die()
    return real_open(path, mode, *a, **k)
def link(src, dst, *a, **k):
    if name == "write" and hit():
        die()
    return real_link(src, dst, *a, **k)
def rmtree(path, *a, **k):
    if name == "rmtree" and hit():
        entries = sorted(os.listdir(path))
        if entries:  # delete part of the tree, then die
            real_rmtree(os.path.join(path, entries[0]), ignore_errors=True)
        die()
    return real_rmtree(path, *a, **k)
os.rename, builtins.open, os.link, shutil.rmtree = rename, opener, link, rmtree
if mount:
    import os.path
    out = os.path.abspath(sys.argv[sys.argv.index("-o") + 1])
    real_ismount = os.path.ismount
    os.path.ismount = lambda p: os.path.abspath(p) == out or real_ismount(p)
sys.argv = ["inferc"] + sys.argv[2:]
from compiler.cli import main
main()
'''

# Chosen points (beside swap): after rename 1 = between the two renames (OUT is gone);
# rename 2 = new tree in place, old one not yet deleted; write:N = while staging;
# rmtree:1 = while deleting the old tree. Mount-point swap: each rename moves one
# entry, so rename:1 is half-way through retiring, rename:3 half-way through installing.
POINTS = ["rename:1", "rename:2", "write:1", "write:500", "write:5000", "rmtree:1",
          "mount:rename:1", "mount:rename:2", "mount:rename:3", "mount:write:3000",
          "mount:rmtree:1", "mount:rename:5"]


def tree_hash(folder: Path) -> str | None:
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    for parent, dirs, files in os.walk(folder):
        here = Path(parent)
        if here == folder:
            dirs[:] = [d for d in dirs if d not in RESERVED]
        dirs.sort()
        for name in sorted(files):
            if here == folder and (name in RESERVED or name.startswith(".inferc-")):
                continue
            path = here / name
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def leftovers(out: Path) -> list[str]:
    beside = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    inside = [n for n in (".inferc-new", ".inferc-old", ".inferc-swap")
              if (out / n).exists()] if out.is_dir() else []
    return sorted(beside + inside)


def set_version(repo: Path, version: str) -> None:
    env = repo / "environments" / "prod.yaml"
    text = env.read_text()
    want = "replicas: 4" if version == "B" else "replicas: 3"
    text = text.replace("replicas: 3", want).replace("replicas: 4", want)
    env.write_text(text)


def build(repo: Path, out: Path, point: str | None = None) -> subprocess.Popen[bytes]:
    command = ([sys.executable, "-c", WRAPPER, point] if point else
               [sys.executable, "-m", "compiler"]) + ["build", str(repo), "-o", str(out)]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def recover(out: Path) -> list[str]:
    code = ("import sys, json; from pathlib import Path; from compiler import emit; "
            "out = Path(sys.argv[1]);\n"
            "with emit._locked(out): print(json.dumps(emit.recover(out)))")
    proc = subprocess.run([sys.executable, "-c", code, str(out)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return list(json.loads(proc.stdout))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = args.work or Path(tempfile.mkdtemp(prefix="inferc-killtest-"))
    repo, out = work / "repo", work / "out"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(repo),
                    "--models", str(args.models), "--namespaces", "10", "--force"],
                   check=True, stdout=subprocess.DEVNULL)
    expected: dict[str, str | None] = {}
    durations = []
    for version in ("A", "B"):
        set_version(repo, version)
        shutil.rmtree(out, ignore_errors=True)
        started = time.monotonic()
        proc = build(repo, out)
        _, err = proc.communicate()
        assert proc.returncode == 0, err.decode()
        durations.append(time.monotonic() - started)
        expected[version] = tree_hash(out)
    assert expected["A"] != expected["B"]
    by_hash = {h: v for v, h in expected.items()}
    span = max(durations)
    print(f"repo: {args.models} models; build takes {span:.1f}s; trees A and B differ")
    current = "B"
    outcomes: Counter[str] = Counter()
    failures = 0
    for kill in range(1, args.kills + 1):
        target = "A" if current == "B" else "B"
        set_version(repo, target)
        targeted = kill % 3 == 0
        point = POINTS[(kill // 3 - 1) % len(POINTS)] if targeted else None
        proc = build(repo, out, point)
        if point is None:
            delay = rng.uniform(0.1, span * 1.2)
            time.sleep(delay)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            where = f"at {delay:.2f}s"
        else:
            where = f"at {point}"
        proc.wait()
        status = "killed" if proc.returncode == -signal.SIGKILL else f"exit {proc.returncode}"
        seen = tree_hash(out)
        state = by_hash.get(seen, "missing" if seen is None else "MIXED")
        parked = leftovers(out)
        ok = state in ("A", "B") or (state == "missing" and any(".old-" in p for p in parked))
        actions = recover(out)
        after = by_hash.get(tree_hash(out), "MIXED")
        remaining = leftovers(out)
        ok = ok and after in ("A", "B") and not remaining and state != "MIXED"
        if state == "missing":  # an interrupted swap is rolled back to the old tree
            ok = ok and after == current
        failures += not ok
        outcomes[f"{status}, left {state}, recovered to {'new' if after == target else 'old'}"] += 1
        print(f"kill {kill:3d} {where:>20}: {status:>7}; output {state:7}; "
              f"leftovers {len(parked)}; recovery: {'; '.join(actions) or 'nothing to do'}; "
              f"now {after}{'' if ok else '  <-- FAILURE'}")
        current = after
    print("\nsummary:")
    for outcome, count in sorted(outcomes.items()):
        print(f"  {count:4d}  {outcome}")
    print(f"{args.kills} kills, {failures} failures")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
