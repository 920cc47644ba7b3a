"""Upstream KServe as a platform: KServe's own runtime selection, written out explicitly,
and explained (compiler/resolve/kserve_selection.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import copy_repo, run_cli

from compiler.catalog import ModelFormat
from compiler.cluster_runtimes import cluster_runtime, load_cluster_runtimes
from compiler.load import load_bytes
from compiler.resolve.kserve_selection import Request, select
from compiler.resolve.layers import SPEC, Origin
from compiler.resolve.runtime import SelectionError

GOLDEN = Path(__file__).parent / "cases" / "golden" / "upstream-kserve" / "repo"


def _origin() -> Origin:
    doc = load_bytes(b"spec: {runtime: auto}\n", "models/x.yaml").documents[0]
    return Origin(SPEC, doc, ("spec", "runtime"))


def _pick(fmt: ModelFormat, protocol: str = "v1", runtimes: Any = None) -> str:
    runtimes = load_cluster_runtimes("kserve-0.20") if runtimes is None else runtimes
    choice = select(Request("auto", fmt, protocol, "dev", ()), runtimes, _origin())
    return choice.template.name


@pytest.mark.parametrize(("fmt", "protocol", "expected"), [
    (ModelFormat("sklearn", "1"), "v1", "kserve-sklearnserver"),
    (ModelFormat("sklearn", None), "v1", "kserve-sklearnserver"),  # name alone matches
    (ModelFormat("sklearn", "1"), "v2", "kserve-mlserver"),  # priority 2 beats 1 on v2
    (ModelFormat("xgboost", None), "v1", "kserve-xgbserver"),
    (ModelFormat("huggingface", None), "v1", "kserve-huggingfaceserver"),  # not multi-node
    (ModelFormat("vLLM", "1"), "v1", "kserve-vllmserver"),  # no protocolVersions: all
    (ModelFormat("tensorflow", "2"), "v1", "kserve-tensorflow-serving"),  # triton is v2 only
    (ModelFormat("tensorflow", "2"), "v2", "kserve-tritonserver"),
])
def test_kserve_picks_as_kserve_0_20_does(fmt: ModelFormat, protocol: str, expected: str) -> None:
    assert _pick(fmt, protocol) == expected


def test_predictive_server_is_never_auto_selected() -> None:
    # kserve-predictiveserver lists sklearn/xgboost/lightgbm with autoSelect: false.
    with pytest.raises(SelectionError) as failure:
        _pick(ModelFormat("sklearn", "0"), "v1")
    assert failure.value.diagnostic.rule == "runtime.none"


def _runtime(name: str, formats: list[dict[str, Any]], **spec: Any) -> Any:
    data = {"apiVersion": "serving.kserve.io/v1alpha1", "kind": "ClusterServingRuntime",
            "metadata": {"name": name},
            "spec": {"supportedModelFormats": formats, "containers": [], **spec}}
    return cluster_runtime(data, f"{name}.yaml")


def test_priority_ties_and_missing_priorities() -> None:
    fmt = ModelFormat("onnx", None)
    auto = {"name": "onnx", "autoSelect": True}
    runtimes = [_runtime("b-runtime", [{**auto, "priority": 2}]),
                _runtime("a-runtime", [{**auto, "priority": 2}]),
                _runtime("c-runtime", [{**auto, "priority": 5}], disabled=True),
                _runtime("d-runtime", [auto])]  # no priority: ranks last
    choice = select(Request("auto", fmt, "v1", "dev", ()), runtimes, _origin())
    assert choice.template.name == "a-runtime"
    reasons = {c.template.name: c.reason for c in choice.considered}
    assert reasons["a-runtime"] == ("selected: priority 2, the highest; ties with b-runtime: "
                                    "lower protocol version, then creation time (taken as "
                                    "equal), then name decide")
    assert reasons["c-runtime"] == "disabled"
    assert reasons["d-runtime"] == "supports the model (no priority) but ranks below a-runtime"


def test_priority_is_read_from_the_first_entry_with_the_format_name() -> None:
    # GetPriority ignores version and autoSelect: the first "onnx" entry's priority counts.
    fmt = ModelFormat("onnx", "2")
    runtimes = [_runtime("first", [{"name": "onnx", "version": "1", "priority": 1},
                                   {"name": "onnx", "version": "2", "autoSelect": True,
                                    "priority": 9}]),
                _runtime("second", [{"name": "onnx", "version": "2", "autoSelect": True,
                                     "priority": 3}])]
    assert _pick(fmt, runtimes=runtimes) == "second"


def test_explain_shows_kserve_selection(tmp_path: Path) -> None:
    repo = copy_repo(GOLDEN, tmp_path / "repo")
    result = run_cli("explain", "fraud/iris", "--env", "prod", cwd=repo)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "model fraud/iris in environment prod (KServe 0.20)"
    assert lines[2] == ("runtime: kserve-sklearnserver, chosen as KServe would choose it "
                        "(enabled, single-node, format listed with autoSelect, protocol v1, "
                        "highest priority) and written to predictor.model.runtime")
    assert "  kserve-mlserver                     dropped  supports protocol v2, not v1" in lines
    assert ("  kserve-sklearnserver                kept     selected: priority 1, the highest"
            in lines)
    assert ("hardware profile: default-profile (Default profile) rendered into the model by "
            "inferc, accelerator none (CPU only)") in lines
    assert ("deployment mode: Standard, the cluster's default "
            "(spec.platform.defaultDeploymentMode); no annotation") in lines
    dev = run_cli("explain", "fraud/iris", "--env", "dev", cwd=repo).stdout.splitlines()
    assert ("deployment mode: Standard, written as serving.kserve.io/deploymentMode because "
            "the cluster's default is Knative (KServe 0.20's inferenceservice-config)") in dev
