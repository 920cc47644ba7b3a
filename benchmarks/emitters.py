"""How fast is compiler.yamlio against PyYAML's and ruamel.yaml's C-backed emitters?

Not a test: run ``python benchmarks/emitters.py [N]`` and read the docs/s figures.
Each emitter writes the same N realistic InferenceService documents, once one call
per document (how the compiler writes files) and once as a single stream. Best of
five runs is reported, so a noisy neighbour does not decide the figures.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from typing import Any

import yaml
from ruamel.yaml import YAML

try:
    from ruamel.yaml.cyaml import CEmitter
except ImportError:  # pragma: no cover - no ruamel.yaml.clib
    CEmitter = None

from compiler.yamlio import dump, dump_all

REPEATS = 5


def inference_service(i: int) -> dict[str, Any]:
    """One InferenceService of the size the compiler writes (~40 keys, nested)."""
    name = f"granite-{i}"
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {
            "name": name,
            "namespace": "models",
            "labels": {
                "app.kubernetes.io/name": name,
                "app.kubernetes.io/managed-by": "inferc",
                "opendatahub.io/dashboard": "true",
                "networking.kserve.io/visibility": "exposed",
            },
            "annotations": {
                "openshift.io/display-name": f"Granite {i}",
                "serving.kserve.io/deploymentMode": "RawDeployment",
                "inferc.io/spec-hash": f"sha256:{i:064x}",
                "prometheus.io/scrape": "true",
                "prometheus.io/port": "8080",
            },
        },
        "spec": {
            "predictor": {
                "minReplicas": 1,
                "maxReplicas": 1 + i % 4,
                "serviceAccountName": "models-sa",
                "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                "model": {
                    "modelFormat": {"name": "vLLM"},
                    "runtime": "vllm-cuda-runtime",
                    "storageUri": f"oci://quay.io/models/granite:3.{i % 10}",
                    "args": [
                        "--port=8080",
                        f"--served-model-name={name}",
                        "--max-model-len=8192",
                        "--gpu-memory-utilization=0.9",
                        "--enable-prefix-caching",
                    ],
                    "env": [
                        {"name": "HF_HOME", "value": "/tmp/hf_home"},
                        {"name": "VLLM_LOGGING_LEVEL", "value": "INFO"},
                        {
                            "name": "HF_TOKEN",
                            "valueFrom": {"secretKeyRef": {"name": "hf-token", "key": "token"}},
                        },
                    ],
                    "resources": {
                        "requests": {"cpu": "4", "memory": "24Gi", "nvidia.com/gpu": 1},
                        "limits": {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": 1},
                    },
                    "volumeMounts": [{"name": "shm", "mountPath": "/dev/shm"}],
                },
                "volumes": [{"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "2Gi"}}],
                "scaleMetric": "concurrency",
                "scaleTarget": 0.75,
                "containerConcurrency": 0,
                "nodeSelector": None,
            }
        },
    }


def pyyaml_one(doc: object) -> str:
    return yaml.dump(doc, Dumper=yaml.CSafeDumper, sort_keys=False)


def pyyaml_all(docs: list[object]) -> str:
    return yaml.dump_all(docs, Dumper=yaml.CSafeDumper, sort_keys=False)


def ruamel_yaml() -> YAML:
    writer = YAML(typ="safe", pure=False)
    writer.default_flow_style = False
    return writer


def ruamel_one(writer: YAML) -> Callable[[object], str]:
    def write(doc: object) -> str:
        stream = io.StringIO()
        writer.dump(doc, stream)
        return stream.getvalue()

    return write


def ruamel_all(writer: YAML) -> Callable[[list[object]], str]:
    def write(docs: list[object]) -> str:
        stream = io.StringIO()
        writer.dump_all(docs, stream)
        return stream.getvalue()

    return write


def best_of(run: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def report(label: str, n: int, seconds: float, baseline: float | None) -> None:
    ratio = "" if baseline is None else f"  (ours is {seconds / baseline:4.1f}x faster)"
    print(f"  {label:<44} {n / seconds:>10,.0f} docs/s{ratio}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    docs: list[object] = [inference_service(i) for i in range(n)]
    sample = dump(docs[0])
    print(f"{n} InferenceService documents, {len(sample)} bytes / {sample.count(chr(10))} lines each")
    print(f"PyYAML {yaml.__version__} (libyaml: {yaml.__with_libyaml__})")

    writer = ruamel_yaml()
    ruamel_one(writer)(docs[0])  # the emitter class is only picked on the first dump
    c_backed = CEmitter is not None and writer.Emitter is CEmitter
    emitter = "CEmitter (libyaml)" if c_backed else "PURE PYTHON emitter (no C extension)"
    print(f"ruamel.yaml typ='safe' pure=False uses: {emitter}")

    print("one call per document:")
    ours = best_of(lambda: [dump(d) for d in docs])
    report("compiler.yamlio.dump", n, ours, None)
    report("yaml.dump(Dumper=CSafeDumper)", n, best_of(lambda: [pyyaml_one(d) for d in docs]), ours)
    one = ruamel_one(writer)
    report("ruamel YAML(typ='safe', pure=False).dump", n, best_of(lambda: [one(d) for d in docs]), ours)

    print("one stream of all documents:")
    ours_all = best_of(lambda: dump_all(docs))
    report("compiler.yamlio.dump_all", n, ours_all, None)
    report("yaml.dump_all(Dumper=CSafeDumper)", n, best_of(lambda: pyyaml_all(docs)), ours_all)
    report(
        "ruamel YAML(typ='safe', pure=False).dump_all",
        n,
        best_of(lambda: ruamel_all(writer)(docs)),
        ours_all,
    )


if __name__ == "__main__":
    main()
