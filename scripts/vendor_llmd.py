#!/usr/bin/env python3
"""Vendor what inferc needs to know about llm-d schedulers into presets/llmd/.

    python scripts/vendor_llmd.py /path/to/shared

Reads ``reference/epp-plugins.yaml`` (the EndpointPickerConfig shape and the
plugin types each scheduler version registers, with sources) and the
``kserve-config-llm-scheduler`` preset of each release (the scheduler pod's
resources, which the quota check counts). Writes:

- ``presets/llmd/schedulers.json``: per scheduler version, the config apiVersions
  (preferred first), top-level keys, profile keys, plugin types, deprecated
  types, whether unknown parameter keys are rejected, and the parameter keys of
  the plugins inferc writes or validates (and their keys one level down, where the
  notes list them); per platform release, its scheduler
  version and scheduler pod resources;
- ``presets/llmd/PROVENANCE.md``.

The output is deterministic (sorted keys).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

OUT = Path(__file__).resolve().parent.parent / "presets" / "llmd"
SCHEDULER_PRESETS = {
    ("openshift-ai", "3.3"): "crds/kserve-rhoai/rhoai-3.3/llmisvc-presets/config-llm-scheduler.yaml",
    ("openshift-ai", "3.4"): "crds/kserve-rhoai/rhoai-3.4/llmisvc-presets/config-llm-scheduler.yaml",
    ("openshift-ai", "3.5"): "crds/kserve-rhoai/rhoai-3.5/llmisvc-presets/config-llm-scheduler.yaml",
    ("kserve", "0.20"): "kserve-upstream/v0.20.0/kserve-cluster-resources.yaml",
}


def _config(version: dict[str, Any]) -> dict[str, Any]:
    config = version["config"]
    strict = config["plugin_parameters_decoding"].startswith("strict")
    return {
        "apiVersions": config["api_versions"],
        "topLevelKeys": config["top_level_keys"],
        "deprecatedTopLevelKeys": sorted(config.get("deprecated_top_level_keys", {})),
        "pluginKeys": config["plugin_keys"],
        "profileKeys": config["profile_keys"],
        "profilePluginKeys": config["profile_plugin_keys"],
        "weightType": "int" if config["weight_type"] == "int" else "float",
        "strictParameters": strict,
        "featureGates": config["feature_gates"],
    }


def _specs(versions: dict[str, Any], name: str) -> dict[str, Any]:
    """The parameter facts of a version's plugins (following parameters_same_as)."""
    version = versions[name]
    same = version.get("parameters_same_as")
    if same and "parameters" not in version:
        return _specs(versions, str(same).split()[0])
    return dict(version.get("parameters", {}))


def _parameters(versions: dict[str, Any], name: str) -> dict[str, list[str]]:
    return {plugin: sorted(spec["keys"]) for plugin, spec in _specs(versions, name).items()}


def _nested(versions: dict[str, Any], name: str) -> dict[str, Any]:
    """Keys one level inside a plugin's parameters (``kvEventsConfig: [zmqEndpoint, …]``),
    keys the plugin rejects with its own message, and the plugins whose nested keys the
    research notes mark unverified for this version (checked, but only as warnings)."""
    nested, rejected, unverified = {}, {}, []
    for plugin, spec in sorted(_specs(versions, name).items()):
        if spec.get("nested_keys"):
            nested[plugin] = {k: sorted(v) for k, v in spec["nested_keys"].items()
                              if isinstance(v, list) and all(isinstance(x, str) for x in v)}
            if "unverified" in str(spec.get("note", "")):
                unverified.append(plugin)
        for entry in spec.get("rejected", []):
            key, _, why = str(entry).partition(" ")
            rejected.setdefault(plugin, {})[key] = why.strip().strip("()").strip('"')
    return {"nestedParameters": nested, "rejectedParameters": rejected,
            "unverifiedNestedParameters": unverified}


def _scheduler_pod(shared: Path, rel: str) -> dict[str, Any]:
    for doc in yaml.safe_load_all((shared / rel).read_text()):
        if (doc or {}).get("kind") == "LLMInferenceServiceConfig" and \
                doc["metadata"]["name"] == "kserve-config-llm-scheduler":
            scheduler = doc["spec"]["router"]["scheduler"]
            containers = scheduler["template"]["containers"]
            return {"replicas": scheduler.get("replicas", 1),
                    "containers": [{"name": c["name"], "resources": c.get("resources", {})}
                                   for c in containers]}
    raise SystemExit(f"{rel}: no kserve-config-llm-scheduler")


ACCELERATOR_PRESETS = {
    ("openshift-ai", "3.3"): "crds/kserve-rhoai/rhoai-3.3/llmisvc-presets/overlay-odh/accelerators",
    ("openshift-ai", "3.4"): "crds/kserve-rhoai/rhoai-3.4/llmisvc-presets/overlay-odh/accelerators",
    ("openshift-ai", "3.5"): "crds/kserve-rhoai/rhoai-3.5/llmisvc-presets/overlay-odh/accelerators",
}
# The well-known kserve-config-llm-template runs the CUDA image: it fits NVIDIA GPUs.
DEFAULT_TEMPLATE_FITS = ["nvidia.com/gpu"]


def _accelerator_presets(shared: Path, rel: str | None) -> dict[str, str]:
    """Accelerator → the one preset that recommends it (opendatahub.io/recommended-accelerators);
    accelerators two presets recommend (IBM Spyre on two architectures) are left out."""
    found: dict[str, list[str]] = {}
    for path in sorted((shared / rel).glob("*.yaml")) if rel else ():
        doc = yaml.safe_load(path.read_text())
        if (doc or {}).get("kind") != "LLMInferenceServiceConfig":
            continue
        annotations = doc["metadata"].get("annotations") or {}
        for accelerator in json.loads(annotations.get("opendatahub.io/recommended-accelerators", "[]")):
            found.setdefault(accelerator, []).append(doc["metadata"]["name"])
    return {a: names[0] for a, names in sorted(found.items())
            if len(names) == 1 and a not in DEFAULT_TEMPLATE_FITS}


def main(shared: Path) -> None:
    source = shared / "reference" / "epp-plugins.yaml"
    data = yaml.safe_load(source.read_text())
    versions = data["versions"]
    schedulers = {}
    for name, version in sorted(versions.items()):
        deprecated = {k: v["replacement"] for k, v in version.get("deprecated", {}).items()}
        schedulers[name] = {**_config(version), "plugins": sorted(version["plugins"]),
                            "alphaPlugins": sorted(version.get("alpha_plugins", [])),
                            "deprecated": deprecated,
                            "parameters": _parameters(versions, name),
                            **_nested(versions, name)}
    platforms: dict[str, dict[str, Any]] = {}
    for (platform, release), rel in SCHEDULER_PRESETS.items():
        facts = data["platforms"][platform][release]
        platforms.setdefault(platform, {})[release] = {
            "scheduler": facts["scheduler_version"],
            "controllerWritesApiVersion": facts["controller_writes_api_version"],
            "pod": _scheduler_pod(shared, rel),
            "acceleratorPresets": _accelerator_presets(shared, ACCELERATOR_PRESETS.get((platform, release))),
        }
    OUT.mkdir(parents=True, exist_ok=True)
    body = {"schedulers": schedulers, "platforms": platforms,
            "defaultTemplateFits": DEFAULT_TEMPLATE_FITS}
    (OUT / "schedulers.json").write_text(json.dumps(body, indent=1, sort_keys=True) + "\n")
    _provenance(shared, source)


def _provenance(shared: Path, source: Path) -> None:
    rows = [f"| `{p.relative_to(shared)}` | `{hashlib.sha256(p.read_bytes()).hexdigest()[:16]}…` |"
            for p in [source, *(shared / r for r in sorted(set(SCHEDULER_PRESETS.values())))]]
    (OUT / "PROVENANCE.md").write_text(
        "# Provenance: llm-d scheduler facts\n\n"
        "Generated by `scripts/vendor_llmd.py`; do not edit by hand.\n\n"
        "`schedulers.json` is extracted from the research notes `epp-plugins.yaml`\n"
        "(llm-d/llm-d-router, kubernetes-sigs/gateway-api-inference-extension and the\n"
        "red-hat-data-services build branches, each fact with repository, ref and commit\n"
        "there; Apache-2.0) and from each release's `kserve-config-llm-scheduler`\n"
        "LLMInferenceServiceConfig (red-hat-data-services/kserve rhoai-3.x branches,\n"
        "kserve/kserve v0.20.0 install manifest; Apache-2.0) for the scheduler pod's\n"
        "resources, and from the accelerator presets of each OpenShift AI release's\n"
        "`overlay-odh/accelerators/` (annotation `opendatahub.io/recommended-accelerators`).\n\n"
        "| source | sha256 |\n|---|---|\n" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
