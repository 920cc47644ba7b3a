"""An InferenceService, its ServingRuntime and its token objects → a ModelDeployment.

The runtime is recognised by the template the dashboard copied it from
(``opendatahub.io/template-name``, either the Template's or its ServingRuntime's name,
as the dashboard's ``findTemplateByName`` accepts) in the same catalog the resolver
uses; a ServingRuntime from no known template becomes a repo preset, a plain
ServingRuntime under ``presets/runtimes/``, which the repo reads as the dashboard's
"Add serving runtime" would wrap it.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from compiler import vocabulary as V
from compiler.catalog import RuntimeTemplate
from compiler.diagnostics import Diagnostic, excerpt
from compiler.importer import cluster, common
from compiler.importer.objects import ClusterObject
from compiler.importer.records import Adopted, Context, names, nested
from compiler.importer.tokens import token_objects
from compiler.spec import ModelKey

# predictor.<framework>: KServe's older shorthand for predictor.model with that format
FRAMEWORKS = ("sklearn", "xgboost", "tensorflow", "pytorch", "onnx", "triton", "lightgbm",
              "pmml", "paddle", "huggingface")
GENERATIVE_FORMATS = ("vLLM", "huggingface")
_DNS_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")  # also what spec.runtime takes
# ServingRuntime annotations the rendered copy sets itself from the template
_RENDERED = (V.TEMPLATE_NAME, V.TEMPLATE_DISPLAY_NAME, V.RUNTIME_SCOPE, V.SYNC_WAVE)


def adopt(isvc: ClusterObject, ctx: Context) -> Adopted:
    data, _ = cluster.strip(isvc.kind, isvc.data)
    predictor = _mapping(nested(data, "spec", "predictor"))
    model, framework = _model(predictor)
    key = ModelKey(isvc.namespace, isvc.name)
    notes = [f"{isvc.ref}: spec.predictor.{framework} is written as spec.predictor.model "
             f"with modelFormat {framework} (the same model in KServe's current form)"] \
        if framework else []
    storage, secret, problems = _storage(isvc, model, predictor, ctx)
    runtime, runtime_source, presets, more = _runtime(isvc, model, ctx)
    problems += more
    if storage is None or runtime is None:
        read = (isvc, *((runtime_source,) if runtime_source else ()))
        # a connection Secret that was read is this model's, even when it failed
        return Adopted(key, isvc, None, read, diagnostics=tuple(problems),
                       consumed=(secret,) if secret is not None else ())
    spec: dict[str, Any] = {"modelType": _model_type(isvc, model)}
    fmt = model.get("modelFormat")
    if isinstance(fmt, dict) and (spec["modelType"] == "predictive"
                                  or fmt.get("name") != ctx.environment.release
                                  .generative_format.name):
        spec["modelFormat"] = {k: v for k, v in fmt.items() if k in ("name", "version")}
    spec["storage"] = storage
    spec["runtime"] = runtime
    spec.update(common.hardware(isvc, model.get("resources"), ctx))
    spec.update(_scaling(predictor, common.implied_replicas(ctx)))
    if isinstance(predictor.get("deploymentStrategy"), dict):
        spec["strategy"] = _strategy(predictor["deploymentStrategy"])
    if "timeout" in predictor:
        spec["timeout"] = predictor["timeout"]
    if "protocolVersion" in model:
        spec["protocolVersion"] = model["protocolVersion"]
    # as read: a malformed list is then reported by the spec's schema, never dropped
    if model.get("args"):
        spec["args"] = model["args"]
    if model.get("env"):
        spec["env"] = model["env"]
    tokens = token_objects(isvc, ctx)
    access, more = _access(isvc, tokens.tokens, ctx.environment.release.dashboard_labels)
    problems += more
    if access:
        spec["access"] = access
    spec.update(common.switches(isvc))
    sources = (isvc, *((runtime_source,) if runtime_source else ()), *tokens.objects)
    return Adopted(key, isvc, common.document(isvc, spec), sources, presets, tuple(notes),
                   tuple(problems), (secret,) if secret is not None else ())


def _model(predictor: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    model = predictor.get("model")
    if isinstance(model, dict):
        return model, None
    for framework in FRAMEWORKS:
        if isinstance(predictor.get(framework), dict):
            shorthand = dict(predictor[framework])
            fmt = {"name": framework}
            return {"modelFormat": fmt, **shorthand}, framework
    return {}, None


def _model_type(isvc: ClusterObject, model: dict[str, Any]) -> str:
    declared = isvc.annotations().get(V.MODEL_TYPE)
    if declared in ("generative", "predictive"):
        return declared
    name = nested(model, "modelFormat", "name")
    return "generative" if name in GENERATIVE_FORMATS else "predictive"


def _storage(isvc: ClusterObject, model: dict[str, Any], predictor: dict[str, Any],
             ctx: Context) -> tuple[dict[str, Any] | None, ClusterObject | None,
                                    list[Diagnostic]]:
    annotations = isvc.annotations()
    connection = annotations.get(V.CONNECTIONS)
    uri = model.get("storageUri")
    where = _model_path(isvc) + ("storageUri",)
    secret = None
    if not isinstance(uri, str) and connection and V.CONNECTION_PATH in annotations:
        # The wizard's S3 model has no URI: the webhook reads the bucket from the connection.
        secret = ctx.find("Secret", isvc.namespace, connection)
        if secret is not None:
            bucket, why = _bucket(secret)
            if bucket is None:
                return None, secret, [secret.diag(
                    ("data", "AWS_S3_BUCKET"), f"{secret.ref}: {why}; the S3 model of "
                    f"{isvc.ref} is named as s3://<bucket>/<path> from it", "import.s3-bucket")]
        else:
            return None, None, [isvc.diag(
                ("metadata", "annotations", V.CONNECTIONS), f"the S3 bucket of connection "
                f"{excerpt(connection)} is not in the input; a spec names the model as "
                "s3://<bucket>/<path>", "import.s3-bucket",
                hint=f"add the connection Secret (kubectl get secret {connection} -n "
                     f"{isvc.namespace} -o yaml; only its AWS_S3_BUCKET is read), or write "
                     "storage.uri by hand")]
        uri = f"s3://{bucket}/{annotations[V.CONNECTION_PATH].strip('/')}"
    if not isinstance(uri, str):
        return None, None, [isvc.diag(_model_path(isvc), "no storageUri: a spec needs the "
                                      "model's location", "import.inexpressible")]
    if common.scheme(uri) not in common.SCHEMES:
        return None, None, [isvc.diag(where, f"the model location {excerpt(uri)} has a scheme "
                                      "a spec cannot express (it takes "
                                      f"{', '.join(common.SCHEMES)})", "import.inexpressible")]
    storage: dict[str, Any] = {"uri": uri}
    if connection and common.scheme(uri) in ("s3", "oci"):
        storage["connection"] = connection
    pulls = [n for n in names(predictor.get("imagePullSecrets")) if n != connection]
    if pulls and common.scheme(uri) == "oci":
        storage["pullSecrets"] = pulls
    return storage, secret, []


def _bucket(secret: ClusterObject) -> tuple[str | None, str]:
    """AWS_S3_BUCKET of a connection Secret (the only key read: the rest are
    credentials), or why it cannot be read. The value is never shown."""
    plain = nested(secret.data, "stringData", "AWS_S3_BUCKET")  # a hand-written Secret
    if isinstance(plain, str) and plain.strip():
        return plain.strip(), ""
    raw = nested(secret.data, "data", "AWS_S3_BUCKET")
    if not isinstance(raw, str):
        return None, "the connection Secret has no AWS_S3_BUCKET"
    try:
        bucket = base64.b64decode(raw, validate=True).decode("utf-8").strip()
    except (binascii.Error, UnicodeDecodeError):
        return None, "AWS_S3_BUCKET is not base64-encoded text, as a Secret's data must be"
    return (bucket, "") if bucket else (None, "AWS_S3_BUCKET is empty")


def _mapping(value: Any) -> dict[str, Any]:
    """A mapping as read, or an empty one for anything else (the round trip then reports
    the field, located, instead of the reader failing on it)."""
    return value if isinstance(value, dict) else {}


def _model_path(isvc: ClusterObject) -> tuple[str, ...]:
    predictor = _mapping(nested(isvc.data, "spec", "predictor"))
    for key in ("model", *FRAMEWORKS):
        if key in predictor:
            return ("spec", "predictor", key)
    return ("spec", "predictor")


def _runtime(isvc: ClusterObject, model: dict[str, Any], ctx: Context,
             ) -> tuple[str | None, ClusterObject | None,
                        dict[str, tuple[ClusterObject, dict[str, Any]]], list[Diagnostic]]:
    """``runtime:`` and the ServingRuntime it stands for (compared too)."""
    name = model.get("runtime")
    if not isinstance(name, str):
        return "auto", None, {}, []
    runtime = ctx.find("ServingRuntime", isvc.namespace, name)
    if runtime is None:
        cluster_wide = next((t for t in ctx.runtimes if t.cluster_scoped
                             and t.runtime_name == name), None)
        if cluster_wide is not None:
            return cluster_wide.name, None, {}, []
        return None, None, {}, [isvc.diag(
            (*_model_path(isvc), "runtime"), f"the ServingRuntime {excerpt(name)} this model "
            "names is not in the input", "import.runtime-missing",
            hint=f"add it: kubectl get servingruntime {name} -n {isvc.namespace} -o yaml")]
    annotations = runtime.annotations()
    template = _known(annotations.get(V.TEMPLATE_NAME), ctx)
    if template is not None:
        # The wizard writes a scope for a runtime the user picked; 3.5's automatic
        # suggestion writes none, so a copy without one was suggested.
        explicit = V.RUNTIME_SCOPE in annotations or not ctx.environment.release.dashboard_labels
        return (template.name if explicit else "auto"), runtime, {}, []
    preset_name, preset_path, preset = _preset(runtime, ctx)
    if not _DNS_NAME.match(preset_name) or len(preset_name) > 253:
        return None, runtime, {}, [runtime.diag(
            ("metadata", "annotations", V.TEMPLATE_NAME), f"template name "
            f"{excerpt(preset_name)} cannot name a preset file in presets/runtimes/ (a DNS-1123 "
            "name)", "import.name")]
    return preset_name, runtime, {preset_path: (runtime, preset)}, []


def _known(name: str | None, ctx: Context) -> RuntimeTemplate | None:
    """The template by either of its names; the repo's own win, as in runtime selection."""
    if not name:
        return None
    return next((t for t in reversed(ctx.runtimes) if name in (t.name, t.runtime_name)), None)


def _preset(runtime: ClusterObject, ctx: Context) -> tuple[str, str, dict[str, Any]]:
    """A ServingRuntime from no known template, as a repo preset named like the template
    it came from (so the rendered copy carries the same template name); global when the
    dashboard scoped it so, else in the model's project."""
    data, _ = cluster.strip(runtime.kind, runtime.data)
    annotations = runtime.annotations()
    name = annotations.get(V.TEMPLATE_NAME) or runtime.name
    meta: dict[str, Any] = {"name": name}
    scope_global = annotations.get(V.RUNTIME_SCOPE) == "global"
    if not scope_global:
        meta["namespace"] = runtime.namespace
    labels = runtime.labels()
    if labels:
        meta["labels"] = dict(labels)
    kept = {k: v for k, v in annotations.items() if k not in _RENDERED}
    display = annotations.get(V.TEMPLATE_DISPLAY_NAME)
    if display and V.DISPLAY_NAME not in kept:
        kept[V.DISPLAY_NAME] = display
    if kept:
        meta["annotations"] = kept
    preset = {"apiVersion": runtime.api_version, "kind": "ServingRuntime", "metadata": meta,
              "spec": data.get("spec", {})}
    file = f"presets/runtimes/{name}.yaml" if scope_global else \
        f"presets/runtimes/{runtime.namespace}-{name}.yaml"
    return name, file, preset


def _scaling(predictor: dict[str, Any], implied: int) -> dict[str, Any]:
    low, high = predictor.get("minReplicas"), predictor.get("maxReplicas")
    if low is None and high is None:
        return {}
    if low == high or high in (None, 0):
        count = low if low is not None else high
        return {} if count == implied else {"replicas": count}
    scaling: dict[str, Any] = {"minReplicas": low if low is not None else 1, "maxReplicas": high}
    if "scaleMetric" in predictor:
        scaling["metric"] = predictor["scaleMetric"]
    if "scaleTarget" in predictor:
        scaling["target"] = predictor["scaleTarget"]
    return {"scaling": scaling}


def _strategy(strategy: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": strategy.get("type", "RollingUpdate")}
    rolling = strategy.get("rollingUpdate")
    if isinstance(rolling, dict):
        out.update({k: rolling[k] for k in ("maxSurge", "maxUnavailable") if k in rolling})
    return out


def _access(isvc: ClusterObject, tokens: tuple[str, ...],
            dashboard: bool) -> tuple[dict[str, Any], list[Diagnostic]]:
    annotations, labels = isvc.annotations(), isvc.labels()
    access: dict[str, Any] = {}
    # OpenShift AI routes a model out only when labelled exposed; upstream KServe exposes
    # every model through its ingress unless it is labelled cluster-local.
    visibility = labels.get(V.VISIBILITY)
    if visibility == "exposed" or (not dashboard and visibility != "cluster-local"):
        access["external"] = True
    if annotations.get(V.ENABLE_AUTH) == "true":
        if not tokens:
            return access, [isvc.diag(
                ("metadata", "annotations", V.ENABLE_AUTH), "token authentication is on, but "
                f"the input holds no token Secret of ServiceAccount {isvc.name}-sa; a spec "
                "names its tokens", "import.tokens-missing",
                hint=f"add them: kubectl get secret -n {isvc.namespace} -o yaml "
                     f"--field-selector type=kubernetes.io/service-account-token")]
        access["tokens"] = list(tokens)
    elif access.get("external"):
        access["public"] = True  # the cluster serves it without tokens: say so
    return access, []
