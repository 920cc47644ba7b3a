"""Targets are data: one table of what inferc knows about each serving target.

A model resolves, per environment, to a *target*: ``kserve`` (ServingRuntime +
InferenceService) or ``llm-d`` (LLMInferenceService). What other stages need to
know about a target without knowing the target itself — the workload's kind, the
resource the token Role grants, the names controllers derive from the model name
(for the name-length rule), the pod roles the quota check counts, whether a spec
may choose a deployment strategy, how a spec or an environment chooses it — is
one :class:`TargetFacts` record in :data:`FACTS`. RBAC, the deployment rules,
the quota check, target selection and ``explain`` read this table; none of them
names a target.

How to add a target
-------------------
1. Add its facts here: its name to :data:`TargetName` and a :class:`TargetFacts`
   entry to :data:`FACTS`.
2. Write its resolve module ``compiler/resolve/<target>.py``: a frozen
   ``Workload`` subclass for what only this target has (see
   ``compiler.resolve.records``) and a ``compiler.resolve.targets.TargetResolver``
   whose ``resolve`` turns the layered values into that record; add it to
   ``compiler.resolve.TARGETS``.
3. Write its render module ``compiler/render/<target>.py`` (``ResolvedDeployment``
   → objects; ``rd.workload_as(YourWorkload)`` gives its record) and add it to
   ``compiler.render.TARGETS``.

Nothing else is edited. A target listed here without a resolver is known but not
available: choosing it is a located error (``target.unavailable``), so a spec
that names it fails clearly until its modules land.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TargetName = Literal["kserve", "llm-d"]
DEFAULT_TARGET: TargetName = "kserve"  # what a model resolves to unless something chooses another
MAX_NAME = 63  # a name that becomes a label value or a Service name


@dataclass(frozen=True)
class DerivedName:
    """A name a controller derives from the model name, e.g. ``{model}-predictor``."""

    template: str  # with ``{model}`` where the model name goes
    limit: int = MAX_NAME

    @property
    def suffix_length(self) -> int:
        return len(self.template.replace("{model}", ""))

    def of(self, model: str) -> str:
        return self.template.replace("{model}", model)


@dataclass(frozen=True)
class TargetFacts:
    name: str  # a TargetName; a plain str so a test can register a throwaway target
    display: str  # how messages name it
    api_version: str  # the workload object's apiVersion (a release's served version may differ)
    kind: str  # the workload object's kind
    rbac_resource: str  # the resource the token Role grants ``get`` on
    derived_names: tuple[DerivedName, ...]  # checked by the ``names.length`` rule
    pod_roles: tuple[str, ...]  # pod groups the quota check counts: main, worker, prefill
    strategy_choice: bool  # whether a spec may choose RollingUpdate/Recreate
    model_types: tuple[str, ...] = ("generative", "predictive")
    runtime_name: str | None = None  # a ``spec.runtime`` value that chooses this target
    # reached through the environment's shared inference gateway: token auth on by
    # default, trusted namespaces, Kuadrant policies (compiler.resolve.gateway)
    behind_gateway: bool = False

    @property
    def api_group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def label(self) -> str:
        """The name with its display name, as messages introduce it."""
        return self.name if self.display == self.name else f"{self.name} ({self.display})"


FACTS: dict[str, TargetFacts] = {
    "kserve": TargetFacts(
        name="kserve", display="KServe",
        api_version="serving.kserve.io/v1beta1", kind="InferenceService",
        rbac_resource="inferenceservices",
        # the predictor Deployment/Service and the route of an exposed model
        derived_names=(DerivedName("{model}-predictor"), DerivedName("{model}-kserve-route")),
        pod_roles=("main",), strategy_choice=True),
    "llm-d": TargetFacts(
        name="llm-d", display="Distributed inference with llm-d",
        # the served version depends on the platform release (platform data)
        api_version="serving.kserve.io/v1alpha1", kind="LLMInferenceService",
        rbac_resource="llminferenceservices",
        derived_names=(),  # shape-dependent: compiler.resolve.llmd checks the controller's names
        pod_roles=("main", "worker", "prefill", "prefill-worker", "scheduler"),
        strategy_choice=False,
        model_types=("generative",), runtime_name="llm-d", behind_gateway=True),
}


def facts(target: str) -> TargetFacts:
    return FACTS[target]
