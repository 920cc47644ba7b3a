"""compiler.verify: objects against the vendored CRD schemas and the built-in kinds.

Fixtures are in tests/verify/; each known-bad one comes from crd-notes.md or from
documentation that gets the schema wrong. Diagnostics are asserted exactly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from compiler.diagnostics import Diagnostic
from compiler.errors import InternalError
from compiler.resources import schemas_dir
from compiler.verify import Verifier, close_schema, crd_sets, verify_files

HERE = Path(__file__).parent / "verify"

Row = tuple[str, int, int, str, str, str]


def rows(diags: list[Diagnostic]) -> list[Row]:
    return [(d.file, d.line, d.col, d.path, d.message, d.rule) for d in diags]


def run(name: str, crd_set: str = "upstream", *, ignore_missing: bool = False) -> list[Row]:
    return rows(verify_files([HERE / name], [name], crd_set=crd_set,
                             ignore_missing=ignore_missing))


@pytest.mark.parametrize("crd_set", ["upstream", "rhoai-3.3", "rhoai-3.4", "rhoai-3.5"])
@pytest.mark.parametrize("name", ["valid-openshift-ai.yaml", "valid-token-auth.yaml"])
def test_valid_manifests_pass(name: str, crd_set: str) -> None:
    assert run(name, crd_set) == []


BAD_CASES: dict[str, tuple[str, list[Row]]] = {
    "llmisvc-kvcache-misplaced.yaml": ("upstream", [
        ("llmisvc-kvcache-misplaced.yaml", 27, 3, "spec.workload",
         "unknown field 'workload'", "verify.unknown-field"),
    ]),
    "llmisvc-inline-string.yaml": ("rhoai-3.5", [
        ("llmisvc-inline-string.yaml", 14, 17, "spec.router.scheduler.config.inline",
         "expected a mapping, found a string "
         "('apiVersion: inference.networking.x-k8s.io/v1alpha1\\nkind: …')",
         "verify.schema"),
    ]),
    "inference-criticality.yaml": ("upstream", [
        ("inference-criticality.yaml", 9, 16, "spec.criticality",
         "'High' is not one of ['Critical', 'Standard', 'Sheddable']", "verify.schema"),
        ("inference-criticality.yaml", 18, 3, "spec.criticality",
         "unknown field 'criticality'", "verify.unknown-field"),
    ]),
    "ratelimit-window.yaml": ("upstream", [
        ("ratelimit-window.yaml", 14, 19, "spec.limits.per-user.rates[0].window",
         "'1d' is not a duration of h, m, s or ms parts (such as 24h or 1m30s)",
         "verify.schema"),
    ]),
    "llmisvc-docs-router-template.yaml": ("rhoai-3.5", [
        ("llmisvc-docs-router-template.yaml", 16, 5, "spec.router.template",
         "unknown field 'template'", "verify.unknown-field"),
    ]),
    "isvc-misspelled.yaml": ("rhoai-3.5", [
        ("isvc-misspelled.yaml", 7, 25, 'metadata.annotations["prometheus.io/port"]',
         "expected a string, found an integer (8080)", "verify.schema"),
        ("isvc-misspelled.yaml", 10, 18, "spec.predictor.minReplicas",
         "expected an integer, found a string ('1')", "verify.schema"),
        ("isvc-misspelled.yaml", 15, 7, "spec.predictor.model.storageURI",
         "unknown field 'storageURI'", "verify.unknown-field"),
        ("isvc-misspelled.yaml", 18, 27, 'spec.predictor.model.resources.limits["nvidia.com/gpu"]',
         "'one' is not a Kubernetes quantity (such as 500m, 4 or 16Gi)", "verify.schema"),
    ]),
    "builtin-bad.yaml": ("upstream", [
        ("builtin-bad.yaml", 5, 3, "metadata.uid", "unknown field 'uid'", "verify.unknown-field"),
        ("builtin-bad.yaml", 10, 1, "subject", "unknown field 'subject'", "verify.unknown-field"),
        ("builtin-bad.yaml", 19, 18, "data.AWS_S3_BUCKET", "'models!' is not valid base64",
         "verify.schema"),
        ("builtin-bad.yaml", 25, 31, "automountServiceAccountToken",
         "expected a boolean, found a string ('false')", "verify.schema"),
    ]),
    "int-or-string.yaml": ("upstream", [
        ("int-or-string.yaml", 30, 19, "spec.predictor.deploymentStrategy.rollingUpdate.maxSurge",
         "expected an integer or a string, found a boolean (true)", "verify.schema"),
        ("int-or-string.yaml", 31, 25,
         "spec.predictor.deploymentStrategy.rollingUpdate.maxUnavailable",
         "expected an integer or a string, found a list", "verify.schema"),
        ("int-or-string.yaml", 37, 16, "spec.predictor.model.resources.requests.cpu",
         "'2 cores' is not a Kubernetes quantity (such as 500m, 4 or 16Gi)", "verify.schema"),
    ]),
}


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_known_bad_manifests(name: str) -> None:
    crd_set, expected = BAD_CASES[name]
    assert run(name, crd_set) == expected


NO_SCHEMA_REST: list[Row] = [
    ("no-schema.yaml", 6, 13, "apiVersion",
     "serving.kserve.io/v1 InferenceService is not served by CRD set upstream (served: v1beta1)",
     "verify.unserved-version"),
    ("no-schema.yaml", 11, 1, "apiVersion", "missing required field 'apiVersion'",
     "verify.schema"),
    ("no-schema.yaml", 11, 1, "kind", "missing required field 'kind'", "verify.schema"),
]


def test_kind_without_schema_is_an_error() -> None:
    assert run("no-schema.yaml") == [
        ("no-schema.yaml", 2, 7, "kind", "no schema for serving.kserve.io/v9/Foo",
         "verify.no-schema"),
        *NO_SCHEMA_REST,
    ]


def test_ignore_missing_drops_only_unknown_kinds() -> None:
    # A known kind in a version the cluster does not serve stays an error.
    assert run("no-schema.yaml", ignore_missing=True) == NO_SCHEMA_REST


def test_release_without_a_field_rejects_it() -> None:
    assert run("llmisvc-rollout.yaml", "upstream") == []
    assert run("llmisvc-rollout.yaml", "rhoai-3.5") == [
        ("llmisvc-rollout.yaml", 9, 3, "spec.rolloutStrategy",
         "unknown field 'rolloutStrategy'", "verify.unknown-field"),
    ]


def test_release_that_does_not_serve_a_version_does_not_fall_back() -> None:
    assert run("llmisvc-rollout.yaml", "rhoai-3.3") == [
        ("llmisvc-rollout.yaml", 2, 13, "apiVersion",
         ("serving.kserve.io/v1alpha2 LLMInferenceService is not served by CRD set rhoai-3.3 "
          "(served: v1alpha1)"), "verify.unserved-version"),
    ]


def test_hints() -> None:
    diags = verify_files([HERE / "isvc-misspelled.yaml", HERE / "builtin-bad.yaml"],
                         ["a.yaml", "b.yaml"], crd_set="upstream", ignore_missing=False)
    hints = {d.path: d.hint for d in diags if d.hint}
    assert hints == {
        "spec.predictor.model.storageURI": "did you mean 'storageUri'?",
        'spec.predictor.model.resources.limits["nvidia.com/gpu"]':
            "the schema's pattern is ^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))"
            "(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$",
        "subject": "did you mean 'subjects'?",
    }


def test_unknown_apiversion_of_a_known_kind_names_the_known_ones() -> None:
    obj = {"apiVersion": "example.com/v1", "kind": "InferencePool", "metadata": {"name": "p"}}
    (diag,) = Verifier().check(obj, file="x.yaml")
    assert diag.hint == ("known apiVersions of InferencePool: inference.networking.k8s.io/v1, "
                         "inference.networking.x-k8s.io/v1alpha2")


def test_without_source_map_errors_sit_at_the_top() -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": 1}}
    assert rows(Verifier().check(obj, file="x.yaml")) == [
        ("x.yaml", 1, 1, "data.k", "expected a string, found an integer (1)", "verify.schema"),
    ]


def test_every_unknown_key_is_reported_once_at_its_key(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n"
                    "  uid: u\n  resourceVersion: '1'\nspex: {}\n")
    assert rows(verify_files([path], ["m.yaml"], crd_set="upstream", ignore_missing=False)) == [
        ("m.yaml", 5, 3, "metadata.uid", "unknown field 'uid'", "verify.unknown-field"),
        ("m.yaml", 6, 3, "metadata.resourceVersion", "unknown field 'resourceVersion'",
         "verify.unknown-field"),
        ("m.yaml", 7, 1, "spex", "unknown field 'spex'", "verify.unknown-field"),
    ]


def test_load_diagnostics_pass_through(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\napiVersion: v1\n")
    good = HERE / "valid-token-auth.yaml"
    diags = verify_files([bad, good], ["bad.yaml", "good.yaml"], crd_set="rhoai-3.5",
                         ignore_missing=False)
    assert rows(diags) == [
        ("bad.yaml", 2, 1, "apiVersion", "duplicate key 'apiVersion'", "load.duplicate-key"),
    ]


def test_validators_are_built_once_per_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[Any] = []
    real = jsonschema_rs.Draft4Validator

    def counting(schema: Any, **kwargs: Any) -> Any:
        built.append(schema)
        return real(schema, **kwargs)

    monkeypatch.setattr(jsonschema_rs, "Draft4Validator", counting)
    verifier = Verifier("rhoai-3.5")
    obj = {"apiVersion": "kuadrant.io/v1beta1", "kind": "Kuadrant", "metadata": {"name": "k"}}
    for _ in range(3):
        assert verifier.check(obj, file="k.yaml") == []
    assert len(built) == 1
    assert Verifier("rhoai-3.5").check(obj, file="k.yaml") == []  # a new instance, a new cache
    assert len(built) == 2


def test_unknown_crd_set() -> None:
    with pytest.raises(InternalError, match=r"unknown CRD set 'rhoai-9\.9'"):
        Verifier("rhoai-9.9")


def test_close_schema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "open": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                     "properties": {"a": {"type": "object", "properties": {"b": {}}}}},
            "map": {"type": "object", "additionalProperties": {"properties": {"c": {}}}},
            "port": {"anyOf": [{"type": "integer"}, {"type": "string"}],
                     "x-kubernetes-int-or-string": True},
            "either": {"oneOf": [{"properties": {"d": {}}}]},
        },
    }
    closed = close_schema(schema)
    props = closed["properties"]
    assert closed["additionalProperties"] is False
    assert "additionalProperties" not in props["open"]
    assert props["open"]["properties"]["a"]["additionalProperties"] is False
    assert props["map"]["additionalProperties"]["additionalProperties"] is False
    assert props["port"] == {"type": ["integer", "string"], "x-kubernetes-int-or-string": True}
    assert props["either"]["oneOf"] == [{"properties": {"d": {}}}]  # branches stay open
    assert "additionalProperties" not in schema  # the input is not modified


def test_vendored_sets() -> None:
    assert crd_sets() == ["kserve-0.20", "odh-release-v0.17", "odh-stable-2.x", "rhoai-3.3",
                          "rhoai-3.4", "rhoai-3.5", "upstream"]
    index = json.loads((schemas_dir() / "crds" / "index.json").read_text())
    for rel in {f for entries in index.values() for f in entries.values()}:
        assert (schemas_dir() / "crds" / rel).is_file(), rel
    assert {
        "serving.kserve.io/v1beta1/InferenceService",
        "serving.kserve.io/v1alpha1/ServingRuntime",
        "serving.kserve.io/v1alpha1/ClusterServingRuntime",
        "serving.kserve.io/v1alpha1/LLMInferenceService",
        "serving.kserve.io/v1alpha2/LLMInferenceService",
        "serving.kserve.io/v1alpha2/LLMInferenceServiceConfig",
        "gateway.networking.k8s.io/v1/Gateway",
        "gateway.networking.k8s.io/v1/HTTPRoute",
        "inference.networking.k8s.io/v1/InferencePool",
        "kuadrant.io/v1/AuthPolicy",
        "kuadrant.io/v1/RateLimitPolicy",
        "kuadrant.io/v1beta1/Kuadrant",
        "leaderworkerset.x-k8s.io/v1/LeaderWorkerSet",
        "monitoring.coreos.com/v1/ServiceMonitor",
        "monitoring.coreos.com/v1/PodMonitor",
        "monitoring.coreos.com/v1/PrometheusRule",
        "infrastructure.opendatahub.io/v1/HardwareProfile",
        "opendatahub.io/v1alpha/OdhDashboardConfig",
    } <= set(index["upstream"])
    assert [k for k in index["rhoai-3.3"] if k.endswith("/LLMInferenceService")] == [
        "serving.kserve.io/v1alpha1/LLMInferenceService"]


# --- what the API server rejects beyond the schema (compiler.apiserver) -------------------

API_REJECTS: list[Row] = [
    ("apiserver-rejects.yaml", 16, 23, "spec.strategy.rollingUpdate.maxUnavailable",
     "maxUnavailable 150% is above 100%", "verify.rollout"),
    ("apiserver-rejects.yaml", 26, 31,
     'spec.template.spec.containers[0].resources.requests["nvidia.com/gpu"]',
     "nvidia.com/gpu is requested without a limit; Kubernetes requires limits.nvidia.com/gpu "
     "equal to the request for a resource it cannot overcommit", "verify.resources"),
    ("apiserver-rejects.yaml", 27, 20, "spec.template.spec.containers[0].resources.requests.cpu",
     "cpu request 4 is above its limit 2", "verify.resources"),
    ("apiserver-rejects.yaml", 40, 7, "spec.predictor.deploymentStrategy.rollingUpdate",
     "maxSurge and maxUnavailable are both 0: the rollout could never replace a pod",
     "verify.rollout"),
    ("apiserver-rejects.yaml", 49, 24, 'spec.predictor.model.resources.requests["amd.com/gpu"]',
     "amd.com/gpu request 1 must equal its limit 2: Kubernetes does not overcommit this "
     "resource", "verify.resources"),
    ("apiserver-rejects.yaml", 50, 19, "spec.predictor.model.resources.requests.memory",
     "'10E' is larger than a Kubernetes quantity can hold (2^63-1); the API server would "
     "store 9223372036854775807 instead", "verify.quantity"),
    ("apiserver-rejects.yaml", 51, 26, "spec.predictor.model.resources.requests.hugepages-2Mi",
     "hugepages-2Mi request 1Gi must equal its limit 2Gi: Kubernetes does not overcommit this "
     "resource", "verify.resources"),
    ("apiserver-rejects.yaml", 54, 19, "spec.predictor.model.resources.limits.memory",
     "'10E' is larger than a Kubernetes quantity can hold (2^63-1); the API server would "
     "store 9223372036854775807 instead", "verify.quantity"),
    ("apiserver-rejects.yaml", 66, 7, "spec.predictor.deploymentStrategy.rollingUpdate",
     "rollingUpdate may not be given when the strategy type is Recreate", "verify.rollout"),
    ("apiserver-rejects.yaml", 74, 16, "spec.predictor.model.resources.requests.cpu",
     "'0.1n' is finer than Kubernetes' smallest unit (1n); the API server would round it up",
     "verify.quantity"),
    ("apiserver-rejects.yaml", 75, 27, 'spec.predictor.model.resources.requests["nvidia.com/gpu"]',
     "nvidia.com/gpu 500m is not a whole number; extended resources are counted in units",
     "verify.resources"),
    ("apiserver-rejects.yaml", 78, 27, 'spec.predictor.model.resources.limits["nvidia.com/gpu"]',
     "nvidia.com/gpu 500m is not a whole number; extended resources are counted in units",
     "verify.resources"),
]


@pytest.mark.parametrize("crd_set", ["upstream", "rhoai-3.4"])
def test_what_the_api_server_rejects(crd_set: str) -> None:
    assert run("apiserver-rejects.yaml", crd_set) == API_REJECTS


def test_a_limit_alone_is_also_the_request() -> None:
    # Kubernetes defaults a missing request to the limit, so a GPU under limits is fine.
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "c", "image": "i", "resources": {
            "requests": {"cpu": "1"}, "limits": {"nvidia.com/gpu": "1", "cpu": "2"}}}]}}
    assert Verifier().check(obj, file="p.yaml") == []


def test_annotations_over_256_kib_in_total(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    # two annotations, each under the limit, together over it
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n"
                    f"    a: '{'x' * 140_000}'\n    bb: '{'y' * 130_000}'\n")
    assert rows(verify_files([path], ["big.yaml"], crd_set="upstream", ignore_missing=False)) == [
        ("big.yaml", 5, 3, "metadata.annotations",
         "annotations hold 270003 bytes; Kubernetes allows 262144 (256 KiB) in total",
         "verify.annotations-size"),
    ]
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n"
                    f"    a: '{'x' * 262_143}'\n")
    assert verify_files([path], ["big.yaml"], crd_set="upstream", ignore_missing=False) == []
