"""Argo CD at scale: one whole-environment ``kubectl kustomize`` against per-namespace
builds, and ``inferc render`` under the Config Management Plugin contract.

    python benchmarks/argocd.py [--models 1000] [--namespaces 10] [--env prod] [--keep DIR]

On a repo from ``generate.py``: ``inferc build``, then, wall clock, best of one run each
(a busy neighbour only makes a run slower):

* ``kubectl kustomize overlays/<env>`` — what an Application on the committed tree runs;
* one ``kubectl kustomize`` per namespace (a kustomization listing that namespace's
  model overlays, written beside the tree) — what per-namespace Applications run; the
  sum is the repo-server's total work, the maximum is the longest single Application;
* ``inferc render`` as the plugin runs it: in the source path, with the build environment
  and ``ARGOCD_ENV_INFERC_ENVIRONMENT`` (and ``_NAMESPACE`` for the per-namespace runs).

Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import namespaces, write_repo


def inferc() -> list[str]:
    exe = Path(sys.executable).parent / "inferc"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "compiler"]


def timed(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
          ) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def plugin_env(environment: str, namespace: str | None = None) -> dict[str, str]:
    env = {"PATH": os.environ["PATH"], "HOME": tempfile.mkdtemp(),
           "ARGOCD_APP_NAME": f"inferc-{environment}", "ARGOCD_APP_SOURCE_PATH": ".",
           "ARGOCD_APP_REVISION": "0" * 40, "KUBE_VERSION": "1.31.0",
           "ARGOCD_ENV_INFERC_ENVIRONMENT": environment}
    if namespace is not None:
        env["ARGOCD_ENV_INFERC_NAMESPACE"] = namespace
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--namespaces", type=int, default=10)
    parser.add_argument("--env", default="prod")
    parser.add_argument("--keep", type=Path, help="keep the repo and tree here")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="inferc-argocd-bench-"))
    repo, out = work / "repo", work / "out"
    write_repo(repo, args.models, args.namespaces, force=True)
    build, _ = timed([*inferc(), "build", str(repo), "-o", str(out)])
    whole, _ = timed(["kubectl", "kustomize", str(out / "overlays" / args.env)])
    per_ns: list[float] = []
    for ns in namespaces(args.namespaces):
        folder = out.parent / "per-namespace" / ns
        folder.mkdir(parents=True, exist_ok=True)
        models = sorted(p.name for p in (out / "overlays" / args.env / ns).iterdir())
        rel = os.path.relpath(out / "overlays" / args.env / ns, folder)
        (folder / "kustomization.yaml").write_text(
            "resources:\n" + "".join(f"- {rel}/{m}\n" for m in models))
        per_ns.append(timed(["kubectl", "kustomize", str(folder)])[0])
    render, stream = timed([*inferc(), "render"], cwd=repo, env=plugin_env(args.env))
    render_ns = [timed([*inferc(), "render"], cwd=repo, env=plugin_env(args.env, ns))[0]
                 for ns in namespaces(args.namespaces)]
    objects = stream.count("\nkind: ") + stream.startswith("kind: ")
    print(f"{args.models} models, {args.namespaces} namespaces, environment {args.env} "
          f"({objects} objects); inferc build {build:.1f} s\n")
    print("| what | wall clock |\n|---|---|")
    print(f"| `kubectl kustomize overlays/{args.env}` (whole environment) | {whole:.1f} s |")
    print(f"| `kubectl kustomize`, one per namespace ({args.namespaces}) | sum {sum(per_ns):.1f} s, "
          f"longest {max(per_ns):.1f} s |")
    print(f"| `inferc render` under the plugin contract (whole environment) | {render:.1f} s |")
    print(f"| `inferc render` under the plugin contract, one per namespace | sum "
          f"{sum(render_ns):.1f} s, longest {max(render_ns):.1f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
