"""MLServer rules (the OpenShift AI documentation on MLServer; KServe's MLServer defaults).

MLServer finds its one model through environment variables: the model's name,
the Python class of its framework (``MLSERVER_MODEL_IMPLEMENTATION``) and where
the model file is (``MLSERVER_MODEL_URI``). Who sets them changed between
releases, so this module reads the chosen template instead of a release number:
variables the template's container already sets, or that KServe adds itself
(a runtime annotated ``serving.kserve.io/server-type: mlserver``), are left
alone; the rest are added to the InferenceService, as the documentation tells
wizard users to do by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from compiler import vocabulary as V
from compiler.catalog import RuntimeTemplate
from compiler.diagnostics import Diagnostic, Severity
from compiler.resolve.layers import Origin
from compiler.resolve.records import EnvVar
from compiler.spec import Environment, ModelKey

NAME = "MLSERVER_MODEL_NAME"
IMPLEMENTATION = "MLSERVER_MODEL_IMPLEMENTATION"
URI = "MLSERVER_MODEL_URI"
MODELS_DIR = PurePosixPath("/mnt/models")  # where KServe mounts the model

# format → (implementation class, file names MLServer looks for in a directory).
# The documentation lists the names for the first three; onnx's is mlserver_onnx's own.
FRAMEWORKS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "sklearn": ("mlserver_sklearn.SKLearnModel", ("model.joblib", "model.pickle", "model.pkl")),
    "xgboost": ("mlserver_xgboost.XGBoostModel", ("model.bst", "model.json", "model.ubj")),
    "lightgbm": ("mlserver_lightgbm.LightGBMModel", ("model.bst",)),
    "onnx": ("mlserver_onnx.OnnxModel", ("model.onnx",)),
}
STORAGE_SCHEMES = ("s3", "pvc")  # the connection types the documentation lists


def is_mlserver(template: RuntimeTemplate) -> bool:
    annotations = template.serving_runtime["spec"].get("annotations") or {}
    return bool(annotations.get(V.KSERVE_RUNTIME) == "mlserver")


def apply(key: ModelKey, values: Mapping[str, Any], origins: Mapping[str, Origin],
          template: RuntimeTemplate, env: Environment) -> tuple[list[EnvVar], list[Diagnostic]]:
    """Environment variables the MLServer runtime needs for this model, and rule violations.

    ``env`` is not consulted: the template, already the target release's, holds all
    that differs between releases.
    """
    if not is_mlserver(template):
        if "mlserver" not in origins:
            return [], []
        return [], [origins["mlserver"].diag(
            f"spec.mlserver has no effect: runtime '{template.name}' is not MLServer",
            "mlserver.unused", severity=Severity.WARNING)]
    fallback = origins["modelType"]
    fmt: str = (values.get("modelFormat") or {}).get("name", "")
    if fmt not in FRAMEWORKS:
        where = _child(origins["modelFormat"], "name") if "modelFormat" in origins else fallback
        label = f"format '{fmt}'" if fmt else f"{values['modelType']} models"
        return [], [where.diag(f"MLServer cannot serve {label}", "mlserver.framework",
                               hint=f"OpenShift AI's MLServer serves {', '.join(FRAMEWORKS)}")]
    cls, files = FRAMEWORKS[fmt]
    user = {e["name"]: e.get("value", "") for e in values.get("env", ())}
    diags = _storage(values, origins.get("storage", fallback))
    diags += _user_settings(key, fmt, cls, user, origins)
    uri, problems = _model_uri(fmt, files, values, user, origins)
    diags += problems
    settings = values.get("mlserver") or {}
    if settings.get("modelSettings"):
        diags.append(_child(origins["mlserver"], "modelSettings").diag(
            "a model-settings.json next to the model overrides the MLSERVER_* environment "
            "variables", "mlserver.model-settings", severity=Severity.WARNING,
            hint=f"keep its name '{key.name}' (the deployment name) and implementation '{cls}'"))
    if any(d.is_error for d in diags):
        return [], diags
    return _added(key, cls, uri, user, template), diags


def _added(key: ModelKey, cls: str, uri: PurePosixPath | None, user: Mapping[str, str],
           template: RuntimeTemplate) -> list[EnvVar]:
    """What neither the user, the template nor KServe sets; never a second entry for a name."""
    preset = _template_env(template)
    # KServe's SetMlServerDefaults adds NAME and URI=/mnt/models (when absent) only for a
    # runtime with this annotation; the rendered runtime is named after the model, so
    # the annotation is KServe's only cue (KServe's MLServer defaults).
    annotations = template.serving_runtime.get("metadata", {}).get("annotations") or {}
    kserve = annotations.get(V.SERVER_TYPE) == "mlserver"
    out = []
    if NAME not in user and NAME not in preset and not kserve:
        out.append(EnvVar(NAME, key.name))
    if IMPLEMENTATION not in user and IMPLEMENTATION not in preset:
        out.append(EnvVar(IMPLEMENTATION, cls))
    if URI not in user:
        default = preset.get(URI) or (str(MODELS_DIR) if kserve else None)
        wanted = str(uri or MODELS_DIR)
        if wanted != default:
            out.append(EnvVar(URI, wanted))
    return out


def _template_env(template: RuntimeTemplate) -> dict[str, str]:
    containers = template.serving_runtime["spec"].get("containers") or [{}]
    # KServe merges the ISVC's env into the container named kserve-container
    main = next((c for c in containers if c.get("name") == "kserve-container"), containers[0])
    return {e["name"]: str(e.get("value", "")) for e in main.get("env") or ()}


def _storage(values: Mapping[str, Any], origin: Origin) -> list[Diagnostic]:
    scheme = values["storage"]["uri"].partition("://")[0]
    if scheme in STORAGE_SCHEMES:
        return []
    return [_child(origin, "uri").diag(
        f"MLServer loads models from S3 or a PVC, not from {scheme}://", "mlserver.storage",
        hint="use s3://<bucket>/<path> with a connection, or pvc://<claim>/<path>")]


def _user_settings(key: ModelKey, fmt: str, cls: str, user: Mapping[str, str],
                   origins: Mapping[str, Origin]) -> list[Diagnostic]:
    """The documentation allows setting these by hand only to the value inferc would set."""
    out = []
    if NAME in user and user[NAME] != key.name:
        out.append(_env_origin(origins, NAME, user).diag(
            f"{NAME} is '{user[NAME]}' but the model is deployed as '{key.name}'",
            "mlserver.model-name",
            hint=f"MLServer serves the model under its deployment name; remove {NAME}"))
    if IMPLEMENTATION in user and user[IMPLEMENTATION] != cls:
        out.append(_env_origin(origins, IMPLEMENTATION, user).diag(
            f"{IMPLEMENTATION} is '{user[IMPLEMENTATION]}' but format {fmt} needs '{cls}'",
            "mlserver.implementation",
            hint=f"remove {IMPLEMENTATION}; inferc sets it from modelFormat"))
    return out


def _model_uri(fmt: str, files: tuple[str, ...], values: Mapping[str, Any],
               user: Mapping[str, str], origins: Mapping[str, Origin],
               ) -> tuple[PurePosixPath | None, list[Diagnostic]]:
    """The one model URI from spec.mlserver.modelUri and/or the user's env, checked."""
    given: list[tuple[str, Origin]] = []
    spec_uri = (values.get("mlserver") or {}).get("modelUri")
    if spec_uri is not None:
        given.append((spec_uri, _child(origins["mlserver"], "modelUri")))
    if URI in user:
        given.append((user[URI], _env_origin(origins, URI, user)))
    paths = []
    for text, origin in given:
        problem = _check_uri(text, fmt, files)
        if problem is not None:
            return None, [origin.diag(problem[0], "mlserver.model-uri", hint=problem[1])]
        paths.append(PurePosixPath(text))
    if len(paths) == 2 and paths[0] != paths[1]:
        return None, [given[1][1].diag(
            f"{URI} '{given[1][0]}' differs from spec.mlserver.modelUri '{given[0][0]}'",
            "mlserver.model-uri", hint="set the model URI in one place: spec.mlserver.modelUri")]
    return (paths[0] if paths else None), []


def _check_uri(text: str, fmt: str, files: tuple[str, ...]) -> tuple[str, str | None] | None:
    if not text.startswith("/"):
        return (f"model URI '{text}' is not an absolute path",
                f"KServe mounts the model at {MODELS_DIR}; for example {MODELS_DIR}/{files[0]}")
    if ".." in text.split("/"):
        return f"model URI '{text}' must not contain '..'", None
    path = PurePosixPath(text)  # also drops '.' segments and doubled or trailing slashes
    if path != MODELS_DIR and MODELS_DIR not in path.parents:
        return (f"model URI '{text}' is outside {MODELS_DIR}, where KServe mounts the model",
                f"MLServer loads a file as it is, and searches a directory for "
                f"{', '.join(files)} ({fmt}); for example {MODELS_DIR}/{files[0]} or the "
                f"directory {MODELS_DIR}")
    # MLServer's get_model_uri loads a file path as it is, whatever its name; the
    # well-known names only decide what it picks inside a directory. So no file
    # name is wrong here.
    return None


def _env_origin(origins: Mapping[str, Origin], name: str, user: Mapping[str, str]) -> Origin:
    origin = origins[f"env.{name}"]
    return _child(origin, "value") if user[name] else origin


def _child(origin: Origin, field: str) -> Origin:
    return Origin(origin.layer, origin.doc, (*origin.path, field))
