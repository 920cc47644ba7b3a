"""KServe target: a ServingRuntime copied from the chosen template and an InferenceService.

On OpenShift AI both are written as the wizard writes them (the wizard's ServingRuntime and InferenceService),
so the dashboard lists and edits GitOps-managed models as its own. On a platform
without the dashboard (``dashboard.labels: false`` in presets/platforms/) none of its
labels and annotations are written, a ClusterServingRuntime the platform installs is
referenced by name instead of copied, and what OpenShift AI's webhooks would add is
rendered by :mod:`compiler.render.without_platform`.
"""

from __future__ import annotations

from compiler import vocabulary as V
from compiler.objects import K8sObject, plain_copy
from compiler.render import without_platform as bare
from compiler.render.common import DASHBOARD_LABEL, before_model, hardware_profile_annotations, metadata
from compiler.resolve.kserve import KServeWorkload
from compiler.resolve.records import ResolvedDeployment


def render(rd: ResolvedDeployment) -> list[K8sObject]:
    # installed cluster-wide: named, never copied
    if rd.workload_as(KServeWorkload).runtime.template.cluster_scoped:
        return [inference_service(rd)]
    return [serving_runtime(rd), inference_service(rd)]


def _dashboard(rd: ResolvedDeployment) -> bool:
    return rd.environment.release.dashboard_labels


def serving_runtime(rd: ResolvedDeployment) -> K8sObject:
    """A namespaced deep copy of the template's ServingRuntime, named like the model."""
    choice = rd.workload_as(KServeWorkload).runtime
    template = choice.template
    source = plain_copy(template.serving_runtime)
    if not _dashboard(rd):
        return {"apiVersion": "serving.kserve.io/v1alpha1", "kind": "ServingRuntime",
                "metadata": metadata(rd.key.name, rd.key.namespace, annotations=before_model()),
                "spec": source["spec"]}
    src_meta = source.get("metadata", {})
    annotations = dict(src_meta.get("annotations", {}))
    display = annotations.get(V.DISPLAY_NAME, template.display_name)
    if template.api_protocol and "annotations" in src_meta:
        annotations[V.API_PROTOCOL] = template.api_protocol
    annotations.update({
        **before_model(),
        V.DISPLAY_NAME: display,
        V.TEMPLATE_NAME: template.name,
        V.TEMPLATE_DISPLAY_NAME: display,
    })
    # The wizard's manual choice carries a scope, and on 3.3/3.4 its automatic
    # suggestion too; global means the Template lives in the dashboard namespace.
    if choice.mode == "explicit" or rd.environment.release.has("suggestedRuntimeScope"):
        is_global = template.namespace in (None, rd.environment.dashboard_namespace)
        annotations[V.RUNTIME_SCOPE] = "global" if is_global else "project"
    labels = dict(src_meta.get("labels", {}))
    return {
        "apiVersion": "serving.kserve.io/v1alpha1",
        "kind": "ServingRuntime",
        "metadata": metadata(rd.key.name, rd.key.namespace, labels=labels,
                             annotations=annotations),
        "spec": source["spec"],
    }



def inference_service(rd: ResolvedDeployment) -> K8sObject:
    if not _dashboard(rd):
        annotations = {**bare.deployment_mode(rd), **bare.storage_annotations(rd),
                       **_stop_annotation(rd)}
        labels = bare.labels(rd)
    else:
        annotations, labels = _dashboard_annotations(rd), _labels(rd)
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": metadata(rd.key.name, rd.key.namespace, labels=labels,
                             annotations=annotations),
        "spec": {"predictor": _predictor(rd)},
    }


def _dashboard_annotations(rd: ResolvedDeployment) -> dict[str, str]:
    return {
        **_connection_annotations(rd),
        **_access_annotations(rd),
        V.DISPLAY_NAME: rd.display_name,
        V.DESCRIPTION: rd.description,
        V.MODEL_TYPE: rd.model_type,
        **hardware_profile_annotations(rd),
    }


def _labels(rd: ResolvedDeployment) -> dict[str, str]:
    labels = {DASHBOARD_LABEL: "true"}
    if rd.access.external:
        labels[V.VISIBILITY] = "exposed"
    if rd.access.ai_asset_use_case is not None:
        labels[V.GENAI_ASSET] = "true"  # a label, not an annotation
    return labels


def _access_annotations(rd: ResolvedDeployment) -> dict[str, str]:
    access = rd.access
    # Always written by the wizard, "true" exactly when a token is requested.
    out = {V.ENABLE_AUTH: "true" if access.auth else "false"}
    if access.ai_asset_use_case:
        out[V.GENAI_USE_CASE] = access.ai_asset_use_case
    return {**out, **_stop_annotation(rd)}


def _stop_annotation(rd: ResolvedDeployment) -> dict[str, str]:
    # KServe's own: the predictor scales to zero while "true" (GetForceStopRuntime).
    # Only a declared stop is written: a "false" in Git would make Argo CD self-heal
    # undo the dashboard's Stop button (README: Stop and Start).
    if not rd.access.stopped:
        return {}
    return {V.STOP: "true"}


def _connection_annotations(rd: ResolvedDeployment) -> dict[str, str]:
    # The connections webhook fills storage.key/path (S3) or imagePullSecrets
    # (OCI) from the named Secret at admission; inferc writes only what the
    # wizard writes, so Argo CD sees no difference afterwards (the connections webhook).
    storage = rd.storage
    if storage.connection is None:
        return {}
    out = {V.CONNECTIONS: storage.connection}
    if storage.scheme == "s3":
        out[V.CONNECTION_PATH] = storage.path
    return out


def _predictor(rd: ResolvedDeployment) -> K8sObject:
    # No deploymentMode annotation: OpenShift AI defaults to raw deployment and
    # its wizard writes none (DESIGN rule 8). The wizard always writes a strategy.
    scaling = rd.scaling
    predictor: K8sObject = {
        "minReplicas": scaling.min_replicas,
        "maxReplicas": scaling.max_replicas,
    }
    if scaling.metric is not None:
        predictor["scaleMetric"] = scaling.metric
        predictor["scaleTarget"] = scaling.target
    predictor["deploymentStrategy"] = _strategy(rd)
    if rd.access.timeout is not None:
        predictor["timeout"] = rd.access.timeout
    pulls = rd.storage.pull_secrets if _dashboard(rd) else bare.pull_secrets(rd)
    if pulls:
        predictor["imagePullSecrets"] = [{"name": n} for n in pulls]
    if not rd.environment.release.runs("hardwareProfileWebhook"):
        predictor.update(bare.scheduling(rd))
    predictor["model"] = _model(rd)
    return predictor


def _strategy(rd: ResolvedDeployment) -> K8sObject:
    strategy = rd.workload_as(KServeWorkload).strategy
    out: K8sObject = {"type": strategy.type}
    rolling = {k: v for k, v in (("maxSurge", strategy.max_surge),
                                 ("maxUnavailable", strategy.max_unavailable)) if v is not None}
    if rolling:
        out["rollingUpdate"] = rolling
    return out


def _model(rd: ResolvedDeployment) -> K8sObject:
    workload = rd.workload_as(KServeWorkload)
    fmt: K8sObject = {"name": workload.model_format.name}
    if workload.model_format.version is not None:
        fmt["version"] = workload.model_format.version
    template = workload.runtime.template
    model: K8sObject = {
        "modelFormat": fmt,
        "runtime": template.runtime_name if template.cluster_scoped else rd.key.name,
    }
    if workload.protocol is not None:
        model["protocolVersion"] = workload.protocol
    # On OpenShift AI, S3 comes from the connection, through the webhook.
    if rd.storage.scheme != "s3" or not rd.environment.release.runs("connectionsWebhook"):
        model["storageUri"] = rd.storage.uri
    model["resources"] = {
        "requests": dict(rd.resources.requests),
        "limits": dict(rd.resources.limits),
    }
    if rd.args:
        model["args"] = list(rd.args)
    env = rd.env + workload.extra_env
    if env:
        model["env"] = [e.as_k8s() for e in env]
    return model
