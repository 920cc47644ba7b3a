"""The shared inference gateway, the namespaces trusted to use it, and Kuadrant
(issue 8 "Gateway and trust"; the documentation on llm-d gateways and authentication; DESIGN rule 4).

llm-d models are reached through one shared Gateway. The documentation warns to
"only use shared Gateways across trusted namespaces", so an environment with
llm-d models says which namespaces it trusts (or ``all``), and the platform
bootstrap admits routes from exactly those. Token authentication is enforced
by Kuadrant: on OpenShift AI the platform's controller writes each model's
AuthPolicy, elsewhere inferc does where Kuadrant is installed; without
Kuadrant a token would be decoration, so an llm-d model there must be public.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.platforms import GatewayFacts
from compiler.resolve.records import ResolvedDeployment
from compiler.spec import Environment, GatewaySpec
from compiler.targets import facts

# The TokenReview audience odh-model-controller's AuthPolicy asks for: OpenShift's
# API server audience. Service-account tokens are valid for the API server's own
# audiences only, which a cluster may configure otherwise (kind:
# https://kubernetes.default.svc.cluster.local), hence kuadrant.tokenAudiences.
API_AUDIENCE = "https://kubernetes.default.svc"


@dataclass(frozen=True)
class InferenceGateway:
    name: str
    namespace: str
    explicit: bool  # the environment names it; else it is the platform's default
    trusted: tuple[str, ...] | None  # None: every namespace is trusted
    trust_declared: bool
    class_name: str | None
    controller_name: str | None

    @property
    def ref(self) -> tuple[str, str] | None:
        """``(name, namespace)`` for ``router.gateway.refs``; None: the controller's
        default, written ``gateway: {}`` as the dashboard does."""
        return (self.name, self.namespace) if self.explicit else None

    def trusts(self, namespace: str) -> bool:
        return self.trusted is None or namespace in self.trusted

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Edge:
    """An environment's gateway and Kuadrant settings, defaults applied."""

    gateway: InferenceGateway | None  # None: upstream without a named gateway
    kuadrant: bool
    inferc_auth_policies: bool  # inferc writes each llm-d model's AuthPolicy
    manage_platform: bool
    facts: GatewayFacts
    token_audiences: tuple[str, ...] = (API_AUDIENCE,)


def edge(env: Environment) -> Edge:
    known = env.release.gateway
    wanted = env.kuadrant
    installed = known.kuadrant_required if wanted.installed is None else wanted.installed
    policies = (installed and not env.release.runs("llmdAuthPolicy")
                if wanted.auth_policies is None else wanted.auth_policies)
    return Edge(_gateway(env.gateway, known), installed, policies, env.manage_platform, known,
                wanted.token_audiences or (API_AUDIENCE,))


def _gateway(spec: GatewaySpec, known: GatewayFacts) -> InferenceGateway | None:
    explicit = spec.name is not None  # the schema requires name and namespace together
    name, namespace = (spec.name, spec.namespace) if explicit else (known.default or (None, None))
    if name is None or namespace is None:
        return None
    class_name, controller = known.gateway_class or (None, None)
    return InferenceGateway(name, namespace, explicit, spec.trusted, spec.trust_declared,
                            spec.class_name or class_name, spec.controller_name or controller)


def behind_gateway(rd: ResolvedDeployment) -> bool:
    return facts(rd.target).behind_gateway


def check(env: Environment, deployments: Sequence[ResolvedDeployment]) -> list[Diagnostic]:
    """The environment's gateway and Kuadrant settings against its llm-d models."""
    settings = edge(env)
    diags = list(_settings(env, settings))
    llmd = [rd for rd in deployments if behind_gateway(rd)]
    if llmd:
        diags += _environment(env, settings, llmd)
        for rd in llmd:
            diags += _model(rd, settings)
    return diags


def _settings(env: Environment, settings: Edge) -> Iterable[Diagnostic]:
    asked = env.kuadrant.auth_policies
    if asked is True and env.release.runs("llmdAuthPolicy"):
        by = settings.facts.auth_policy_controller or "the platform's controller"
        yield env.doc.diag(
            ("spec", "kuadrant", "authPolicies"),
            f"{by} writes each llm-d model's AuthPolicy on {_platform(env)}; a second one "
            "from inferc would fight it", "kuadrant.auth-policy-owner",
            hint="remove authPolicies: the platform's policy already checks the tokens")
    elif asked is True and not settings.kuadrant:
        yield env.doc.diag(("spec", "kuadrant", "authPolicies"),
                           "AuthPolicies need Kuadrant, and this environment says it is not "
                           "installed", "kuadrant.not-installed")
    if settings.manage_platform and (settings.gateway is None
                                     or settings.gateway.controller_name is None):
        yield env.doc.diag(
            ("spec", "managePlatform"),
            "the platform bootstrap creates the inference GatewayClass and Gateway; name them "
            "in spec.gateway (name, namespace, className, controllerName)",
            "platform.gateway-class")


def _environment(env: Environment, settings: Edge,
                 llmd: list[ResolvedDeployment]) -> Iterable[Diagnostic]:
    models = _listed(llmd)
    gateway = settings.gateway
    if gateway is None:
        yield env.doc.diag(("spec", "platform"),
                           f"llm-d models ({models}) need an inference gateway, and "
                           f"{_platform(env)} has no default; name the one the KServe "
                           "controller's configuration uses in spec.gateway",
                           "gateway.required")
    elif not gateway.trust_declared:
        yield env.doc.diag(("spec", "gateway"),
                           f"llm-d models ({models}) share the inference gateway {gateway}; "
                           "say which namespaces it trusts in spec.gateway.trustedNamespaces, "
                           "or trustedNamespaces: all", "gateway.trust-required",
                           hint="the documentation: only use shared Gateways across trusted "
                                "namespaces")


def _model(rd: ResolvedDeployment, settings: Edge) -> Iterable[Diagnostic]:
    gateway = settings.gateway
    doc = rd.origins["name"].doc
    if gateway is not None and gateway.trust_declared and not gateway.trusts(rd.key.namespace):
        yield doc.diag(("metadata", "namespace"),
                       f"namespace '{rd.key.namespace}' is not trusted to share the inference "
                       f"gateway {gateway}", "gateway.untrusted-namespace",
                       hint=f"trusted: {', '.join(gateway.trusted or ()) or 'none'}; add it to "
                            "the environment's spec.gateway.trustedNamespaces")
    if settings.kuadrant:
        return
    # a default token has no access block to point at: point at what chose llm-d
    access = rd.origins.get("access") or rd.origins.get("runtime") or rd.origins["name"]
    if rd.access.auth:
        yield access.diag(
            "token authentication of llm-d models is enforced by Kuadrant, which the "
            "environment does not have; the tokens would protect nothing",
            "access.auth-without-kuadrant",
            hint="install Kuadrant and say kuadrant: {installed: true}, or say public: true")
    if rd.access.rate_limits:
        yield rd.origins.get("access.rateLimits", access).diag(
            "rate limits are enforced by Kuadrant, which the environment does not have",
            "access.rate-limits-without-kuadrant",
            hint="install Kuadrant and say kuadrant: {installed: true}")


def _listed(rds: list[ResolvedDeployment]) -> str:
    names = [str(rd.key) for rd in rds]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _platform(env: Environment) -> str:
    return env.release.display_name


# --- explain -------------------------------------------------------------------------------


def explain(rd: ResolvedDeployment, route: str) -> dict[str, Any]:
    """The model's way in, for ``inferc explain``: the shared gateway and whether this
    namespace is trusted on it, Kuadrant, and who writes which policy on ``route``."""
    settings = edge(rd.environment)
    gw = settings.gateway
    release = rd.environment.release
    auth_by = (release.gateway.auth_policy_controller or "the platform's controller"
               if release.runs("llmdAuthPolicy") else
               "inferc" if settings.kuadrant and settings.inferc_auth_policies else None)
    return {
        "gateway": None if gw is None else {
            "name": gw.name, "namespace": gw.namespace,
            "source": "spec.gateway" if gw.explicit else f"{release.display_name} default",
            "trustedNamespaces": None if not gw.trust_declared else (
                "all" if gw.trusted is None else list(gw.trusted)),
            "namespaceTrusted": gw.trust_declared and gw.trusts(rd.key.namespace)},
        "route": route,
        "kuadrant": settings.kuadrant,
        "authentication": {"tokens": [t.display for t in rd.access.tokens],
                           "public": rd.access.public,
                           "authPolicyBy": auth_by if rd.access.auth or auth_by == "inferc"
                           else None},
        "rateLimits": {"requests": [f"{r.limit}/{r.window}" for r in rd.access.rate_limits.requests],
                       "tokens": [f"{r.limit}/{r.window}" for r in rd.access.rate_limits.tokens]},
    }


def explain_lines(view: Mapping[str, Any], namespace: str) -> list[str]:
    """:func:`explain` as the text ``inferc explain`` prints."""
    gw, auth, limits = view["gateway"], view["authentication"], view["rateLimits"]
    if gw is None:
        lines = ["gateway: none (name the inference gateway in the environment's spec.gateway)"]
    else:
        trusted = gw["trustedNamespaces"]
        trust = ("not declared (spec.gateway.trustedNamespaces)" if trusted is None else
                 "all namespaces" if trusted == "all" else ", ".join(trusted) or "none")
        verdict = "trusted" if gw["namespaceTrusted"] else "not trusted"
        lines = [f"gateway: {gw['namespace']}/{gw['name']} ({gw['source']}); route "
                 f"{view['route']}",
                 f"  trusted namespaces: {trust}; {namespace} is {verdict}"]
    lines.append(f"  Kuadrant: {'installed' if view['kuadrant'] else 'not installed'}")
    if auth["tokens"]:
        by = auth["authPolicyBy"] or "nobody (no Kuadrant: the tokens protect nothing)"
        lines.append(f"  authentication: tokens {', '.join(auth['tokens'])}; AuthPolicy by {by}")
    else:
        public = "public" if auth["public"] else "no tokens"
        by = f"; AuthPolicy (anonymous) by {auth['authPolicyBy']}" if auth["authPolicyBy"] else ""
        lines.append(f"  authentication: none ({public}){by}")
    rates = ([f"requests {', '.join(limits['requests'])} (RateLimitPolicy)"] if limits["requests"]
             else []) + ([f"tokens {', '.join(limits['tokens'])} (TokenRateLimitPolicy)"]
                         if limits["tokens"] else [])
    lines.append(f"  rate limits: {'; '.join(rates) + ', by inferc' if rates else 'none'}")
    return lines
