"""The serving-runtime catalog: the runtime templates the dashboard's wizard chooses from.

A runtime template is an OpenShift ``Template`` wrapping one KServe ``ServingRuntime``
(how the dashboard lists and copies runtime templates). The built-in ones are what each OpenShift AI release
installs, vendored verbatim under ``presets/runtimes/<release>/`` by
``scripts/vendor_runtimes.py``; their images are ``$(…-image)`` placeholders that the
release's operator fills, so the concrete image per Template comes from the
release's ``images.yaml``. Project-scoped templates from a config repo go through
the same :func:`template_from_openshift`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from compiler import presets
from compiler import vocabulary as V
from compiler.errors import InfercError
from compiler.resources import presets_dir

IMAGES_FILE = "images.yaml"
INDEX_FILE = "kustomization.yaml"  # lists a release's templates in install order
MODEL_TYPES = ("generative", "predictive")

_DISPLAY_NAME = V.DISPLAY_NAME
_MODEL_TYPE = V.MODEL_TYPE
_ACCELERATORS = V.RECOMMENDED_ACCELERATORS
_API_PROTOCOL = V.API_PROTOCOL
_SERVING_SUPPORT = V.SERVING_SUPPORT
_DASHBOARD = V.DASHBOARD
_SUPPORT_STATUS = V.SUPPORT_STATUS
_ACCEPTED = V.UNSUPPORTED_ACCEPTED
_UNSUPPORTED = "unsupported"
_PLACEHOLDER = "$("


class CatalogError(InfercError):
    """A runtime template cannot be used: malformed, or its image is unresolved.

    For built-in data this is a bug in inferc; callers that load a config repo's
    templates turn it into a diagnostic for the user.
    """


@dataclass(frozen=True)
class ModelFormat:
    name: str
    version: str | None


@dataclass(frozen=True)
class RuntimeTemplate:
    """One runtime template, reduced to what runtime selection and rendering need."""

    name: str  # Template metadata.name, e.g. "vllm-cuda-runtime-template"
    runtime_name: str  # embedded ServingRuntime metadata.name, e.g. "vllm-cuda-runtime"
    display_name: str  # SR annotation openshift.io/display-name
    model_types: tuple[str, ...]  # Template annotation opendatahub.io/model-type; () = both
    formats: tuple[ModelFormat, ...]  # SR spec.supportedModelFormats, in order
    accelerators: tuple[str, ...]  # SR annotation opendatahub.io/recommended-accelerators
    api_protocol: str | None  # Template annotation opendatahub.io/apiProtocol
    listed: bool  # offered by the wizard (see _hidden)
    # The embedded ServingRuntime with concrete images. Read-only: callers deep-copy.
    # Left out of the hash because a dict cannot be hashed; equality still compares it.
    serving_runtime: Mapping[str, Any] = field(hash=False)
    source: str  # display path of the file it came from
    namespace: str | None = None  # project-scoped templates; None = global
    # why the wizard does not offer it (None when listed); `listed` is what compares
    hidden_reason: str | None = field(default=None, compare=False)
    # a ClusterServingRuntime the platform installs: referenced by name, never copied
    cluster_scoped: bool = False


# ------------------------------------------------------------------ built-in data


def builtin_releases() -> tuple[str, ...]:
    """Releases with vendored templates (a folder holding an images.yaml), sorted."""
    root = _runtimes_root()
    if not root.is_dir():
        return ()
    return tuple(sorted(p.name for p in root.iterdir() if (p / IMAGES_FILE).is_file()))


# The vendored files are immutable package data, so one parse per process is enough.
@cache
def load_builtin_templates(release: str) -> tuple[RuntimeTemplate, ...]:
    """The templates ``release`` installs, in install order, with concrete images."""
    if release not in builtin_releases():
        known = ", ".join(builtin_releases()) or "none"
        raise CatalogError(f"unknown release '{release}'; built-in releases: {known}")
    folder = _runtimes_root() / release
    images = _builtin_images(folder, release)
    templates = tuple(_builtin_template(folder, release, file, images)
                      for file in _index(folder, release))
    _check_builtin_set(templates, images, release)
    return templates


def _runtimes_root() -> Path:
    return presets_dir() / "runtimes"


def _display(release: str, file: str) -> str:
    return f"<inferc>/presets/runtimes/{release}/{file}"


def _load_builtin(release: str, file: str, kind: str | None) -> Any:
    """Shipped YAML (compiler.presets): a problem here is a broken package, so it raises."""
    return presets.document(f"runtimes/{release}/{file}", kind).data


def _index(folder: Path, release: str) -> list[str]:
    data = _load_builtin(release, INDEX_FILE, None)
    resources = data.get("resources")
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        raise CatalogError(f"{_display(release, INDEX_FILE)}: 'resources' must list file names")
    return resources


def _builtin_images(folder: Path, release: str) -> dict[str, str]:
    """images.yaml: Template name → {paramsKey, image, …}; only the image matters here."""
    display = _display(release, IMAGES_FILE)
    images: dict[str, str] = {}
    for name, record in _load_builtin(release, IMAGES_FILE, None).items():
        image = record.get("image") if isinstance(record, dict) else None
        if not isinstance(image, str) or not image:
            raise CatalogError(f"{display}: {name}: 'image' must be a non-empty string")
        images[name] = image
    return images


def _builtin_template(folder: Path, release: str, file: str,
                      images: Mapping[str, str]) -> RuntimeTemplate:
    display = _display(release, file)
    return template_from_openshift(_load_builtin(release, file, "Template"), source=display,
                                   images=images)


def _check_builtin_set(templates: tuple[RuntimeTemplate, ...], images: Mapping[str, str],
                       release: str) -> None:
    """Every template has its own image entry and no name is used twice."""
    names = [t.name for t in templates]
    runtimes = [t.runtime_name for t in templates]
    if len(set(names)) != len(names) or len(set(runtimes)) != len(runtimes):
        raise CatalogError(f"presets/runtimes/{release}: duplicate Template or runtime names")
    if set(names) != set(images):
        odd = sorted(set(names) ^ set(images))
        raise CatalogError(f"{_display(release, IMAGES_FILE)}: entries and templates differ: "
                           f"{', '.join(odd)}")


# ------------------------------------------------------------------ one Template


def template_from_openshift(data: Mapping[str, Any], *, source: str,
                            images: Mapping[str, str] | None,
                            namespace: str | None = None) -> RuntimeTemplate:
    """Read an OpenShift Template wrapping a ServingRuntime into a :class:`RuntimeTemplate`.

    ``images`` maps Template names to concrete images; a Template it names gets that
    image in ``spec.containers[0]`` (and ``spec.workerSpec.containers[0]``, as the
    platform's kustomize replacement does for multi-node). Any image still holding a
    ``$(…)`` placeholder afterwards is an error. ``data`` is not modified.
    """
    if data.get("kind") != "Template":
        raise CatalogError(f"{source}: expected kind Template, found {data.get('kind')!r}")
    name = _name(data, source, "Template")
    where = f"{source}: Template {name}"
    runtime = copy.deepcopy(dict(_embedded_runtime(data, where)))
    if images is not None and name in images:
        _set_images(runtime, images[name], where)
    _check_images(runtime, where)
    annotations = _annotations(data, where)
    sr_annotations = _annotations(runtime, where)
    runtime_name = _name(runtime, where, "ServingRuntime")
    return RuntimeTemplate(
        name=name,
        runtime_name=runtime_name,
        # the dashboard falls back to the SR name when the display name is missing
        display_name=sr_annotations.get(_DISPLAY_NAME) or runtime_name,
        model_types=_model_types(annotations, where),
        formats=_formats(runtime, where),
        accelerators=_json_strings(sr_annotations, _ACCELERATORS, where),
        api_protocol=annotations.get(_API_PROTOCOL),
        listed=_hidden(_labels(data, where), annotations, sr_annotations) is None,
        serving_runtime=runtime,
        source=source,
        namespace=namespace,
        hidden_reason=_hidden(_labels(data, where), annotations, sr_annotations),
    )


def _name(obj: Mapping[str, Any], where: str, kind: str) -> str:
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name:
        raise CatalogError(f"{where}: the {kind} has no metadata.name")
    return name


def _embedded_runtime(data: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    """objects[0], the one ServingRuntime; the dashboard reads nothing else."""
    objects = data.get("objects")
    if not isinstance(objects, list) or len(objects) != 1:
        raise CatalogError(f"{where}: 'objects' must hold exactly one ServingRuntime")
    runtime = objects[0]
    if not isinstance(runtime, dict) or runtime.get("kind") != "ServingRuntime":
        raise CatalogError(f"{where}: objects[0] must be a ServingRuntime")
    if not isinstance(runtime.get("spec"), dict):
        raise CatalogError(f"{where}: the ServingRuntime has no spec")
    return runtime


def _metadata_strings(obj: Mapping[str, Any], key: str, where: str) -> dict[str, str]:
    metadata = obj.get("metadata")
    values = metadata.get(key) if isinstance(metadata, dict) else None
    if values is None:
        return {}
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise CatalogError(f"{where}: metadata.{key} must map names to strings")
    return values


def _annotations(obj: Mapping[str, Any], where: str) -> dict[str, str]:
    return _metadata_strings(obj, "annotations", where)


def _labels(obj: Mapping[str, Any], where: str) -> dict[str, str]:
    return _metadata_strings(obj, "labels", where)


# ------------------------------------------------------------------ images


def _containers(runtime: Mapping[str, Any], where: str) -> list[tuple[str, dict[str, Any]]]:
    """Every container of the runtime with its path, head and worker pods alike."""
    spec = runtime["spec"]
    out: list[tuple[str, dict[str, Any]]] = []
    for prefix, holder in (("spec", spec), ("spec.workerSpec", _worker_spec(spec, where))):
        for key in ("containers", "initContainers"):
            items = holder.get(key) or []
            if not isinstance(items, list) or not all(isinstance(c, dict) for c in items):
                raise CatalogError(f"{where}: {prefix}.{key} must be a list of containers")
            out += [(f"{prefix}.{key}[{i}]", c) for i, c in enumerate(items)]
    return out


def _worker_spec(spec: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    worker = spec.get("workerSpec") or {}
    if not isinstance(worker, dict):
        raise CatalogError(f"{where}: spec.workerSpec must be a mapping")
    return worker


def _set_images(runtime: dict[str, Any], image: str, where: str) -> None:
    """Mirror the platform's kustomize replacement: the first head and worker container."""
    spec = runtime["spec"]
    containers = spec.get("containers")
    if not isinstance(containers, list) or not containers or not isinstance(containers[0], dict):
        raise CatalogError(f"{where}: the ServingRuntime has no spec.containers")
    containers[0]["image"] = image
    workers = _worker_spec(spec, where).get("containers")
    if isinstance(workers, list) and workers and isinstance(workers[0], dict):
        workers[0]["image"] = image


def _check_images(runtime: Mapping[str, Any], where: str) -> None:
    # DESIGN rule 7: inferc writes concrete images; an unresolved placeholder is an error.
    for path, container in _containers(runtime, where):
        image = container.get("image")
        if isinstance(image, str) and _PLACEHOLDER in image:
            raise CatalogError(f"{where}: {path}.image is the unresolved placeholder "
                               f"'{image}'; give a concrete image for this template")


# ------------------------------------------------------------------ selection facts


def _json_strings(annotations: Mapping[str, str], key: str, where: str) -> tuple[str, ...]:
    """An annotation holding a JSON list of strings; absent means empty."""
    text = annotations.get(key)
    if text is None:
        return ()
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogError(f"{where}: annotation {key} must be a JSON list of strings, "
                           f"found {text!r}")
    return tuple(value)


def _model_types(annotations: Mapping[str, str], where: str) -> tuple[str, ...]:
    # The dashboard drops values it does not know, so a template naming only unknown
    # types ends up offered for both, exactly like one without the annotation.
    listed = _json_strings(annotations, _MODEL_TYPE, where)
    return tuple(t for t in listed if t in MODEL_TYPES)


def _formats(runtime: Mapping[str, Any], where: str) -> tuple[ModelFormat, ...]:
    entries = runtime["spec"].get("supportedModelFormats") or []
    if not isinstance(entries, list):
        raise CatalogError(f"{where}: spec.supportedModelFormats must be a list")
    return tuple(_format(entry, i, where) for i, entry in enumerate(entries))


def _format(entry: Any, index: int, where: str) -> ModelFormat:
    name = entry.get("name") if isinstance(entry, dict) else None
    version = entry.get("version") if isinstance(entry, dict) else None
    # The dashboard matches name and version as strings; a YAML number would never match.
    if not isinstance(name, str) or not (version is None or isinstance(version, str)):
        raise CatalogError(f"{where}: spec.supportedModelFormats[{index}] needs a string "
                           "name and, if present, a string version")
    return ModelFormat(name, version)


def _hidden(labels: Mapping[str, str], annotations: Mapping[str, str],
            sr_annotations: Mapping[str, str]) -> str | None:
    """Why the deployment wizard does not offer the template, or None when it does
    (which templates the dashboard lists)."""
    if labels.get(_DASHBOARD) == "false":
        return f"label {_DASHBOARD}: \"false\""  # e.g. vllm-multinode: installed, never offered
    # a substring test on the JSON text, as the dashboard does; no annotation = not listed
    if "single" not in annotations.get(_SERVING_SUPPORT, ""):
        return f"annotation {_SERVING_SUPPORT} does not offer single-model serving"
    # fast-N variants: hidden until an admin accepts them; either object may carry it
    unsupported = _UNSUPPORTED in (annotations.get(_SUPPORT_STATUS),
                                                  sr_annotations.get(_SUPPORT_STATUS))
    accepted = "true" in (annotations.get(_ACCEPTED), sr_annotations.get(_ACCEPTED))
    if unsupported and not accepted:
        return f"{_SUPPORT_STATUS}: unsupported, and not accepted by an admin"
    return None

