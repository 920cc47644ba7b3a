"""Write a synthetic inferc config repo of any size, for benchmarks.

    python benchmarks/generate.py OUT_DIR --models N --namespaces M [--seed S] [--force]

The repo has N ModelDeployment specs spread round-robin over M namespaces and
three environments, all on OpenShift AI "3.3":

* dev      — defaults.replicas 1, a DEBUG log level for every 25th model;
* staging  — platform only, a memory request override for every 20th model;
* prod     — defaults.replicas 3; every 10th model gets a replicas or a
             resources override (alternating).

The mix of models follows what real repos hold: ~60 % generative on the
``nvidia-gpu`` profile (runtime auto, hf:// or oci:// URIs, some with args, env
and resources), ~10 % llm-d (``runtime: llm-d`` on ``nvidia-gpu``: the managed
router, no scheduler, prefill/decode, and multi-node data/expert parallel),
~20 % predictive ONNX (version "1", oci://, ``runtime: kserve-ovms``) on
``default-profile``, ~10 % generative on ``amd-gpu``. The environments trust
every namespace on the shared inference gateway. Every
value stays inside its hardware profile's bounds, so ``inferc build`` accepts the
repo. The output is a pure function of (N, M, seed): same arguments, same bytes.

Only the standard library is used; the YAML is written by hand.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path
from typing import Any

PLATFORM_VERSION = "3.3"
ENVIRONMENTS = ("dev", "staging", "prod")
MARKER = ".inferc-benchmark-repo"  # lets --force replace only a folder we wrote

# (family, display name, hf:// repository, oci:// image) for generative models
GENERATIVE = [
    ("granite-8b", "Granite 3.1 8B Instruct", "ibm-granite/granite-3.1-8b-instruct",
     "quay.io/redhat-ai-services/modelcar-catalog:granite-3.1-8b-instruct"),
    ("granite-2b", "Granite 3.1 2B Instruct", "ibm-granite/granite-3.1-2b-instruct",
     "quay.io/redhat-ai-services/modelcar-catalog:granite-3.1-2b-instruct"),
    ("llama-8b", "Llama 3.1 8B Instruct", "meta-llama/Llama-3.1-8B-Instruct",
     "registry.example.com/models/llama-3.1-8b-instruct:1.2"),
    ("mistral-7b", "Mistral 7B Instruct v0.3", "mistralai/Mistral-7B-Instruct-v0.3",
     "registry.example.com/models/mistral-7b-instruct:0.3"),
    ("qwen-7b", "Qwen 2.5 7B Instruct", "Qwen/Qwen2.5-7B-Instruct",
     "registry.example.com/models/qwen2.5-7b-instruct:1.0"),
    ("phi-mini", "Phi 3.5 mini instruct", "microsoft/Phi-3.5-mini-instruct",
     "registry.example.com/models/phi-3.5-mini-instruct:2.0"),
]
# (family, display name, oci:// image) for predictive ONNX models
PREDICTIVE = [
    ("mobilenet", "MobileNet v2-7", "quay.io/mlops-demo/mobilenet-v2-7:1.0"),
    ("resnet50", "ResNet-50 v1-12", "registry.example.com/vision/resnet50-v1-12:1.0"),
    ("bert-ner", "BERT NER", "registry.example.com/nlp/bert-ner-onnx:2.1"),
    ("fraud-scorer", "Fraud scorer", "registry.example.com/risk/fraud-scorer-onnx:3.4"),
]
TEAMS = ["chat", "search", "vision", "risk", "support", "docs", "code", "voice", "ads", "ops"]


def namespaces(count: int) -> list[str]:
    """M namespace names: team names first, numbered once they run out."""
    names = []
    for i in range(count):
        base = TEAMS[i % len(TEAMS)]
        names.append(base if i < len(TEAMS) else f"{base}-{i // len(TEAMS)}")
    return names


def kinds(n: int, rng: random.Random) -> list[str]:
    """Exactly round(60 %) nvidia, round(10 %) llm-d, round(20 %) predictive, the rest amd;
    shuffled."""
    nvidia = round(n * 0.6)
    llmd = min(round(n * 0.1), n - nvidia)
    predictive = min(round(n * 0.2), n - nvidia - llmd)
    out = (["nvidia"] * nvidia + ["llmd"] * llmd + ["predictive"] * predictive
           + ["amd"] * (n - nvidia - llmd - predictive))
    rng.shuffle(out)
    return out


# llm-d shapes: (name, extra spec fields); OpenShift AI 3.3 has no inline scheduler config,
# so the routing stays the controller's default
LLMD_SHAPES: list[tuple[str, dict[str, Any]]] = [
    ("router", {}),
    ("direct", {"llmd": {"router": {"scheduler": "none"}}}),
    ("pd", {"resources": {"requests": {"nvidia.com/gpu": 2}, "limits": {"nvidia.com/gpu": 2}},
            "llmd": {"parallelism": {"tensor": 2},
                     "prefill": {"replicas": 1, "parallelism": {"tensor": 2},
                                 "resources": {"requests": {"nvidia.com/gpu": 2},
                                               "limits": {"nvidia.com/gpu": 2}}}}}),
    ("wide", {"resources": {"requests": {"cpu": "32", "memory": "128Gi", "nvidia.com/gpu": 8},
                            "limits": {"cpu": "32", "memory": "128Gi", "nvidia.com/gpu": 8}},
              "llmd": {"parallelism": {"tensor": 1, "data": 16, "dataLocal": 8,
                                       "expert": True}}}),
]


def llmd_spec(rng: random.Random) -> tuple[str, str, dict[str, Any]]:
    family, display, hf_repo, _ = GENERATIVE[rng.randrange(len(GENERATIVE))]
    shape, extra = LLMD_SHAPES[rng.randrange(len(LLMD_SHAPES))]
    spec: dict[str, Any] = {"modelType": "generative", "storage": {"uri": f"hf://{hf_repo}"},
                            "hardwareProfile": "nvidia-gpu", "runtime": "llm-d",
                            **json.loads(json.dumps(extra))}
    if shape in ("router", "direct") and rng.random() < 0.5:
        spec["replicas"] = 2
    return f"{family}-llmd-{shape}", f"{display} (llm-d {shape})", spec


def model_docs(n: int, m: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    spaces = namespaces(m)
    docs = []
    for i, kind in enumerate(kinds(n, rng)):
        namespace = spaces[i % m]
        if kind == "llmd":
            family, display, spec = llmd_spec(rng)
        elif kind == "predictive":
            family, display, image = PREDICTIVE[rng.randrange(len(PREDICTIVE))]
            spec: dict[str, Any] = {
                "modelType": "predictive",
                "modelFormat": {"name": "onnx", "version": "1"},
                "storage": {"uri": f"oci://{image}"},
                "runtime": "kserve-ovms",
                "hardwareProfile": "default-profile",
            }
            if rng.random() < 0.3:
                spec["resources"] = {"requests": {"cpu": rng.choice(["1", "2"]),
                                                  "memory": rng.choice(["2Gi", "4Gi"])}}
        else:
            family, display, hf_repo, image = GENERATIVE[rng.randrange(len(GENERATIVE))]
            uri = f"hf://{hf_repo}" if rng.random() < 0.5 else f"oci://{image}"
            spec = {
                "modelType": "generative",
                "storage": {"uri": uri},
                "hardwareProfile": "nvidia-gpu" if kind == "nvidia" else "amd-gpu",
            }
            if rng.random() < 0.3:
                spec["runtime"] = "auto"
            if rng.random() < 0.5:
                spec["resources"] = {"requests": {"memory": rng.choice(["16Gi", "24Gi", "32Gi"])}}
            if rng.random() < 0.4:
                spec["args"] = [f"--max-model-len={rng.choice([4096, 8192, 16384])}"]
                if rng.random() < 0.5:
                    spec["args"].append("--enable-prefix-caching")
            if rng.random() < 0.3:
                spec["env"] = [{"name": "VLLM_LOGGING_LEVEL", "value": "INFO"}]
            if rng.random() < 0.1:
                spec["replicas"] = 2
        name = f"{family}-{i:05d}"
        metadata: dict[str, Any] = {"name": name, "namespace": namespace,
                                    "displayName": f"{display} #{i}"}
        if rng.random() < 0.5:
            metadata["description"] = f"Synthetic benchmark model {i} ({kind})."
        docs.append({"apiVersion": "inferc.dev/v1alpha1", "kind": "ModelDeployment",
                     "metadata": metadata, "spec": spec})
    return docs


def environment_docs(models: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    keys = [f"{d['metadata']['namespace']}/{d['metadata']['name']}" for d in models]
    predictive = [d["spec"]["hardwareProfile"] == "default-profile" for d in models]
    # llm-d models with parallelism fix their accelerators per pod: only replicas change
    fixed = ["llmd" in d["spec"] and "parallelism" in d["spec"]["llmd"] for d in models]
    gpu = {"nvidia-gpu": "nvidia.com/gpu", "amd-gpu": "amd.com/gpu"}

    dev: dict[str, Any] = {}
    for i in range(0, len(models), 25):
        dev[keys[i]] = {"env": [{"name": "VLLM_LOGGING_LEVEL", "value": "DEBUG"}]}
    staging: dict[str, Any] = {}
    for i in range(5, len(models), 20):
        if fixed[i]:
            continue
        memory = "4Gi" if predictive[i] else "20Gi"
        staging[keys[i]] = {"resources": {"requests": {"memory": memory}}}
    prod: dict[str, Any] = {}
    for j, i in enumerate(range(0, len(models), 10)):
        if j % 2 == 0 or fixed[i]:
            prod[keys[i]] = {"replicas": 5}
        elif predictive[i]:
            prod[keys[i]] = {"resources": {"requests": {"cpu": "2", "memory": "6Gi"},
                                           "limits": {"cpu": "4", "memory": "8Gi"}}}
        else:
            accel = gpu[models[i]["spec"]["hardwareProfile"]]
            prod[keys[i]] = {"resources": {"requests": {"cpu": "8", "memory": "48Gi",
                                                        accel: 2}}}

    def env(name: str, defaults: dict[str, Any] | None, overrides: dict[str, Any]) -> dict[str, Any]:
        spec: dict[str, Any] = {"platform": {"name": "openshift-ai",
                                             "version": PLATFORM_VERSION},
                                "gateway": {"trustedNamespaces": "all"}}
        if defaults:
            spec["defaults"] = defaults
        if overrides:
            spec["overrides"] = overrides
        return {"apiVersion": "inferc.dev/v1alpha1", "kind": "Environment",
                "metadata": {"name": name}, "spec": spec}

    return {"dev": env("dev", {"replicas": 1}, dev),
            "staging": env("staging", None, staging),
            "prod": env("prod", {"replicas": 3}, prod)}


# --- a tiny YAML writer for the shapes above (dicts, lists, str, int) -------------

def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    plain = (text and text[0].isalpha() and all(c.isalnum() or c in "-./_:=" for c in text)
             and ": " not in text and text.lower() not in {"yes", "no", "on", "off", "true",
                                                           "false", "null", "y", "n"})
    return text if plain else json.dumps(text)  # a JSON string is a YAML double-quoted one


def to_yaml(value: Any, indent: int = 0) -> str:
    pad = " " * indent
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{_scalar(key)}:")
                lines.append(to_yaml(item, indent + (2 if isinstance(item, dict) else 0)))
            else:
                lines.append(f"{pad}{_scalar(key)}: {_scalar(item)}")
    else:
        for item in value:
            if isinstance(item, dict):
                body = to_yaml(item, indent + 2)
                lines.append(f"{pad}- {body[indent + 2:]}")
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    return "\n".join(lines)


def write_repo(out: Path, n: int, m: int, seed: int = 0, force: bool = False) -> int:
    """Write the repo; return the number of files written."""
    if out.exists() and any(out.iterdir()):
        if not force or not (out / MARKER).exists():
            raise SystemExit(f"generate.py: {out} exists and is not empty "
                             f"(pass --force to replace a folder this script wrote)")
        shutil.rmtree(out)
    models = model_docs(n, m, seed)
    envs = environment_docs(models)
    files = {
        MARKER: f"generated by benchmarks/generate.py --models {n} --namespaces {m} "
                f"--seed {seed}\n",
        "inferc.yaml": "# Synthetic benchmark repo (benchmarks/generate.py).\n" + to_yaml({
            "apiVersion": "inferc.dev/v1alpha1", "kind": "Repository",
            "spec": {"output": "out", "baseEnvironment": "prod"}}) + "\n",
    }
    for name, doc in envs.items():
        files[f"environments/{name}.yaml"] = to_yaml(doc) + "\n"
    for doc in models:
        meta = doc["metadata"]
        files[f"models/{meta['namespace']}/{meta['name']}.yaml"] = to_yaml(doc) + "\n"
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    return len(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the repo into")
    parser.add_argument("--models", type=int, default=100, help="number of models (N)")
    parser.add_argument("--namespaces", type=int, default=10, help="number of namespaces (M)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--force", action="store_true",
                        help="replace OUT if an earlier run of this script wrote it")
    args = parser.parse_args(argv)
    if args.models < 1 or args.namespaces < 1:
        parser.error("--models and --namespaces must be at least 1")
    count = write_repo(args.out, args.models, min(args.namespaces, args.models), args.seed,
                       args.force)
    print(f"wrote {count} files ({args.models} models, "
          f"{min(args.namespaces, args.models)} namespaces, {len(ENVIRONMENTS)} environments) "
          f"to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
