"""Input records: validated documents of a config repo, frozen.

The ``spec`` mappings stay as loaded (read-only by convention) because the
resolve stage layers them as dicts before it freezes the result; everything
else is a typed field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from compiler import vocabulary as V
from compiler.diagnostics import DocPath
from compiler.load import Document
from compiler.platforms import Platform, normalise_mode, platform_for
from compiler.quantity import Quantity, canonical, parse

DASHBOARD_NAMESPACE = "redhat-ods-applications"  # OpenShift AI's applications namespace


@dataclass(frozen=True, order=True)
class ModelKey:
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class ModelSpec:
    key: ModelKey
    display_name: str
    description: str
    spec: Mapping[str, Any]
    doc: Document

    @property
    def file(self) -> str:
        return self.doc.file


@dataclass(frozen=True)
class TargetDefault:
    """An environment's choice of target for every model of one type that says ``runtime: auto``."""

    model_type: str
    target: str  # a compiler.targets.TargetName
    setting: str  # where the environment says so, for messages


QuotaRollouts = Literal["all-at-once", "one-at-a-time"]
Labels = tuple[tuple[str, str], ...]
# the monitoring prerequisites of the documentation
METRIC_FLAGS = ("disablePerformanceMetrics", "disableKServeMetrics")


@dataclass(frozen=True)
class MonitoringSettings:
    """The environment's ``spec.monitoring``, and the OdhDashboardConfig flags that
    decide whether the dashboard shows a model's metrics."""

    user_workload: bool = True  # a Prometheus watches the model namespaces
    rule_labels: Labels = ()  # what it selects PrometheusRules by
    monitor_labels: Labels = ()  # what it selects ServiceMonitors and PodMonitors by
    llmd_controller_monitors: bool | None = None  # None: as the platform's controller does
    metrics_hidden_by: tuple[str, ...] = ()  # METRIC_FLAGS set to true


@dataclass(frozen=True)
class GatewaySpec:
    """``spec.gateway`` as written; the platform's defaults are applied by
    ``compiler.resolve.gateway.edge``."""

    name: str | None  # with namespace, or neither (the platform's default gateway)
    namespace: str | None
    trusted: tuple[str, ...] | None  # None: "all"
    trust_declared: bool  # trustedNamespaces is set (a list or "all")
    class_name: str | None
    controller_name: str | None


@dataclass(frozen=True)
class KuadrantSpec:
    """``spec.kuadrant`` as written; None: the platform's default."""

    installed: bool | None
    auth_policies: bool | None
    token_audiences: tuple[str, ...] | None


@dataclass(frozen=True)
class ArgoDestination:
    """An environment's spec.argocd: the cluster Argo CD deploys it to."""

    server: str | None = None  # None with name None: the cluster Argo CD runs in
    name: str | None = None
    project: str | None = None


@dataclass(frozen=True)
class Environment:
    """What is true of one target cluster, every field parsed once from its document.

    ``doc`` stays for locating diagnostics (``env.doc.diag``) and naming the file;
    no stage reads ``doc.data``.
    """

    name: str
    platform: str
    version: str
    dashboard_namespace: str
    dashboard_settings: tuple[DocPath, ...]  # dashboard-only settings the file gives
    defaults: Mapping[str, Any]  # spec-shaped layer below every model
    overrides: Mapping[str, Mapping[str, Any]]  # "<namespace>/<name>" → spec-shaped layer
    manage_profiles: bool
    manage_namespaces: bool
    disabled_templates: tuple[str, ...]  # OdhDashboardConfig spec.templateDisablement
    target_defaults: tuple[TargetDefault, ...]
    quotas: Mapping[str, Mapping[str, Quantity]]  # namespace → ResourceQuota key → limit
    quota_rollouts: QuotaRollouts
    deployment_mode: str | None  # spec.platform.defaultDeploymentMode, normalised; None: the release's
    doc: Document
    gateway: GatewaySpec = GatewaySpec(None, None, (), False, None, None)
    kuadrant: KuadrantSpec = KuadrantSpec(None, None, None)
    manage_platform: bool = False  # emit the platform bootstrap (compiler.render.bootstrap)
    monitoring: MonitoringSettings = MonitoringSettings()
    argocd: ArgoDestination = ArgoDestination()
    # OdhDashboardConfig spec.dashboardConfig.disableKueue is false: the dashboard labels
    # every project it manages kueue.openshift.io/managed.
    kueue_enabled: bool = False
    namespace_names: Mapping[str, str] = field(default_factory=dict)  # project display names
    production: bool = False  # spec.production: inferc diff flags downtime here

    @property
    def release(self) -> Platform:
        """What the targeted platform release serves, ships and runs (presets/platforms/)."""
        return platform_for(self.platform, self.version)

    @property
    def default_deployment_mode(self) -> str:
        """The mode an InferenceService gets without the annotation on this cluster:
        the release's default unless the environment says its administrator changed it."""
        return self.deployment_mode or self.release.default_mode


@dataclass(frozen=True)
class Identifier:
    identifier: str
    display_name: str
    resource_type: str | None  # CPU | Memory | Accelerator; optional in the CRD
    min_count: str
    default_count: str
    max_count: str | None
    index: int  # position in spec.identifiers, for locating diagnostics


@dataclass(frozen=True)
class HardwareProfile:
    name: str
    namespace: str | None  # None: global, lives in the dashboard namespace
    display_name: str
    identifiers: tuple[Identifier, ...]
    scheduling: Mapping[str, Any] | None
    builtin: bool
    doc: Document
    none: bool = False  # hardwareProfile: none — no profile at all (the CLI procedure)

    @property
    def disabled(self) -> bool:
        """opendatahub.io/disabled: "true" hides the profile from the dashboard."""
        return self._annotation(V.DISABLED) == "true"

    @property
    def visibility(self) -> tuple[str, ...]:
        """opendatahub.io/dashboard-feature-visibility: where the dashboard offers it
        (empty: everywhere)."""
        text = self._annotation(V.FEATURE_VISIBILITY)
        try:
            value = json.loads(text) if text else []
        except json.JSONDecodeError:
            return ()
        return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()

    def _annotation(self, key: str) -> str | None:
        meta = self.doc.data.get("metadata") if isinstance(self.doc.data, Mapping) else None
        annotations = meta.get("annotations") if isinstance(meta, Mapping) else None
        value = annotations.get(key) if isinstance(annotations, Mapping) else None
        return value if isinstance(value, str) else None

    @property
    def accelerator(self) -> str | None:
        """The first Accelerator identifier: what runtime auto-selection matches on."""
        for ident in self.identifiers:
            if ident.resource_type == "Accelerator":
                return ident.identifier
        return None


@dataclass(frozen=True)
class ArgoSettings:
    """inferc.yaml spec.argocd: the Applications ``inferc build`` emits into <output>/argocd/."""

    repo_url: str
    target_revision: str = "HEAD"
    path: str = "."  # the config repo's folder in the git repository
    namespace: str = "openshift-gitops"  # OpenShift GitOps' default Argo CD instance
    project: str = "default"
    split: str = "environment"  # | "namespace"
    application_set: bool = False
    plugin: str = "inferc"
    automated: bool = True


@dataclass(frozen=True)
class Settings:
    output: str
    base_environment: str | None
    doc: Document | None
    argocd: ArgoSettings | None = None


def model_from(doc: Document) -> ModelSpec:
    meta = doc.data["metadata"]
    key = ModelKey(meta["namespace"], meta["name"])
    return ModelSpec(key, meta.get("displayName", key.name), meta.get("description", ""),
                     doc.data["spec"], doc)


def environment_from(doc: Document) -> Environment:
    spec = doc.data["spec"]
    platform = spec["platform"]
    config = spec.get("dashboardConfig", {})
    return Environment(
        name=doc.data["metadata"]["name"], platform=platform["name"],
        version=platform["version"],
        dashboard_namespace=platform.get("dashboardNamespace", DASHBOARD_NAMESPACE),
        dashboard_settings=tuple(path for path in (("dashboardConfig",),
                                                   ("platform", "dashboardNamespace"))
                                 if _present(spec, path)),
        defaults=spec.get("defaults", {}), overrides=spec.get("overrides", {}),
        manage_profiles=bool(spec.get("manageHardwareProfiles", False)),
        manage_namespaces=bool(spec.get("manageNamespaces", False)),
        disabled_templates=tuple(config.get("templateDisablement", ())),
        target_defaults=_target_defaults(config),
        quotas={namespace: {key: parse(limit) for key, limit in keys.items()}
                for namespace, keys in spec.get("quotas", {}).items()},
        quota_rollouts=spec.get("quotaRollouts", "all-at-once"),
        deployment_mode=(normalise_mode(platform["defaultDeploymentMode"])
                         if platform.get("defaultDeploymentMode") else None),
        doc=doc, gateway=_gateway(spec.get("gateway", {})),
        kuadrant=_kuadrant(spec.get("kuadrant", {})),
        manage_platform=bool(spec.get("managePlatform", False)),
        monitoring=_monitoring(spec.get("monitoring", {}), config),
        argocd=ArgoDestination(**{k: v for k, v in spec.get("argocd", {}).items()}),
        kueue_enabled=config.get("dashboardConfig", {}).get("disableKueue") is False,
        namespace_names={ns: s["displayName"] for ns, s in spec.get("namespaces", {}).items()
                         if "displayName" in s},
        production=bool(spec.get("production", False)))


def _gateway(spec: Mapping[str, Any]) -> GatewaySpec:
    trusted = spec.get("trustedNamespaces")
    return GatewaySpec(spec.get("name"), spec.get("namespace"),
                       None if trusted == "all" else tuple(trusted or ()), trusted is not None,
                       spec.get("className"), spec.get("controllerName"))


def _kuadrant(spec: Mapping[str, Any]) -> KuadrantSpec:
    audiences = spec.get("tokenAudiences")
    return KuadrantSpec(spec.get("installed"), spec.get("authPolicies"),
                        tuple(audiences) if audiences is not None else None)


def _monitoring(spec: Mapping[str, Any], config: Mapping[str, Any]) -> MonitoringSettings:
    flags = config.get("dashboardConfig", {})
    return MonitoringSettings(
        user_workload=bool(spec.get("userWorkloadMonitoring", True)),
        rule_labels=tuple(sorted(spec.get("ruleLabels", {}).items())),
        monitor_labels=tuple(sorted(spec.get("monitorLabels", {}).items())),
        llmd_controller_monitors=spec.get("llmdControllerMonitors"),
        metrics_hidden_by=tuple(f for f in METRIC_FLAGS if flags.get(f) is True))


def _present(spec: Mapping[str, Any], path: DocPath) -> bool:
    node: Any = spec
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return False
        node = node[key]
    return True


def _target_defaults(config: Mapping[str, Any]) -> tuple[TargetDefault, ...]:
    # OdhDashboardConfig spec.modelServing.isLLMdDefault (absent means false)
    if config.get("modelServing", {}).get("isLLMdDefault", False):
        return (TargetDefault("generative", "llm-d",
                              "dashboardConfig.modelServing.isLLMdDefault"),)
    return ()


NO_PROFILE = "none"  # hardwareProfile: none


def no_profile(doc: Document) -> HardwareProfile:
    """The absence of a hardware profile, for a model that says hardwareProfile: none:
    no identifiers (resources are the spec's), no scheduling, no annotations."""
    return HardwareProfile(NO_PROFILE, None, "no hardware profile", (), None, True, doc,
                           none=True)


STRATEGY_SETTING = ("spec", "dashboardConfig", "modelServing", "deploymentStrategy")
_STRATEGIES = {"rolling": "RollingUpdate", "recreate": "Recreate"}


def dashboard_strategy(env: Environment) -> str | None:
    """OdhDashboardConfig spec.modelServing.deploymentStrategy as a strategy type: the
    wizard's default for a new deployment (platform-facts §3.5); None when unset."""
    node: Any = env.doc.data
    for part in STRATEGY_SETTING:
        node = node.get(part) if isinstance(node, Mapping) else None
    return _STRATEGIES.get(node) if isinstance(node, str) else None


def profile_from(doc: Document, *, builtin: bool) -> HardwareProfile:
    meta, spec = doc.data["metadata"], doc.data["spec"]
    annotations = meta.get("annotations", {})
    identifiers = tuple(
        Identifier(i["identifier"], i.get("displayName", i["identifier"]), i.get("resourceType"),
                   canonical(i["minCount"]), canonical(i["defaultCount"]),
                   canonical(i["maxCount"]) if "maxCount" in i else None, index)
        for index, i in enumerate(spec["identifiers"]))
    return HardwareProfile(meta["name"], meta.get("namespace"),
                           annotations.get(V.ODH_DISPLAY_NAME, meta["name"]),
                           identifiers, spec.get("scheduling"), builtin, doc)


def settings_from(doc: Document | None) -> Settings:
    spec = doc.data.get("spec", {}) if doc is not None else {}
    argo = spec.get("argocd")
    settings = None if argo is None else ArgoSettings(
        argo["repoURL"], argo.get("targetRevision", "HEAD"), argo.get("path", "."),
        argo.get("namespace", "openshift-gitops"), argo.get("project", "default"),
        argo.get("split", "environment"), bool(argo.get("applicationSet", False)),
        argo.get("plugin", "inferc"), bool(argo.get("automated", True)))
    return Settings(spec.get("output", "out"), spec.get("baseEnvironment"), doc, settings)
