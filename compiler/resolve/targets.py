"""The target seam of resolve: what a target's resolve module provides, and target choice.

Resolve does everything every target shares (layers, hardware profile, storage,
resources, access, scaling) and then hands the layered values to the chosen
target's :class:`TargetResolver`, which returns the target's own ``Workload``
record. The registry of resolvers is ``compiler.resolve.TARGETS``; the facts
about each target are ``compiler.targets.FACTS`` (read its docstring: "How to
add a target").

Choice (per environment): a ``spec.runtime`` value naming a target
(``TargetFacts.runtime_name``, e.g. ``llm-d``) chooses it; ``runtime: auto``
takes the environment's default target for the model type, if it names one
(``Environment.target_defaults``, e.g. OpenShift AI's "llm-d by default for
generative models"); anything else is the default target, ``kserve``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.repo import Repo
from compiler.resolve.layers import BUILTIN, SPEC, Origin
from compiler.resolve.records import Considered, ResolvedDeployment, Resources, Workload
from compiler.spec import Environment, HardwareProfile, ModelKey, ModelSpec
from compiler.targets import DEFAULT_TARGET, FACTS, TargetFacts


@dataclass(frozen=True)
class TargetInput:
    """What a target's resolve function gets: the model's layered values and context."""

    model: ModelSpec
    env: Environment
    values: Mapping[str, Any]  # merged layers, read-only
    origins: Mapping[str, Origin]  # where each value came from
    profile: HardwareProfile
    repo: Repo


def _no_checks(env: Environment, repo: Repo) -> list[Diagnostic]:
    return []


def _no_lines(rd: ResolvedDeployment) -> list[str]:
    return []


def _no_fields(rd: ResolvedDeployment) -> dict[str, Any]:
    return {}


def _no_values(rd: ResolvedDeployment) -> dict[str, str]:
    return {}


def _no_candidates(inp: TargetInput) -> tuple[Considered, ...] | None:
    return None


@dataclass(frozen=True)
class TargetResolver:
    """A target's resolve module, as resolve and ``explain`` call it."""

    # layered values → the target's Workload record (None when it cannot be made) + problems
    resolve: Callable[[TargetInput], tuple[Workload | None, list[Diagnostic]]]
    # problems of an environment's settings for this target, once per environment
    check_environment: Callable[[Environment, Repo], list[Diagnostic]] = field(
        default=_no_checks)
    # explain: text lines after the header, fields of the JSON body after "platform",
    # and display values of the fields this target resolves (by origin key, e.g. "runtime")
    explain_text: Callable[[ResolvedDeployment], list[str]] = field(default=_no_lines)
    explain_json: Callable[[ResolvedDeployment], dict[str, Any]] = field(default=_no_fields)
    explain_values: Callable[[ResolvedDeployment], dict[str, str]] = field(default=_no_values)
    # explain of a model whose workload did not resolve: the runtimes in scope and why
    # selection keeps or drops each (None: the target selects no runtime template)
    candidates: Callable[[TargetInput], tuple[Considered, ...] | None] = field(
        default=_no_candidates)


@dataclass(frozen=True)
class Partial:
    """What resolve worked out for a model that does not resolve in one environment;
    ``inferc explain`` shows it before the errors."""

    key: ModelKey
    environment: Environment
    values: Mapping[str, Any] = field(hash=False)  # merged layers
    origins: Mapping[str, Origin] = field(hash=False)
    target: str
    profile: HardwareProfile | None  # None: the profile is in error
    resources: Resources | None
    # what the target's resolve ran on (None: it did not run: the target choice or the
    # hardware profile is in error)
    selection: TargetInput | None
    workload: Workload | None  # the target's record, when only something else failed


@dataclass(frozen=True)
class Choice:
    target: TargetFacts
    why: str  # how it was chosen, for messages


def choose(env: Environment, runtime: str, model_type: str, origin: Origin,
           ) -> Choice | Diagnostic:
    """The target a model resolves to in ``env``, or why the choice is impossible."""
    named = next((f for f in FACTS.values() if f.runtime_name == runtime), None)
    if named is not None:
        if model_type not in named.model_types:
            return origin.diag(f"{named.name} serves {'/'.join(named.model_types)} models only",
                               "runtime.incompatible")
        return Choice(named, "is chosen by name")
    default = next((d for d in env.target_defaults if d.model_type == model_type), None)
    if runtime == "auto" and default is not None:
        return Choice(FACTS[default.target], f"is the default for {model_type} models in "
                      f"environment '{env.name}' ({default.setting})")
    return Choice(FACTS[DEFAULT_TARGET], "is the default target")


def unavailable(choice: Choice, origin: Origin) -> Diagnostic:
    """A known target whose modules are not part of this inferc."""
    fallback = FACTS[DEFAULT_TARGET].display
    return origin.diag(f"{choice.target.label} {choice.why}, but inferc cannot render "
                       f"{choice.target.kind} yet", "target.unavailable",
                       hint=f"name a {fallback} runtime template in spec.runtime to deploy "
                       f"with {fallback}")


def runtime_origin(origin: Origin, model: ModelSpec) -> Origin:
    """Where ``spec.runtime`` comes from, for messages about the choice. An implicit
    'auto' comes from the built-in defaults; point the user at the spec where they
    would write runtime: (its spec: line), not at inferc's own preset file nor at
    whichever field happens to come first."""
    if origin.layer == BUILTIN:
        return Origin(SPEC, model.doc, ("spec",), at_key=True)
    return origin
