"""Runtime catalogs of platforms that install ClusterServingRuntimes (upstream KServe).

Upstream KServe installs its runtimes cluster-wide; an InferenceService names one
in ``predictor.model.runtime`` and nothing is copied into its namespace. The
release's ClusterServingRuntimes are vendored verbatim, with their concrete images,
under ``presets/runtimes/<catalog>/`` by ``scripts/vendor_kserve_release.py``;
``kustomization.yaml`` lists them in install order. They become the same
:class:`RuntimeTemplate` records as the OpenShift AI templates, marked
``cluster_scoped``, so selection and rendering read one shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from compiler import presets
from compiler.catalog import CatalogError, ModelFormat, RuntimeTemplate, load_builtin_templates
from compiler.platforms import Platform

INDEX_FILE = "kustomization.yaml"


def platform_runtimes(release: Platform) -> tuple[RuntimeTemplate, ...]:
    """The runtimes ``release`` ships, whatever their kind (Templates or cluster runtimes)."""
    if release.runtime_kind == "ClusterServingRuntime":
        return load_cluster_runtimes(release.runtime_catalog)
    return load_builtin_templates(release.runtime_catalog)


@cache
def load_cluster_runtimes(catalog: str) -> tuple[RuntimeTemplate, ...]:
    """The ClusterServingRuntimes of one vendored release, in install order."""
    index = _load(catalog, INDEX_FILE)
    files = index.get("resources") if isinstance(index, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise CatalogError(f"{_display(catalog, INDEX_FILE)}: 'resources' must list file names")
    runtimes = tuple(cluster_runtime(_load(catalog, f), _display(catalog, f))
                     for f in files)
    names = [r.name for r in runtimes]
    if len(set(names)) != len(names):
        raise CatalogError(f"presets/runtimes/{catalog}: duplicate ClusterServingRuntime names")
    return runtimes


def cluster_runtime(data: Mapping[str, Any], source: str) -> RuntimeTemplate:
    """One ClusterServingRuntime as a :class:`RuntimeTemplate` (``cluster_scoped``)."""
    if data.get("kind") != "ClusterServingRuntime" or not isinstance(data.get("spec"), dict):
        raise CatalogError(f"{source}: expected a ClusterServingRuntime with a spec")
    name = data.get("metadata", {}).get("name")
    if not isinstance(name, str) or not name:
        raise CatalogError(f"{source}: the ClusterServingRuntime has no metadata.name")
    formats = data["spec"].get("supportedModelFormats") or []
    if not isinstance(formats, list) or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str) for f in formats):
        raise CatalogError(f"{source}: spec.supportedModelFormats must list named formats")
    # inferc renders no predictor.workerSpec, so a multi-node runtime cannot serve a model yet
    multinode = data["spec"].get("workerSpec") is not None
    return RuntimeTemplate(
        name=name, runtime_name=name, display_name=name, model_types=(),
        formats=tuple(ModelFormat(f["name"], f.get("version")) for f in formats),
        accelerators=(), api_protocol=None, listed=not multinode, serving_runtime=data,
        source=source, cluster_scoped=True,
        hidden_reason="multi-node: needs predictor.workerSpec, which inferc cannot render yet"
        if multinode else None)


def _display(catalog: str, file: str) -> str:
    return f"<inferc>/presets/runtimes/{catalog}/{file}"


def _load(catalog: str, file: str) -> Any:
    # Upstream's own objects as vendored; ClusterServingRuntime has no schema of ours yet.
    return presets.document(f"runtimes/{catalog}/{file}", None).data
