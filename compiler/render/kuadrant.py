"""Kuadrant policies of one llm-d model (the documentation on llm-d
authentication and rate limits; DESIGN rule 4).

Every policy targets the HTTPRoute the KServe controller creates for the model,
by the name it gives it (``<model>-kserve-route``, KServe
``pkg/controller/v1alpha2/llmisvc/router.go``):

* ``AuthPolicy`` — only where inferc writes it (upstream KServe with Kuadrant;
  on OpenShift AI odh-model-controller writes its own, never both). Named and
  shaped as odh-model-controller names its route policies (``<route>-authn``,
  ``internal/controller/resources/template/authpolicy_*.yaml``): a Kubernetes
  TokenReview of the caller's service-account token and a SubjectAccessReview
  that it may ``get`` this LLMInferenceService, which the token Role grants; or
  anonymous access for a ``public: true`` model, so that a deny-by-default
  policy on the gateway cannot hide it.
* ``RateLimitPolicy`` (requests) and ``TokenRateLimitPolicy`` (model tokens,
  counted from the responses' usage) — one counter per model.

They are applied before the model (sync wave -1), so that the route is never
served without them.
"""

from __future__ import annotations

from compiler.objects import K8sObject
from compiler.render.common import before_model, metadata
from compiler.resolve.gateway import behind_gateway, edge
from compiler.resolve.llmd import LlmdWorkload
from compiler.resolve.records import Rate, ResolvedDeployment

GATEWAY_GROUP = "gateway.networking.k8s.io"


def route_name(rd: ResolvedDeployment) -> str:
    """The HTTPRoute KServe creates for an llm-d model with a managed route
    (``kmeta.ChildName(name, "-kserve-route")``; the names rule keeps it whole)."""
    return rd.workload_as(LlmdWorkload).names["route"]


def render(rd: ResolvedDeployment) -> list[K8sObject]:
    if not behind_gateway(rd):
        return []
    settings = edge(rd.environment)
    objects = []
    if settings.kuadrant and settings.inferc_auth_policies:
        objects.append(auth_policy(rd, settings.token_audiences))
    limits = rd.access.rate_limits
    if limits.requests:
        objects.append(_limit_policy(rd, "RateLimitPolicy", "kuadrant.io/v1", "rate-limit",
                                     "requests", limits.requests))
    if limits.tokens:
        objects.append(_limit_policy(rd, "TokenRateLimitPolicy", "kuadrant.io/v1alpha1",
                                     "token-rate-limit", "tokens", limits.tokens))
    return objects


def _target(rd: ResolvedDeployment) -> K8sObject:
    return {"group": GATEWAY_GROUP, "kind": "HTTPRoute", "name": route_name(rd)}


def auth_policy(rd: ResolvedDeployment, audiences: tuple[str, ...]) -> K8sObject:
    name, namespace = rd.key.name, rd.key.namespace
    rules: K8sObject
    if rd.access.auth:
        rules = {
            "authentication": {"kubernetes-user": {
                "kubernetesTokenReview": {"audiences": list(audiences)}}},
            "authorization": {"inference-access": {"kubernetesSubjectAccessReview": {
                "user": {"expression": "auth.identity.user.username"},
                "authorizationGroups": {"expression": "auth.identity.user.groups"},
                "resourceAttributes": {
                    "group": {"value": "serving.kserve.io"},
                    "resource": {"value": "llminferenceservices"},
                    "namespace": {"value": namespace},
                    "name": {"value": name},
                    "verb": {"value": "get"}}}}},
        }
    else:
        rules = {"authentication": {"public": {"anonymous": {}}}}
    return {"apiVersion": "kuadrant.io/v1", "kind": "AuthPolicy",
            "metadata": metadata(f"{route_name(rd)}-authn", namespace,
                                 annotations=before_model()),
            "spec": {"targetRef": _target(rd), "rules": rules}}


def _limit_policy(rd: ResolvedDeployment, kind: str, api_version: str, suffix: str,
                  limit: str, rates: tuple[Rate, ...]) -> K8sObject:
    return {"apiVersion": api_version, "kind": kind,
            "metadata": metadata(f"{rd.key.name}-{suffix}", rd.key.namespace,
                                 annotations=before_model()),
            "spec": {"targetRef": _target(rd), "limits": {limit: {"rates": [
                {"limit": r.limit, "window": r.window} for r in rates]}}}}
