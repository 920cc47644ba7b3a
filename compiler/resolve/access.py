"""Access: external route, token authentication, AI asset, stop, route timeout
(the wizard's access step; the route and token objects the dashboard writes; DESIGN rule 4).

inferc is secure by default: an endpoint reachable from outside without token
authentication must be asked for with ``public: true``. KServe models have token
authentication when they list tokens (the wizard's checkbox is off by default);
llm-d models, which the shared inference gateway exposes, get one token
``default-name`` as the wizard gives them, unless the spec turns auth off, which
needs ``public: true``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.platforms import Platform
from compiler.resolve import ratelimit
from compiler.resolve.features import require
from compiler.resolve.layers import Origin
from compiler.resolve.records import Access, Token
from compiler.targets import facts

# JavaScript's \s and String.prototype.trim() (ECMA-262 WhiteSpace + LineTerminator);
# Python's str.isspace() differs (it adds \x1c-\x1f and lacks \ufeff).
_JS_SPACE = "".join(["\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff",
                     *map(chr, range(0x2000, 0x200B))])
_SPACE = re.compile(f"[{re.escape(_JS_SPACE)}]")
_NOT_K8S = re.compile(r"[^a-z0-9-]")
_DASHES = re.compile(r"-+")
DEFAULT_TOKEN = "default-name"  # the llm-d wizard's one default token (the dashboard's token authentication)


def js_trim(text: str) -> str:
    """String.prototype.trim(): the display-name annotation the dashboard writes."""
    return text.strip(_JS_SPACE)


def token_name(display: str) -> str:
    """The dashboard's ``translateDisplayNameForK8s`` (frontend/src/concepts/k8s/utils.ts,
    identical in OpenShift AI 3.3, 3.4 and 3.5): trim, lower-case, whitespace to '-',
    every other character outside [a-z0-9-] deleted, edge dashes dropped, dash runs
    collapsed. A name that translates to nothing gets a random name there; inferc
    reports it instead (see _tokens)."""
    name = _NOT_K8S.sub("", _SPACE.sub("-", js_trim(display).lower()))
    return _DASHES.sub("-", name.strip("-"))


def resolve(values: Mapping[str, Any], origins: Mapping[str, Origin], model_type: str,
            release: Platform, target: str = "kserve") -> tuple[Access, list[Diagnostic]]:
    access = values.get("access", {})
    gateway = facts(target).behind_gateway
    tokens, diags = _tokens(_token_names(access, gateway), origins.get("access"))
    limits, more = ratelimit.resolve(access, origins)
    asset = values.get("aiAsset")
    result = Access(external=bool(access.get("external", False)),
                    public=bool(access.get("public", False)), tokens=tokens,
                    ai_asset_use_case=asset.get("useCase", "") if asset is not None else None,
                    stopped=values.get("stopped"), timeout=values.get("timeout"),
                    rate_limits=limits)
    diags += more + _auth_switch(access, origins) + _exposure(result, origins, gateway,
                                                              release)
    if limits and not gateway:
        diags.append(origins["access.rateLimits"].diag(
            "rate limits are enforced by Kuadrant on the inference gateway, which only llm-d "
            "models use; this model is served by KServe", "access.rate-limits-kserve"))
    if asset is not None and model_type != "generative":
        diags.append(origins["aiAsset"].diag("only generative models can be added as AI asset "
                                             "endpoints", "access.ai-asset"))
    return result, diags + _platform(result, origins, release, gateway)


def _platform(access: Access, origins: Mapping[str, Origin], release: Platform,
              gateway: bool) -> list[Diagnostic]:
    """What the targeted release cannot do with these settings; nothing is dropped silently.
    (Tokens of a model behind the inference gateway are Kuadrant's: compiler.resolve.gateway.)"""
    diags = []
    if access.timeout is not None:
        diags += require(release, "modelRouteTimeout", "the model route timeout",
                         origins["timeout"], "access.timeout",
                         instead="the timeout is the OpenShift Route's; set it on your "
                                 "ingress or gateway")
    if access.tokens and not gateway:
        tokens = origins["access.tokens"] if "access.tokens" in origins else origins["access"]
        diags += require(release, "tokenAuthentication", "token authentication", tokens,
                         "access.tokens",
                         instead="authenticate at your gateway (for example a Kuadrant "
                                 "AuthPolicy), or keep the model cluster-local "
                                 "(external: false) and drop tokens")
    if access.ai_asset_use_case is not None:
        diags += require(release, "aiAsset", "an AI asset endpoint (the OpenShift AI "
                         "dashboard's Gen AI studio)", origins["aiAsset"], "access.ai-asset",
                         instead="remove aiAsset for this environment")
    return diags


def _token_names(access: Mapping[str, Any], gateway: bool) -> Any:
    """The listed tokens; else, with auth on, the wizard's one default token."""
    if "tokens" in access:
        return access["tokens"]
    auth = access.get("auth")
    if auth is None:  # llm-d: on unless the endpoint is asked to be public
        auth = gateway and not access.get("public", False)
    return [DEFAULT_TOKEN] if auth else []


def _auth_switch(access: Mapping[str, Any], origins: Mapping[str, Origin]) -> list[Diagnostic]:
    if access.get("auth") is False and access.get("tokens"):
        return [origins["access.auth"].diag(
            "auth: false turns token authentication off, but tokens are listed; choose one",
            "access.auth-with-tokens")]
    return []


def _tokens(names: Any, origin: Origin | None) -> tuple[tuple[Token, ...], list[Diagnostic]]:
    tokens: list[Token] = []
    diags = []
    for index, display in enumerate(names):
        name = token_name(display)
        clash = next((t for t in tokens if t.name == name), None)
        if origin is not None and (not name or clash is not None):
            where = Origin(origin.layer, origin.doc, (*origin.path, "tokens", index))
            why = (f"becomes '{name}', the same name as token '{clash.display}'" if clash
                   else "has no letters or digits to make a name from (the dashboard would "
                   "generate a random one)")
            diags.append(where.diag(f"token '{display}' {why}", "access.token-name"))
            continue
        tokens.append(Token(js_trim(display), name))
    return tuple(tokens), diags


def _exposure(access: Access, origins: Mapping[str, Origin], gateway: bool,
              release: Platform) -> list[Diagnostic]:
    origin = origins.get("access")
    if origin is None:
        return []
    if gateway and not access.tokens and not access.public:
        where = origins.get("access.auth", origins.get("access.tokens", origin))
        return [where.diag("an llm-d model without token authentication is reachable by "
                           "anyone who reaches the inference gateway; turn auth on, or say "
                           "public: true", "access.public-required",
                           hint="leave auth out to get the default token 'default-name'")]
    if access.external and not access.tokens and not access.public:
        if not release.has("tokenAuthentication"):
            return [origin.diag("an external route without token authentication is reachable "
                                "by anyone; say public: true to mean it",
                                "access.public-required",
                                hint=f"{release.display_name} has no token authentication for "
                                     "InferenceServices; leave external off to keep the model "
                                     "cluster-local")]
        return [origin.diag("an external route without token authentication is reachable by "
                            "anyone; add tokens, or say public: true", "access.public-required",
                            hint="tokens: [default-name] gives the route token authentication")]
    if access.public and access.tokens:
        return [origin.diag("public: true asks for an unauthenticated endpoint, but tokens turn "
                            "authentication on; choose one", "access.public-with-tokens")]
    if access.public and not access.external and not gateway:
        # A KServe model without a route is reachable inside the cluster only: public
        # would promise an exposure that nothing creates.
        where = origins.get("access.public", origin)
        return [where.diag("public: true without external: true exposes nothing; the model "
                           "has no route and stays inside the cluster", "access.public-unused",
                           hint="add external: true for a public route, or drop public")]
    return []
