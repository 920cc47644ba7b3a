"""llm-d target: one LLMInferenceService, as the OpenShift AI wizard writes it.

The pod template is ``spec.template`` (never under ``router``: DESIGN rule 9).
The well-known presets the controller merges by the shape of the spec (template,
worker, prefill, scheduler, route) are not copied; what inferc decides — the
scheduler configuration, parallelism, the env the model server needs, and the
node scheduling of worker and prefill pods, which the hardware-profile webhook
does not reach — is written inline.
"""

from __future__ import annotations

from typing import Any

from compiler import vocabulary as V
from compiler.objects import K8sObject
from compiler.render.common import DASHBOARD_LABEL, hardware_profile_annotations, metadata
from compiler.resolve.gateway import edge
from compiler.resolve.llmd import LlmdWorkload, Parallelism
from compiler.resolve.records import ResolvedDeployment


def render(rd: ResolvedDeployment) -> list[K8sObject]:
    return [llm_inference_service(rd, rd.workload_as(LlmdWorkload))]


def llm_inference_service(rd: ResolvedDeployment, workload: LlmdWorkload) -> K8sObject:
    dashboard = workload.release.dashboard
    return {
        "apiVersion": workload.api_version,
        "kind": "LLMInferenceService",
        "metadata": metadata(rd.key.name, rd.key.namespace, labels=_labels(rd, dashboard),
                             annotations=_annotations(rd, dashboard)),
        "spec": _spec(rd, workload),
    }


def _labels(rd: ResolvedDeployment, dashboard: bool) -> dict[str, str]:
    if not dashboard:
        return {}
    labels = {DASHBOARD_LABEL: "true"}
    if rd.access.ai_asset_use_case is not None:
        labels[V.GENAI_ASSET] = "true"
    return labels


def _annotations(rd: ResolvedDeployment, dashboard: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    if not rd.access.auth and rd.environment.release.runs("llmdAuthPolicy"):
        # Read by the platform's controller that writes the AuthPolicy; the dashboard
        # writes the key only to turn auth off (absent means on).
        out[V.ENABLE_AUTH] = "false"
    if not dashboard:
        return out
    out.update({V.DISPLAY_NAME: rd.display_name,
                V.MODEL_TYPE: rd.model_type, **hardware_profile_annotations(rd)})
    if rd.description:
        out[V.DESCRIPTION] = rd.description
    if rd.access.ai_asset_use_case:
        out[V.GENAI_USE_CASE] = rd.access.ai_asset_use_case
    if rd.storage.connection is not None:
        out[V.CONNECTIONS] = rd.storage.connection
        if rd.storage.scheme == "s3":
            out[V.CONNECTION_PATH] = rd.storage.path
    if rd.access.stopped:
        # only a declared stop: a "false" in Git would undo the dashboard's Stop button
        out[V.STOP] = "true"
    return out


def _spec(rd: ResolvedDeployment, workload: LlmdWorkload) -> K8sObject:
    spec: K8sObject = {"model": {"uri": rd.storage.uri, "name": rd.key.name},
                       "replicas": rd.scaling.max_replicas}
    if workload.base_refs:
        spec["baseRefs"] = [{"name": n} for n in workload.base_refs]
    if workload.parallelism is not None:
        spec["parallelism"] = workload.parallelism.as_spec()
    if workload.rollout is not None:
        spec["rolloutStrategy"] = dict(workload.rollout)
    spec["router"] = _router(rd, workload)
    spec["template"] = _template(rd, workload, own_scheduling=not workload.release.profile_webhook,
                                 env=list(workload.main_env))
    if workload.workers:
        spec["worker"] = _template(rd, workload, own_scheduling=True, env=list(workload.main_env),
                                   pull_secrets=False)
    if workload.prefill is not None:
        spec["prefill"] = _prefill(rd, workload)
    return spec


def _router(rd: ResolvedDeployment, workload: LlmdWorkload) -> K8sObject:
    gateway = _gateway_ref(rd)
    router: K8sObject = {"route": {}, "gateway": {"refs": [gateway]} if gateway else {}}
    if workload.scheduler is None:
        return router
    config = workload.config
    router["scheduler"] = {"config": {"inline": config}} if config is not None else {}
    return router


def _gateway_ref(rd: ResolvedDeployment) -> dict[str, str] | None:
    """The environment's gateway when it names one; the controller's default otherwise
    (written ``gateway: {}``, as the dashboard does)."""
    gateway = edge(rd.environment).gateway
    ref = gateway.ref if gateway is not None else None
    return {"name": ref[0], "namespace": ref[1]} if ref else None


def _container(rd: ResolvedDeployment, workload: LlmdWorkload, requests: Any, limits: Any,
               env: list[dict[str, Any]]) -> K8sObject:
    container: K8sObject = {"name": "main"}
    if workload.image is not None:
        container["image"] = workload.image
    if env:
        container["env"] = env
    container["resources"] = {"requests": dict(requests), "limits": dict(limits)}
    return container


def _template(rd: ResolvedDeployment, workload: LlmdWorkload, *, own_scheduling: bool,
              env: list[dict[str, Any]], requests: Any = None, limits: Any = None,
              pull_secrets: bool = True) -> K8sObject:
    res = rd.resources
    pod: K8sObject = {"containers": [_container(
        rd, workload, res.requests if requests is None else requests,
        res.limits if limits is None else limits, env)]}
    if pull_secrets and rd.storage.pull_secrets:
        pod["imagePullSecrets"] = [{"name": n} for n in rd.storage.pull_secrets]
    if own_scheduling:
        if workload.node_selector:
            pod["nodeSelector"] = dict(workload.node_selector)
        if workload.tolerations:
            pod["tolerations"] = [dict(t) for t in workload.tolerations]
    return pod


def _prefill(rd: ResolvedDeployment, workload: LlmdWorkload) -> K8sObject:
    prefill = workload.prefill
    assert prefill is not None
    out: K8sObject = {"replicas": prefill.replicas}
    par: Parallelism | None = prefill.parallelism
    if par is not None:
        out["parallelism"] = par.as_spec()
    if workload.rollout is not None:
        out["rolloutStrategy"] = dict(workload.rollout)
    res = prefill.resources
    out["template"] = _template(rd, workload, own_scheduling=True, env=list(prefill.env),
                                requests=res.requests, limits=res.limits)
    if par is not None and par.group_size > 1:
        out["worker"] = _template(rd, workload, own_scheduling=True, env=list(prefill.env),
                                  requests=res.requests, limits=res.limits, pull_secrets=False)
    return out
