"""Platform releases as data: one file per release under ``presets/platforms/``.

Each file says what one release of a platform (OpenShift AI 3.3, upstream KServe
0.20, …) serves and stores per kind, which runtime catalog it ships and how a
runtime is chosen there, its default deployment mode, whether the OpenShift AI
dashboard's labels apply, which controllers and webhooks run, which optional
features exist, and which CRD schema sets its output is verified against. Code
asks a :class:`Platform` instead of comparing version numbers; a fact that
changes (say, a feature backported to an older release) is an edit to a file.

The files are package data, read through :mod:`compiler.presets` (validated against
``schemas/platform.schema.json``, once per process); a broken file is a bug in inferc.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from compiler import presets
from compiler.catalog import ModelFormat
from compiler.errors import InternalError
from compiler.resources import presets_dir

RuntimeKind = Literal["Template", "ClusterServingRuntime"]
Selection = Literal["dashboard", "kserve"]

# KServe reads the legacy mode names as the new ones (pkg/apis/serving/v1beta1/configmap.go).
_LEGACY_MODES = {"Serverless": "Knative", "RawDeployment": "Standard"}


class PlatformError(InternalError):
    """A shipped platform file is malformed: a bug in inferc, not a user mistake."""


@dataclass(frozen=True)
class KindVersions:
    served: tuple[str, ...]
    storage: str
    write: str  # the apiVersion's version inferc writes for this kind


@dataclass(frozen=True)
class GatewayFacts:
    """The llm-d edge of a release: its default inference gateway, the GatewayClass the
    platform bootstrap creates, who writes the AuthPolicy, and Kuadrant."""

    default: tuple[str, str] | None  # (name, namespace); None: the environment names it
    gateway_class: tuple[str, str] | None  # (name, controllerName)
    auth_policy_controller: str | None  # named in messages where it writes the AuthPolicy
    kuadrant_required: bool  # environments default to kuadrant.installed: true
    authorino_cert_secret: str | None  # Authorino serves TLS with it; None: left as it is


@dataclass(frozen=True)
class Platform:
    """One platform release, read from ``presets/platforms/<name>-<version>.yaml``."""

    name: str  # "openshift-ai" | "kserve"
    version: str  # "3.4", "0.20"
    display_name: str  # "OpenShift AI 3.4"
    aliases: tuple[str, ...]  # other names ``inferc verify --platform`` accepts
    crd_sets: tuple[str, ...]  # schemas/crds sets, looked up in order
    runtime_catalog: str  # folder under presets/runtimes
    runtime_kind: RuntimeKind
    selection: Selection
    generative_format: ModelFormat
    default_mode: str  # the deployment mode an InferenceService gets without the annotation
    raw_mode: str  # the value this release stores for raw deployment
    dashboard_labels: bool
    dashboard_namespace: str | None
    source: str  # display path of the file
    gateway: GatewayFacts
    kinds: Mapping[str, KindVersions] = field(hash=False)  # "group/Kind" → versions
    controllers: Mapping[str, bool] = field(hash=False)
    features: Mapping[str, bool] = field(hash=False)
    # spec.monitoring as loaded; compiler.metrics.platform_scrape types it
    monitoring: Mapping[str, Any] = field(hash=False, default_factory=dict)

    @property
    def key(self) -> str:
        """``<name>-<version>``: the file name and the ``--platform`` name."""
        return f"{self.name}-{self.version}"

    def has(self, feature: str) -> bool:
        """Whether this release has an optional feature (a key of ``spec.features``)."""
        if feature not in self.features:
            raise PlatformError(f"{self.source}: no feature '{feature}' (known: "
                                f"{', '.join(sorted(self.features))})")
        return self.features[feature]

    def runs(self, controller: str) -> bool:
        """Whether a platform controller or webhook runs (a key of ``spec.controllers``)."""
        if controller not in self.controllers:
            raise PlatformError(f"{self.source}: no controller '{controller}' (known: "
                                f"{', '.join(sorted(self.controllers))})")
        return self.controllers[controller]

    def first_with(self, feature: str) -> Platform | None:
        """The oldest release of the same platform that has ``feature``, if any."""
        for release in releases_of(self.name):
            if release.has(feature):
                return release
        return None

    def api_version(self, group_kind: str) -> str:
        """The apiVersion inferc writes for ``group/Kind`` on this release."""
        group = group_kind.partition("/")[0]
        return f"{group}/{self.kinds[group_kind].write}"


# ------------------------------------------------------------------ lookup


def platform_for(name: str, version: str) -> Platform:
    """The release an environment names; the schema has already limited the choice."""
    for platform in all_platforms():
        if platform.name == name and platform.version == version:
            return platform
    known = ", ".join(p.key for p in all_platforms())
    raise PlatformError(f"no platform file for {name} {version}; known: {known}")


def by_key(key: str) -> Platform | None:
    """A release by ``<name>-<version>`` or one of its aliases (``rhoai-3.4``)."""
    for platform in all_platforms():
        if key == platform.key or key in platform.aliases:
            return platform
    return None


def releases_of(name: str) -> tuple[Platform, ...]:
    """The releases of one platform, oldest first."""
    return tuple(sorted((p for p in all_platforms() if p.name == name),
                        key=lambda p: _numeric(p.version)))


@cache
def all_platforms() -> tuple[Platform, ...]:
    """Every shipped platform release, sorted by file name."""
    root = presets_dir() / "platforms"
    platforms = tuple(_read(path) for path in sorted(root.glob("*.yaml")))
    _check_same_keys(platforms)
    return platforms


# ------------------------------------------------------------------ reading


def _read(path: Path) -> Platform:
    display = f"<inferc>/presets/platforms/{path.name}"
    data = presets.document(f"platforms/{path.name}", "Platform").data
    spec = data["spec"]
    if path.stem != f"{spec['name']}-{spec['version']}":
        raise PlatformError(f"{display}: the file must be named {spec['name']}-{spec['version']}.yaml")
    runtimes, mode = spec["runtimes"], spec["deploymentMode"]
    fmt = runtimes["generativeFormat"]
    return Platform(
        name=spec["name"], version=spec["version"], display_name=spec["displayName"],
        aliases=tuple(spec.get("aliases", ())), crd_sets=tuple(spec["crdSets"]),
        runtime_catalog=runtimes["catalog"], runtime_kind=runtimes["kind"],
        selection=runtimes["selection"],
        generative_format=ModelFormat(fmt["name"], fmt.get("version")),
        default_mode=mode.get("default") or _configmap_default(runtimes["catalog"],
                                                               mode["configMap"], display),
        raw_mode=mode["raw"], dashboard_labels=spec["dashboard"]["labels"],
        dashboard_namespace=spec["dashboard"].get("namespace"), source=display,
        gateway=_gateway(spec["gateway"]),
        kinds={k: KindVersions(tuple(v["served"]), v["storage"], v["write"])
               for k, v in spec["kinds"].items()},
        controllers=dict(spec["controllers"]), features=dict(spec["features"]),
        monitoring=spec["monitoring"])


def _gateway(spec: Mapping[str, Any]) -> GatewayFacts:
    default, cls = spec.get("default"), spec.get("gatewayClass")
    return GatewayFacts(
        (default["name"], default["namespace"]) if default else None,
        (cls["name"], cls["controllerName"]) if cls else None,
        spec.get("authPolicyController"), spec["kuadrantRequired"],
        spec.get("authorinoCertSecret"))


def _configmap_default(catalog: str, file: str, display: str) -> str:
    """``data.deploy.defaultDeploymentMode`` of the release's vendored inferenceservice-config,
    normalised the way that KServe release reads it."""
    data = presets.document(f"runtimes/{catalog}/{file}", None).data  # upstream's ConfigMap
    try:
        deploy = json.loads(data["data"]["deploy"])
        mode = deploy["defaultDeploymentMode"]
    except (IndexError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise PlatformError(f"{display}: cannot read defaultDeploymentMode from "
                            f"presets/runtimes/{catalog}/{file}: {exc!r}") from exc
    if not isinstance(mode, str):
        raise PlatformError(f"{display}: defaultDeploymentMode in {file} is not a string")
    return normalise_mode(mode)


def normalise_mode(mode: str) -> str:
    """KServe's reading of a deployment mode name: the legacy names are the new ones."""
    return _LEGACY_MODES.get(mode, mode)


def _check_same_keys(platforms: tuple[Platform, ...]) -> None:
    """Every release lists the same features and controllers, so a misspelt key in
    one file cannot silently read as "absent"."""
    for attr in ("features", "controllers"):
        keys = {p.key: set(getattr(p, attr)) for p in platforms}
        union = set().union(*keys.values()) if keys else set()
        for key, have in keys.items():
            if have != union:
                raise PlatformError(f"presets/platforms/{key}.yaml: spec.{attr} lacks "
                                    f"{', '.join(sorted(union - have))}")


def _numeric(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))
