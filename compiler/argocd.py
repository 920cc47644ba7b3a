"""Argo CD Applications (or one ApplicationSet) for the tree, rendering through inferc's
Config Management Plugin (``argocd/plugin.yaml``).

With ``spec.argocd`` in inferc.yaml, ``inferc build`` writes ``<output>/argocd/``: one
Application per environment (``split: environment``) or per environment and model
namespace (``split: namespace``), plus one per environment for its cluster-level objects
(``platform/<env>/``: namespaces, hardware profiles, gateway bootstrap), so that a
namespace's Application never owns what other namespaces share. Each Application names
the plugin (skipping discovery, which tars the repository twice per app: argoproj/argo-cd
#15763) and passes the selection as plugin env, which Argo CD hands to ``inferc render``
as ``ARGOCD_ENV_INFERC_*``.

These objects go to the Argo CD instance's cluster, not to the environment's, so they are
not an environment output: ``render`` (what the plugin runs) never emits them.

``ignoreDifferences`` lists what the platform legitimately changes on a live object: the
dashboard's Stop/Start annotation, and the fields the release's admission webhooks fill
in that inferc leaves to them (``presets/platforms/*.yaml`` ``controllers``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from compiler import vocabulary as V
from compiler.diagnostics import Diagnostic
from compiler.objects import K8sObject
from compiler.overlay import EnvRender, header
from compiler.repo import Repo
from compiler.spec import ArgoSettings, Environment
from compiler.yamlio import dump_all

FOLDER = "argocd"
API_VERSION = "argoproj.io/v1alpha1"
IN_CLUSTER = "https://kubernetes.default.svc"
STOP = V.annotation_pointer(V.STOP)  # the dashboard's Stop/Start toggle
RESOURCE_VERSION = V.annotation_pointer(V.HARDWARE_PROFILE_RESOURCE_VERSION)
MANAGED_BY = {V.MANAGED_BY: "inferc"}
ENVIRONMENT_LABEL = V.INFERC_ENVIRONMENT


def objects(repo: Repo, renders: Sequence[EnvRender]) -> dict[str, K8sObject]:
    """Relative path (under the output tree) → object; empty without spec.argocd."""
    settings = repo.settings.argocd
    if settings is None:
        return {}
    apps = [app for render in renders
            for app in _applications(settings, _environment(repo, render.name), render)]
    if settings.application_set:
        return {f"{FOLDER}/applicationset.yaml": _application_set(settings, apps)}
    return {f"{FOLDER}/{app.name}.yaml": _application(settings, app) for app in apps}


def files(repo: Repo, emitted: Mapping[str, K8sObject]) -> dict[str, str]:
    """Relative path → YAML text of :func:`objects`."""
    return {path: dump_all([obj], header(_source(repo))) for path, obj in emitted.items()}


def verify(repo: Repo, emitted: Mapping[str, K8sObject]) -> list[Diagnostic]:
    """Every emitted object against Argo CD's CRDs (vendored from its release), reported
    against inferc.yaml, whose ``spec.argocd`` made it: Argo CD would refuse the object
    on apply, long after the build said it succeeded."""
    if not emitted:
        return []
    from compiler.verify import UPSTREAM, Verifier  # the CRD schemas load only when needed

    doc = repo.settings.doc
    line, col = doc.source.at(("spec", "argocd"), key=True) if doc is not None else (1, 1)
    verifier = Verifier(UPSTREAM)
    out = []
    for obj in emitted.values():
        meta = obj["metadata"]
        what = f"generated {obj['kind']} {meta['namespace']}/{meta['name']}"
        out += [replace(d, line=line, col=col, message=f"{what}: {d.message}")
                for d in verifier.check(obj, file=_source(repo))]
    return out


def _source(repo: Repo) -> str:
    return repo.settings.doc.file if repo.settings.doc is not None else "inferc.yaml"


class _App:
    """One Application to emit: its name, environment and plugin selection."""

    def __init__(self, env: Environment, name: str, selection: dict[str, str],
                 namespace: str | None) -> None:
        self.env, self.name, self.selection, self.namespace = env, name, selection, namespace


def _environment(repo: Repo, name: str) -> Environment:
    env = repo.environment(name)
    assert env is not None, name  # renders come from the repo's environments
    return env


def _applications(settings: ArgoSettings, env: Environment, render: EnvRender) -> list[_App]:
    apps = []
    if render.platform:
        apps.append(_App(env, f"inferc-{env.name}-platform",
                         {"ENVIRONMENT": env.name, "OBJECTS": "platform"}, None))
    if settings.split == "namespace":
        namespaces = sorted({m.key.namespace for m in render.models})
        apps += [_App(env, f"inferc-{env.name}-{ns}",
                      {"ENVIRONMENT": env.name, "NAMESPACE": ns}, ns) for ns in namespaces]
    elif render.models:
        apps.append(_App(env, f"inferc-{env.name}",
                         {"ENVIRONMENT": env.name, "OBJECTS": "models"}, None))
    return apps


def _application(settings: ArgoSettings, app: _App) -> K8sObject:
    return {"apiVersion": API_VERSION, "kind": "Application",
            "metadata": {"name": app.name, "namespace": settings.namespace,
                         "labels": {**MANAGED_BY, ENVIRONMENT_LABEL: app.env.name}},
            "spec": _spec(settings, app, {
                "repoURL": settings.repo_url, "targetRevision": settings.target_revision,
                "path": settings.path,
                "plugin": {"name": settings.plugin,
                           "env": [{"name": f"INFERC_{k}", "value": v}
                                   for k, v in app.selection.items()]}})}


def _spec(settings: ArgoSettings, app: _App, source: dict[str, Any]) -> dict[str, Any]:
    dest = app.env.argocd
    destination: dict[str, str] = (
        {"name": dest.name} if dest.name else {"server": dest.server or IN_CLUSTER})
    if app.namespace is not None:
        destination["namespace"] = app.namespace
    spec: dict[str, Any] = {"project": dest.project or settings.project, "source": source,
                            "destination": destination,
                            "ignoreDifferences": ignore_differences(app.env)}
    sync: dict[str, Any] = {"syncOptions": ["RespectIgnoreDifferences=true"]}
    if settings.automated:
        sync["automated"] = {"prune": True, "selfHeal": True}
    spec["syncPolicy"] = sync
    return spec


def _application_set(settings: ArgoSettings, apps: list[_App]) -> K8sObject:
    """One ApplicationSet whose list generator carries each Application's differences.

    Argo CD's go templates fill the plugin env; an element's empty value means "not
    set", which ``inferc render`` treats as absent.
    """
    elements = [{"name": a.name, "environment": a.env.name,
                 "namespace": a.selection.get("NAMESPACE", ""),
                 "objects": a.selection.get("OBJECTS", ""),
                 "project": a.env.argocd.project or settings.project,
                 "server": a.env.argocd.server or ("" if a.env.argocd.name else IN_CLUSTER),
                 "cluster": a.env.argocd.name or "",
                 "ignoreDifferences": ignore_differences(a.env)} for a in apps]
    template_spec = {
        "project": "{{.project}}",
        "source": {"repoURL": settings.repo_url, "targetRevision": settings.target_revision,
                   "path": settings.path,
                   "plugin": {"name": settings.plugin, "env": [
                       {"name": "INFERC_ENVIRONMENT", "value": "{{.environment}}"},
                       {"name": "INFERC_NAMESPACE", "value": "{{.namespace}}"},
                       {"name": "INFERC_OBJECTS", "value": "{{.objects}}"}]}},
        "destination": {"server": "{{.server}}", "name": "{{.cluster}}",
                        "namespace": "{{.namespace}}"},
        "syncPolicy": {"syncOptions": ["RespectIgnoreDifferences=true"],
                       **({"automated": {"prune": True, "selfHeal": True}}
                          if settings.automated else {})},
    }
    return {"apiVersion": API_VERSION, "kind": "ApplicationSet",
            "metadata": {"name": "inferc", "namespace": settings.namespace,
                         "labels": dict(MANAGED_BY)},
            "spec": {"goTemplate": True, "goTemplateOptions": ["missingkey=error"],
                     "generators": [{"list": {"elements": elements}}],
                     "template": {"metadata": {"name": "{{.name}}",
                                               "labels": {**MANAGED_BY,
                                                          ENVIRONMENT_LABEL: "{{.environment}}"}},
                                  "spec": template_spec},
                     # a list cannot be a template string; each element's list is patched in
                     "templatePatch": "spec:\n  ignoreDifferences: {{ toJson .ignoreDifferences }}\n"}}


def ignore_differences(env: Environment) -> list[dict[str, Any]]:
    """What the platform changes on live objects that inferc must not fight over."""
    release = env.release
    isvc: list[str] = [STOP]
    llmisvc: list[str] = [STOP]
    if release.runs("hardwareProfileWebhook"):
        # the webhook copies the profile's scheduling; inferc leaves it to it (DESIGN rule 6)
        isvc += ["/spec/predictor/nodeSelector", "/spec/predictor/tolerations",
                 RESOURCE_VERSION]
        llmisvc += ["/spec/template/nodeSelector", "/spec/template/tolerations",
                    RESOURCE_VERSION]
    if release.runs("connectionsWebhook"):
        # an S3 connection's key and path, and the service account that reads it
        isvc += ["/spec/predictor/model/storage", "/spec/predictor/serviceAccountName"]
    return [{"group": "serving.kserve.io", "kind": "InferenceService", "jsonPointers": isvc},
            {"group": "serving.kserve.io", "kind": "LLMInferenceService",
             "jsonPointers": llmisvc}]
