"""Platform bootstrap: the declarative part of the documentation's llm-d set-up
(its prerequisites, the Gateway and the Kuadrant resources), for an environment with
``managePlatform: true``.

* the inference ``GatewayClass`` and ``Gateway``; the Gateway admits routes only
  from the namespaces the environment trusts (the documentation: "only use
  shared Gateways across trusted namespaces"), all of them with
  ``trustedNamespaces: all``, none but its own while none are listed;
* where Kuadrant is installed, the ``Kuadrant`` resource in ``kuadrant-system``
  and, where the platform's gateway reaches Authorino over TLS (OpenShift AI),
  the ``Authorino`` resource serving TLS with the service CA's certificate.

The steps that are not declarative — installing the operators, annotating the
operator-owned Authorino Service so that the certificate Secret exists, and
restarting the controllers installed before Kuadrant — are listed in the README.
"""

from __future__ import annotations

from collections.abc import Sequence

from compiler import vocabulary as V
from compiler.objects import K8sObject
from compiler.render.common import SYNC_WAVE
from compiler.resolve.gateway import Edge, InferenceGateway, edge
from compiler.resolve.records import ResolvedDeployment
from compiler.spec import Environment

KUADRANT_NAMESPACE = "kuadrant-system"  # where the documentation installs Kuadrant
NAME_LABEL = V.NAMESPACE_NAME


def render_environment(env: Environment, deployments: Sequence[ResolvedDeployment],
                       ) -> list[K8sObject]:
    settings = edge(env)
    if not settings.manage_platform or settings.gateway is None:
        return []  # resolve reports a bootstrap without a gateway to create
    gateway = settings.gateway
    objects = []
    if gateway.class_name and gateway.controller_name:
        objects += [_gateway_class(gateway), _gateway(gateway)]
    if settings.kuadrant:
        objects += _kuadrant(settings)
    return objects


def _wave(value: int) -> dict[str, str]:
    # Cluster-level set-up goes before the namespaces (-2) and models that use it.
    return {SYNC_WAVE: str(value)}


def _gateway_class(gateway: InferenceGateway) -> K8sObject:
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
            "metadata": {"name": gateway.class_name, "annotations": _wave(-4)},
            "spec": {"controllerName": gateway.controller_name}}


def _gateway(gateway: InferenceGateway) -> K8sObject:
    namespaces: K8sObject
    if gateway.trusted is None:
        namespaces = {"from": "All"}
    elif gateway.trusted:
        namespaces = {"from": "Selector", "selector": {"matchExpressions": [
            {"key": NAME_LABEL, "operator": "In", "values": sorted(gateway.trusted)}]}}
    else:
        namespaces = {"from": "Same"}
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": {"name": gateway.name, "namespace": gateway.namespace,
                         "annotations": _wave(-3)},
            "spec": {"gatewayClassName": gateway.class_name, "listeners": [
                {"name": "http", "port": 80, "protocol": "HTTP",
                 "allowedRoutes": {"namespaces": namespaces}}]}}


def _kuadrant(settings: Edge) -> list[K8sObject]:
    objects: list[K8sObject] = [
        {"apiVersion": "kuadrant.io/v1beta1", "kind": "Kuadrant",
         "metadata": {"name": "kuadrant", "namespace": KUADRANT_NAMESPACE,
                      "annotations": _wave(-4)}}]
    secret = settings.facts.authorino_cert_secret
    if secret is not None:
        objects.append({
            "apiVersion": "operator.authorino.kuadrant.io/v1beta1", "kind": "Authorino",
            "metadata": {"name": "authorino", "namespace": KUADRANT_NAMESPACE,
                         "annotations": _wave(-3)},
            "spec": {"replicas": 1, "clusterWide": True,
                     "listener": {"tls": {"enabled": True, "certSecretRef": {"name": secret}}},
                     "oidcServer": {"tls": {"enabled": False}}}})
    return objects
