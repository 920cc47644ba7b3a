"""The output of resolve: one frozen ResolvedDeployment per (model, environment)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from compiler.catalog import ModelFormat, RuntimeTemplate
from compiler.resolve.layers import Origin
from compiler.spec import Environment, HardwareProfile, ModelKey

if TYPE_CHECKING:
    from compiler.resolve.llmd import LlmdWorkload


@dataclass(frozen=True)
class Considered:
    """One runtime template seen by selection, and why it was kept or dropped."""

    template: RuntimeTemplate
    kept: bool
    reason: str


@dataclass(frozen=True)
class RuntimeChoice:
    template: RuntimeTemplate
    mode: str  # "explicit" | "auto"
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


@dataclass(frozen=True)
class Strategy:
    type: str  # RollingUpdate | Recreate
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
class ResolvedDeployment:
    key: ModelKey
    environment: Environment
    source: str  # the spec file, for headers and messages
    display_name: str
    description: str
    model_type: str
    model_format: ModelFormat
    storage: Storage
    profile: HardwareProfile
    runtime: RuntimeChoice
    scaling: Scaling
    strategy: Strategy
    resources: Resources
    args: tuple[str, ...]
    env: tuple[EnvVar, ...]
    origins: Mapping[str, Origin]
    access: Access
    target: str = "kserve"
    llmd: LlmdWorkload | None = None

    @property
    def profile_namespace(self) -> str:
        """Global profiles live in the dashboard namespace (platform-facts §4)."""
        return self.profile.namespace or self.environment.dashboard_namespace
