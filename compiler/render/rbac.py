"""Token authentication objects, exactly as the dashboard creates them (the dashboard's token authentication):
ServiceAccount ``<model>-sa``, Role ``<model>-view-role`` granting ``get`` on this model,
RoleBinding ``<model>-view``, and one token Secret ``<token>-<model>-sa`` per token name.

Without the dashboard (``dashboard.labels: false`` in presets/platforms/, upstream KServe)
the same objects carry none of its labels or annotations, as for the model itself.

The dashboard also sets an ownerReference to the model; that needs the model's
UID, which only the cluster knows, so inferc leaves it out (Argo CD prunes them).
"""

from __future__ import annotations

from compiler import vocabulary as V
from compiler.objects import K8sObject
from compiler.render.common import DASHBOARD_LABEL, before_model, metadata
from compiler.resolve.records import ResolvedDeployment
from compiler.targets import facts


def render(rd: ResolvedDeployment) -> list[K8sObject]:
    if not rd.access.auth:
        return []
    name, namespace = rd.key.name, rd.key.namespace
    account = f"{name}-sa"
    on_dashboard = rd.environment.release.dashboard_labels
    dashboard = {DASHBOARD_LABEL: "true"} if on_dashboard else None
    target = facts(rd.target)
    objects: list[K8sObject] = [
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": metadata(account, namespace, annotations=before_model())},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
         "metadata": metadata(f"{name}-view-role", namespace, labels=dashboard,
                              annotations=before_model()),
         "rules": [{"verbs": ["get"], "apiGroups": [target.api_group],
                    "resources": [target.rbac_resource], "resourceNames": [name]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": metadata(f"{name}-view", namespace, labels=dashboard,
                              annotations=before_model()),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                     "name": f"{name}-view-role"},
         "subjects": [{"kind": "ServiceAccount", "name": account}]},
    ]
    for token in rd.access.tokens:
        annotations = {V.SERVICE_ACCOUNT_NAME: account, **before_model()}
        if on_dashboard:
            # the token's name as the dashboard lists it
            annotations[V.DISPLAY_NAME] = token.display
        objects.append({"apiVersion": "v1", "kind": "Secret",
                        "metadata": metadata(f"{token.name}-{account}", namespace,
                                             labels=dashboard, annotations=annotations),
                        "type": "kubernetes.io/service-account-token"})
    return objects
