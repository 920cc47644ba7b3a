"""Token authentication objects as the dashboard creates them (platform-facts §3.3):
ServiceAccount ``<model>-sa``, Role ``<model>-view-role``, RoleBinding ``<model>-view``
and one token Secret per token, annotated with the ServiceAccount and the token's
display name."""

from __future__ import annotations

from dataclasses import dataclass

from compiler import vocabulary as V
from compiler.importer.objects import ClusterObject
from compiler.importer.records import Context

TOKEN_TYPE = "kubernetes.io/service-account-token"


@dataclass(frozen=True)
class TokenObjects:
    tokens: tuple[str, ...]  # display names, in input order
    objects: tuple[ClusterObject, ...]  # the account, role, binding and token Secrets found


def token_objects(model: ClusterObject, ctx: Context) -> TokenObjects:
    account = f"{model.name}-sa"
    found = [o for kind, name in (("ServiceAccount", account),
                                  ("Role", f"{model.name}-view-role"),
                                  ("RoleBinding", f"{model.name}-view"))
             if (o := ctx.find(kind, model.namespace, name)) is not None]
    secrets = [o for o in ctx.objects if is_token_secret(o, model.namespace, account)]
    displays = tuple(_display(s, account) for s in secrets)
    return TokenObjects(displays, (*found, *secrets))


def is_token_secret(obj: ClusterObject, namespace: str, account: str) -> bool:
    return (obj.kind == "Secret" and obj.namespace == namespace
            and obj.data.get("type") == TOKEN_TYPE
            and obj.annotations().get(V.SERVICE_ACCOUNT_NAME) == account)


def _display(secret: ClusterObject, account: str) -> str:
    """The token's name as the dashboard lists it: its display-name annotation, else the
    Secret's name without the ``-<account>`` suffix the dashboard appends."""
    shown = secret.annotations().get(V.DISPLAY_NAME)
    if shown:
        return shown
    return secret.name.removesuffix(f"-{account}") or secret.name
