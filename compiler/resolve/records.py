"""The output of resolve: one frozen ResolvedDeployment per (model, environment).

A ResolvedDeployment holds what every target has (identity, namespace,
environment, storage, hardware profile, resources, access, scaling, provenance)
and one target-specific :class:`Workload` record (``KServeWorkload`` in
``compiler.resolve.kserve``, …) that only that target's render module reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from compiler.catalog import RuntimeTemplate
from compiler.errors import InternalError
from compiler.metrics import Monitoring
from compiler.resolve.layers import Origin
from compiler.spec import Environment, HardwareProfile, ModelKey


@dataclass(frozen=True)
class Considered:
    """One runtime template seen by selection, and why it was kept or dropped."""

    template: RuntimeTemplate
    kept: bool
    reason: str


@dataclass(frozen=True)
class RuntimeChoice:
    template: RuntimeTemplate
    mode: Literal["explicit", "auto"]
    considered: tuple[Considered, ...]


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str
    # A Kubernetes EnvVarSource (secretKeyRef, configMapKeyRef, fieldRef), as written;
    # set instead of value, so a credential is referenced and never held in Git.
    value_from: Mapping[str, Mapping[str, Any]] | None = field(default=None, hash=False)

    def as_k8s(self) -> dict[str, Any]:
        if self.value_from is not None:
            return {"name": self.name,
                    "valueFrom": {k: dict(v) for k, v in self.value_from.items()}}
        return {"name": self.name, "value": self.value}


@dataclass(frozen=True)
class Storage:
    scheme: str  # s3 | pvc | hf | https | oci
    uri: str
    connection: str | None  # an existing connection Secret (s3, private oci)
    pull_secrets: tuple[str, ...]

    @property
    def path(self) -> str:
        """The part after the bucket (s3) or claim (pvc)."""
        return self.uri.partition("://")[2].partition("/")[2]


@dataclass(frozen=True)
class Token:
    display: str  # the name the user gave, kept as the Secret's display name
    name: str  # its k8s form, used in the Secret name


@dataclass(frozen=True)
class Rate:
    """One rate of a Kuadrant limit: at most ``limit`` per ``window``."""

    limit: int
    window: str  # in the form the CRDs accept: h, m, s, ms components (``24h``, never ``1d``)


@dataclass(frozen=True)
class RateLimits:
    requests: tuple[Rate, ...] = ()  # RateLimitPolicy: requests per window
    tokens: tuple[Rate, ...] = ()  # TokenRateLimitPolicy: model tokens per window

    def __bool__(self) -> bool:
        return bool(self.requests or self.tokens)


@dataclass(frozen=True)
class Access:
    external: bool
    public: bool
    tokens: tuple[Token, ...]
    ai_asset_use_case: str | None  # None: not an AI asset
    stopped: bool | None  # None: inferc leaves the stop annotation to the dashboard
    timeout: int | None
    rate_limits: RateLimits = RateLimits()

    @property
    def auth(self) -> bool:
        return bool(self.tokens)


StrategyType = Literal["RollingUpdate", "Recreate"]


@dataclass(frozen=True)
class Strategy:
    type: StrategyType
    max_surge: int | str | None  # None: Kubernetes' default, 25%
    max_unavailable: int | str | None


@dataclass(frozen=True)
class Scaling:
    min_replicas: int
    max_replicas: int  # the quota check counts this many pods
    metric: str | None  # cpu | memory (raw deployment's HPA)
    target: int | None  # average utilization percent

    @property
    def fixed(self) -> bool:
        return self.min_replicas == self.max_replicas and self.metric is None


@dataclass(frozen=True)
class Resources:
    requests: tuple[tuple[str, str], ...]  # (resource name, canonical quantity), profile order
    limits: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PodGroup:
    """Pods of one role that the quota check counts (``main``, ``worker``, ``prefill``)."""

    role: str
    pods: int  # at most, at steady state
    surge_pods: int  # extra pods while a rollout runs
    resources: Resources  # per pod


@dataclass(frozen=True)
class Workload:
    """Base of a target's own resolved record; subclasses add what only that target has."""

    def pod_groups(self, scaling: Scaling, resources: Resources) -> tuple[PodGroup, ...]:
        """The pods this workload runs; by default one main group that never surges."""
        return (PodGroup("main", scaling.max_replicas, 0, resources),)


W = TypeVar("W", bound=Workload)


@dataclass(frozen=True)
class ResolvedDeployment:
    key: ModelKey
    environment: Environment
    source: str  # the spec file, for headers and messages
    display_name: str
    description: str
    model_type: str
    storage: Storage
    profile: HardwareProfile
    scaling: Scaling
    resources: Resources
    args: tuple[str, ...]
    env: tuple[EnvVar, ...]  # the user's, after layering
    origins: Mapping[str, Origin]
    access: Access
    target: str  # a compiler.targets.TargetName
    workload: Workload
    monitoring: Monitoring | None = None  # None: not monitored in this environment

    @property
    def profile_namespace(self) -> str:
        """Global profiles live in the dashboard namespace (where the dashboard creates them)."""
        return self.profile.namespace or self.environment.dashboard_namespace

    @property
    def pod_groups(self) -> tuple[PodGroup, ...]:
        return self.workload.pod_groups(self.scaling, self.resources)

    def workload_as(self, cls: type[W]) -> W:
        """The target's own record, checked: a renderer asks for the record its target makes."""
        if not isinstance(self.workload, cls):
            raise InternalError(f"{self.key}: target {self.target} resolved a "
                                f"{type(self.workload).__name__}, not a {cls.__name__}")
        return self.workload
