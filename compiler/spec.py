"""Input records: validated documents of a config repo, frozen.

The ``spec`` mappings stay as loaded (read-only by convention) because the
resolve stage layers them as dicts before it freezes the result; everything
else is a typed field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.load import Document
from compiler.platforms import Platform, normalise_mode, platform_for
from compiler.quantity import canonical

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
class Environment:
    name: str
    platform: str
    version: str
    dashboard_namespace: str
    doc: Document

    @property
    def release(self) -> Platform:
        """What the targeted platform release serves, ships and runs (presets/platforms/)."""
        return platform_for(self.platform, self.version)

    @property
    def default_deployment_mode(self) -> str:
        """The mode an InferenceService gets without the annotation on this cluster:
        the release's default unless the environment says its administrator changed it."""
        mode = self.doc.data["spec"]["platform"].get("defaultDeploymentMode")
        return normalise_mode(mode) if mode else self.release.default_mode

    @property
    def defaults(self) -> Mapping[str, Any]:
        return self.doc.data["spec"].get("defaults", {})  # type: ignore[no-any-return]

    @property
    def overrides(self) -> Mapping[str, Mapping[str, Any]]:
        return self.doc.data["spec"].get("overrides", {})  # type: ignore[no-any-return]

    @property
    def manage_profiles(self) -> bool:
        return bool(self.doc.data["spec"].get("manageHardwareProfiles", False))

    @property
    def manage_namespaces(self) -> bool:
        return bool(self.doc.data["spec"].get("manageNamespaces", False))

    @property
    def disabled_templates(self) -> tuple[str, ...]:
        """OdhDashboardConfig spec.templateDisablement: ServingRuntime names."""
        return tuple(self.doc.data["spec"].get("dashboardConfig", {}).get("templateDisablement", ()))

    @property
    def llmd_default(self) -> bool:
        """OdhDashboardConfig spec.modelServing.isLLMdDefault (absent means false)."""
        config = self.doc.data["spec"].get("dashboardConfig", {})
        return bool(config.get("modelServing", {}).get("isLLMdDefault", False))


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

    @property
    def accelerator(self) -> str | None:
        """The first Accelerator identifier: what runtime auto-selection matches on."""
        for ident in self.identifiers:
            if ident.resource_type == "Accelerator":
                return ident.identifier
        return None


@dataclass(frozen=True)
class Settings:
    output: str
    base_environment: str | None
    doc: Document | None


def model_from(doc: Document) -> ModelSpec:
    meta = doc.data["metadata"]
    key = ModelKey(meta["namespace"], meta["name"])
    return ModelSpec(key, meta.get("displayName", key.name), meta.get("description", ""),
                     doc.data["spec"], doc)


def environment_from(doc: Document) -> Environment:
    platform = doc.data["spec"]["platform"]
    return Environment(doc.data["metadata"]["name"], platform["name"], platform["version"],
                       platform.get("dashboardNamespace", DASHBOARD_NAMESPACE), doc)


def profile_from(doc: Document, *, builtin: bool) -> HardwareProfile:
    meta, spec = doc.data["metadata"], doc.data["spec"]
    annotations = meta.get("annotations", {})
    identifiers = tuple(
        Identifier(i["identifier"], i.get("displayName", i["identifier"]), i.get("resourceType"),
                   canonical(i["minCount"]), canonical(i["defaultCount"]),
                   canonical(i["maxCount"]) if "maxCount" in i else None, index)
        for index, i in enumerate(spec["identifiers"]))
    return HardwareProfile(meta["name"], meta.get("namespace"),
                           annotations.get("opendatahub.io/display-name", meta["name"]),
                           identifiers, spec.get("scheduling"), builtin, doc)


def settings_from(doc: Document | None) -> Settings:
    spec = doc.data.get("spec", {}) if doc is not None else {}
    return Settings(spec.get("output", "out"), spec.get("baseEnvironment"), doc)
