"""Environment-level outputs: objects that belong to one environment rather than one model.

Each output is a plug-in in :data:`OUTPUTS` (namespaces and hardware profiles
today; gateways, Kuadrant, monitors, Argo CD Applications next). Their objects
are written to ``platform/<env>/`` and listed first in the environment's overlay.

How to add an environment output
--------------------------------
Write a module ``compiler/render/<output>.py`` with ::

    def render(env: Environment, deployments: Sequence[ResolvedDeployment]) -> list[K8sObject]

and add it to :data:`OUTPUTS` under a name (the name appears in messages). It
sees every deployment of the environment (all models, whatever their target)
and the typed ``Environment``; it returns plain objects, sorted as it likes
them written (``metadata.name`` decides the file name). It may return

- cluster-scoped objects: leave out ``metadata.namespace``;
- objects several models need (one per namespace, one per gateway, …): return
  each once, or let every model's render return it — see below.

Objects are emitted once. The same object — same API group, kind, namespace and
name — produced by two outputs, or by the per-model renders of two models, is
written once when the copies are identical (per-model copies move to
``platform/<env>/``) and is an error (``render.conflict``) when they differ.
Nothing else is edited: the pipeline renders, verifies and emits every output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from compiler.diagnostics import Diagnostic
from compiler.objects import K8sObject, ObjectKey, describe, object_key
from compiler.render import bootstrap, hardware_profiles, namespaces
from compiler.resolve.records import ResolvedDeployment
from compiler.spec import Environment

EnvironmentOutput = Callable[[Environment, Sequence[ResolvedDeployment]], list[K8sObject]]

OUTPUTS: dict[str, EnvironmentOutput] = {
    "namespaces": namespaces.render,
    "hardware-profiles": hardware_profiles.render,
    "platform-bootstrap": bootstrap.render_environment,  # gateway, Kuadrant (managePlatform)
}


@dataclass(frozen=True)
class Produced:
    """An object and who produced it: an output's name or a model's spec file."""

    producer: str
    file: str  # where a conflict is reported
    obj: K8sObject


def render_environment(env: Environment, deployments: Sequence[ResolvedDeployment],
                       ) -> list[Produced]:
    return [Produced(f"environment output '{name}'", env.doc.file, obj)
            for name, output in OUTPUTS.items() for obj in output(env, deployments)]


def once(produced: Sequence[Produced]) -> tuple[list[Produced], list[Diagnostic]]:
    """Each object once, in first-produced order; differing copies are a conflict."""
    first: dict[ObjectKey, Produced] = {}
    diags: list[Diagnostic] = []
    for item in produced:
        key = object_key(item.obj)
        seen = first.get(key)
        if seen is None:
            first[key] = item
        elif seen.obj != item.obj:
            diags.append(Diagnostic(
                item.file, 1, 1, "$", f"{describe(item.obj)} is produced differently by "
                f"{seen.producer} and {item.producer}; one object can be written only once",
                "render.conflict"))
    return list(first.values()), diags


def shared_by_models(models: Sequence[tuple[str, Sequence[K8sObject]]],
                     ) -> tuple[set[ObjectKey], list[Produced]]:
    """Objects that the renders of more than one model produce: their keys, and every copy
    with its producer (model spec file), for :func:`once`."""
    owners: dict[ObjectKey, list[Produced]] = {}
    for source, objects in models:
        for obj in objects:
            owners.setdefault(object_key(obj), []).append(Produced(f"model {source}", source, obj))
    shared = {key for key, copies in owners.items() if len({c.file for c in copies}) > 1}
    return shared, [c for key, copies in owners.items() if key in shared for c in copies]
