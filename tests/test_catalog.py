"""The runtime catalog against the vendored Template files, read here independently."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.catalog import (
    CatalogError,
    ModelFormat,
    RuntimeTemplate,
    builtin_releases,
    load_builtin_templates,
    template_from_openshift,
)
from compiler.resources import presets_dir

RELEASES = ("odh-main", "rhoai-3.3", "rhoai-3.4", "rhoai-3.5")
RUNTIMES = presets_dir() / "runtimes"
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# From the snapshot README's "resolved" column (rhoai-*) and params.env (odh-main).
KNOWN_IMAGES = {
    ("rhoai-3.3", "vllm-cuda-runtime-template"):
        "registry.redhat.io/rhaiis/vllm-cuda-rhel9@sha256:"
        "e6a64e3e4de7c7f585601379ecea204d2d045bb113331edd4b3799f52b8e92b7",
    ("rhoai-3.3", "vllm-multinode-runtime-template"):
        "registry.redhat.io/rhaiis/vllm-cuda-rhel9@sha256:"
        "e6a64e3e4de7c7f585601379ecea204d2d045bb113331edd4b3799f52b8e92b7",
    ("rhoai-3.3", "vllm-gaudi-runtime-template"):
        "registry.redhat.io/rhoai/odh-vllm-gaudi-rhel9@sha256:"
        "405b719154914ebec290bca98215cc7bbcfcb3f5cf95b8acdd763b2513b60c23",
    ("rhoai-3.3", "mlserver-runtime-template"):
        "registry.redhat.io/rhoai/odh-mlserver-rhel9@sha256:"
        "887cd1d1e9e388639c98a7a6b056bb39b6df547ac0fc64886052b291d87bbaf4",
    ("rhoai-3.4", "vllm-rocm-runtime-template"):
        "registry.redhat.io/rhaii/vllm-rocm-rhel9@sha256:"
        "2c885ea9911d06623ca0b6b17757a76ccf875eef655d631fdc6730878aa5eec0",
    ("rhoai-3.4", "vllm-cpu-runtime-template"):
        "registry.redhat.io/rhoai/odh-vllm-cpu-rhel9@sha256:"
        "e16af2e361ececf16956c555a45d6ffd6d8dc47292e738ec39f1c84eddbf345e",
    ("rhoai-3.4", "kserve-ovms"):
        "registry.redhat.io/rhoai/odh-openvino-model-server-rhel9@sha256:"
        "b138aef0fbc5ef12bdcd62db6e2a34b6b973932e51284c4df62b015e86ed6f96",
    ("rhoai-3.5", "vllm-cuda-runtime-template"):
        "registry.redhat.io/rhaii/vllm-cuda-rhel9@sha256:"
        "ba060ec145e1b7ac3a3b25b89fc75f7d146746156990ff5858235eaa9d158e32",
    ("rhoai-3.5", "vllm-cuda-runtime-template-fast-2"):
        "registry.redhat.io/rhaii/vllm-cuda-rhel9@sha256:"
        "ba060ec145e1b7ac3a3b25b89fc75f7d146746156990ff5858235eaa9d158e32",
    ("rhoai-3.5", "vllm-cpu-runtime-template-fast-1"):
        "registry.redhat.io/rhoai/odh-vllm-cpu-rhel9@sha256:"
        "d5a0acf592967aded878428f9c0c91e67a402a3a68c4baeb14b69305e4d7e71c",
    ("rhoai-3.5", "autogluon-runtime-template"):
        "registry.redhat.io/rhoai/odh-kserve-autogluon-server-rhel9@sha256:"
        "31b30a64e4c9b42e7bbc9ad7e32317bacde1cf1edbce9cca4f1cd879077ff1b6",
    ("rhoai-3.5", "mlserver-cuda-runtime-template"): "quay.io/opendatahub/mlserver-cuda:fast",
    ("odh-main", "vllm-cuda-runtime-template"): "quay.io/vllm/vllm-cuda:latest",
}


@cache
def read(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)


def index(release: str) -> list[str]:
    return list(read(RUNTIMES / release / "kustomization.yaml")["resources"])


def images(release: str) -> dict[str, Any]:
    return dict(read(RUNTIMES / release / "images.yaml"))


def by_name(release: str) -> dict[str, RuntimeTemplate]:
    return {t.name: t for t in load_builtin_templates(release)}


def all_templates() -> list[tuple[str, str]]:
    return [(release, file) for release in RELEASES for file in index(release)]


def container_images(runtime: Any) -> list[str]:
    spec = runtime["spec"]
    holders = [spec, spec.get("workerSpec") or {}]
    return [c["image"] for h in holders for k in ("containers", "initContainers")
            for c in h.get(k) or []]


# ------------------------------------------------------------------ built-in catalog


def test_builtin_releases() -> None:
    assert builtin_releases() == RELEASES


@pytest.mark.parametrize("release", RELEASES)
def test_catalog_is_exactly_the_index(release: str) -> None:
    expected = [read(RUNTIMES / release / f)["metadata"]["name"] for f in index(release)]
    assert [t.name for t in load_builtin_templates(release)] == expected
    assert sorted(images(release)) == sorted(expected)


@pytest.mark.parametrize(("release", "file"), all_templates())
def test_record_equals_file(release: str, file: str) -> None:
    data = read(RUNTIMES / release / file)
    sr = data["objects"][0]
    ann = data["metadata"].get("annotations") or {}
    sr_ann = sr["metadata"].get("annotations") or {}
    labels = data["metadata"].get("labels") or {}
    image = images(release)[data["metadata"]["name"]]["image"]
    expected_sr = copy.deepcopy(sr)
    expected_sr["spec"]["containers"][0]["image"] = image
    if "workerSpec" in expected_sr["spec"]:
        expected_sr["spec"]["workerSpec"]["containers"][0]["image"] = image
    unsupported = "unsupported" in (ann.get("opendatahub.io/support-status"),
                                    sr_ann.get("opendatahub.io/support-status"))
    expected = RuntimeTemplate(
        name=data["metadata"]["name"],
        runtime_name=sr["metadata"]["name"],
        display_name=sr_ann["openshift.io/display-name"],
        model_types=tuple(json.loads(ann.get("opendatahub.io/model-type", "[]"))),
        formats=tuple(ModelFormat(f["name"], f.get("version"))
                      for f in sr["spec"].get("supportedModelFormats", [])),
        accelerators=tuple(json.loads(sr_ann.get("opendatahub.io/recommended-accelerators",
                                                 "[]"))),
        api_protocol=ann.get("opendatahub.io/apiProtocol"),
        listed=(labels.get("opendatahub.io/dashboard") != "false"
                and "single" in ann["opendatahub.io/modelServingSupport"]
                and not unsupported),
        serving_runtime=expected_sr,
        source=f"<inferc>/presets/runtimes/{release}/{file}",
    )
    assert by_name(release)[expected.name] == expected


@pytest.mark.parametrize("release", RELEASES)
def test_listed_is_everything_but_multinode_and_fast(release: str) -> None:
    hidden = {t.name for t in load_builtin_templates(release) if not t.listed}
    fast = {n for n in by_name(release) if re.search(r"-fast-[12]$", n)}
    assert hidden == {"vllm-multinode-runtime-template"} | fast


@pytest.mark.parametrize("release", RELEASES)
def test_multinode_worker_gets_the_head_image(release: str) -> None:
    multinode = by_name(release)["vllm-multinode-runtime-template"]
    spec = multinode.serving_runtime["spec"]
    head = spec["containers"][0]["image"]
    assert spec["workerSpec"]["containers"][0]["image"] == head
    assert head == images(release)["vllm-multinode-runtime-template"]["image"]
    assert images(release)["vllm-multinode-runtime-template"]["paramsKey"] == "vllm-cuda-image"


@pytest.mark.parametrize("release", RELEASES)
def test_no_image_placeholder_is_left(release: str) -> None:
    for template in load_builtin_templates(release):
        for image in container_images(template.serving_runtime):
            assert "$(" not in image, (template.name, image)


@pytest.mark.parametrize(("key", "image"), sorted(KNOWN_IMAGES.items()))
def test_known_images(key: tuple[str, str], image: str) -> None:
    release, name = key
    assert by_name(release)[name].serving_runtime["spec"]["containers"][0]["image"] == image


def test_rhoai_3_5_mlserver_cuda_keeps_params_default_with_a_note() -> None:
    # README: the kserve-module map has no mlserver-cuda-image entry, so the template
    # keeps its params.env default although the CSV carries an odh-mlserver-cuda digest.
    record = images("rhoai-3.5")["mlserver-cuda-runtime-template"]
    assert record["image"] == "quay.io/opendatahub/mlserver-cuda:fast"
    assert "relatedImage" not in record
    assert "no operator mapping" in record["note"]
    assert "RELATED_IMAGE_ODH_MLSERVER_CUDA_IMAGE" in record["note"]
    assert by_name("rhoai-3.5")["mlserver-cuda-runtime-template"].listed


def test_only_known_gaps_and_odh_main_use_defaults() -> None:
    noted = {(r, n) for r in RELEASES for n, rec in images(r).items() if "note" in rec}
    odh = {("odh-main", n) for n in images("odh-main")}
    assert noted == odh | {("rhoai-3.5", "mlserver-cuda-runtime-template")}
    for release in ("rhoai-3.3", "rhoai-3.4", "rhoai-3.5"):
        for name, record in images(release).items():
            if "note" not in record:
                assert "@sha256:" in record["image"], (release, name)
                assert record["relatedImage"].startswith("RELATED_IMAGE_")


@pytest.mark.parametrize("n", ["1", "2"])
def test_rhoai_3_5_fast_variants_follow_the_overlay(n: str) -> None:
    suffix = f"-fast-{n}"
    files = [f for f in index("rhoai-3.5") if f".fast-{n}." in f]
    assert len(files) == 9
    for file in files:
        fast = read(RUNTIMES / "rhoai-3.5" / file)
        base = read(RUNTIMES / "rhoai-3.5" / file.replace(f".fast-{n}.generated", ""))
        expected = copy.deepcopy(base)
        expected["metadata"]["name"] += suffix
        expected["objects"][0]["metadata"]["name"] += suffix
        for meta in (expected["metadata"], expected["objects"][0]["metadata"]):
            meta["annotations"]["opendatahub.io/support-status"] = "unsupported"
            meta["annotations"]["opendatahub.io/fast-version"] = n
        assert fast == expected
        assert (RUNTIMES / "rhoai-3.5" / file).read_text().startswith("# Generated by")
        record = by_name("rhoai-3.5")[fast["metadata"]["name"]]
        assert not record.listed
        assert images("rhoai-3.5")[record.name]["paramsKey"].endswith(suffix)


def test_vendored_copies_match_provenance() -> None:
    text = (RUNTIMES / "PROVENANCE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^## (\S+)|^\| `([^`]+)` \| [^|]+ \| `([0-9a-f]{64})` \|$", text, re.MULTILINE)
    release, checked = "", 0
    for heading, file, digest in rows:
        if heading:
            release = heading
            continue
        assert hashlib.sha256((RUNTIMES / release / file).read_bytes()).hexdigest() == digest
        checked += 1
    assert checked == sum(len(index(r)) for r in RELEASES)


def test_builtin_load_is_cached_and_unknown_release_fails() -> None:
    assert load_builtin_templates("rhoai-3.4") is load_builtin_templates("rhoai-3.4")
    with pytest.raises(CatalogError, match=re.escape("unknown release 'rhoai-9.9'; built-in releases: ")):
        load_builtin_templates("rhoai-9.9")


# ------------------------------------------------------------------ template_from_openshift


def project_template() -> dict[str, Any]:
    return copy.deepcopy(read(RUNTIMES / "rhoai-3.3" / "vllm-cuda-template.yaml"))


def test_unresolved_placeholder_is_an_error() -> None:
    with pytest.raises(CatalogError) as err:
        template_from_openshift(project_template(), source="presets/runtimes/x.yaml",
                                images={"other-template": "quay.io/x/y:1"})
    assert str(err.value) == (
        "presets/runtimes/x.yaml: Template vllm-cuda-runtime-template: "
        "spec.containers[0].image is the unresolved placeholder '$(vllm-cuda-image)'; "
        "give a concrete image for this template")


def test_project_template_with_concrete_image() -> None:
    data = project_template()
    data["objects"][0]["spec"]["containers"][0]["image"] = "quay.io/me/vllm:1"
    before = copy.deepcopy(data)
    template = template_from_openshift(data, source="presets/runtimes/mine.yaml", images=None,
                                       namespace="team-a")
    assert template.namespace == "team-a"
    assert template.serving_runtime["spec"]["containers"][0]["image"] == "quay.io/me/vllm:1"
    assert template.listed
    assert data == before


def test_images_are_filled_without_touching_the_input() -> None:
    data = project_template()
    template = template_from_openshift(data, source="t.yaml",
                                       images={"vllm-cuda-runtime-template": "quay.io/a/b:c"})
    assert template.serving_runtime["spec"]["containers"][0]["image"] == "quay.io/a/b:c"
    assert data["objects"][0]["spec"]["containers"][0]["image"] == "$(vllm-cuda-image)"


def test_accepted_unsupported_template_is_listed() -> None:
    data = project_template()
    data["metadata"]["annotations"]["opendatahub.io/support-status"] = "unsupported"
    resolved = {"vllm-cuda-runtime-template": "quay.io/a/b:c"}
    assert not template_from_openshift(data, source="t.yaml", images=resolved).listed
    data["metadata"]["annotations"]["opendatahub.io/unsupported-status-accepted"] = "true"
    assert template_from_openshift(data, source="t.yaml", images=resolved).listed


def test_missing_serving_support_is_not_listed_and_missing_model_type_is_both() -> None:
    data = project_template()
    del data["metadata"]["annotations"]["opendatahub.io/modelServingSupport"]
    del data["metadata"]["annotations"]["opendatahub.io/model-type"]
    template = template_from_openshift(data, source="t.yaml",
                                       images={"vllm-cuda-runtime-template": "quay.io/a/b:c"})
    assert not template.listed
    assert template.model_types == ()


def _break_kind(d: dict[str, Any]) -> None:
    d["kind"] = "ServingRuntime"


def _break_objects(d: dict[str, Any]) -> None:
    d["objects"] = []


def _break_embedded_kind(d: dict[str, Any]) -> None:
    d["objects"][0]["kind"] = "InferenceService"


def _break_model_type(d: dict[str, Any]) -> None:
    d["metadata"]["annotations"]["opendatahub.io/model-type"] = "generative"


def _break_version(d: dict[str, Any]) -> None:
    d["objects"][0]["spec"]["supportedModelFormats"][0]["version"] = 1


def _break_name(d: dict[str, Any]) -> None:
    del d["objects"][0]["metadata"]["name"]


@pytest.mark.parametrize(("breaker", "message"), [
    (_break_kind, "t.yaml: expected kind Template, found 'ServingRuntime'"),
    (_break_objects, "'objects' must hold exactly one ServingRuntime"),
    (_break_embedded_kind, "objects[0] must be a ServingRuntime"),
    (_break_model_type, ("annotation opendatahub.io/model-type must be a JSON list of strings, "
                        "found 'generative'")),
    (_break_version, "spec.supportedModelFormats[0] needs a string name"),
    (_break_name, "the ServingRuntime has no metadata.name"),
])
def test_malformed_templates_raise(breaker: Any, message: str) -> None:
    data = project_template()
    breaker(data)
    with pytest.raises(CatalogError, match=re.escape(message)):
        template_from_openshift(data, source="t.yaml",
                                images={"vllm-cuda-runtime-template": "quay.io/a/b:c"})
