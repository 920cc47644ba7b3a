"""Deployment rules: small checks on a resolved deployment, listed in one table.

A rule has an id, a docstring a user can read, and ``check`` yielding
diagnostics. Later capabilities add a rule here rather than changing a stage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from compiler.diagnostics import Diagnostic
from compiler.resolve.layers import Origin
from compiler.resolve.records import ResolvedDeployment
from compiler.targets import MAX_NAME, facts

Check = Callable[[ResolvedDeployment], Iterable[Diagnostic]]
MAX_SECRET_NAME = 253  # a DNS subdomain


def derived_names(rd: ResolvedDeployment) -> Iterable[Diagnostic]:
    """Every object name derived from the model name fits its limit (DESIGN rule 5): 63
    characters where it becomes a label value or a Service name, so no controller ever
    shortens one with a hash; 253 for a token Secret, which is neither. The target's
    facts list the names its controllers derive."""
    name = rd.key.name
    own = facts(rd.target).derived_names
    room = min((d.limit - d.suffix_length for d in own), default=MAX_NAME)
    derived = [(d.of(name), None, None, d.limit) for d in own] + [
        (f"{t.name}-{name}-sa", t.display, i, MAX_SECRET_NAME)
        for i, t in enumerate(rd.access.tokens)]
    for text, token, index, limit in derived:
        if len(text) <= limit:
            continue
        hint = (f"shorten token '{token}' or the model name: together they may have "
                f"{limit - len('--sa')} characters" if token else
                f"shorten the model name to at most {room} characters")
        origin = rd.origins["name"]
        tokens = rd.origins.get("access.tokens")
        if index is not None and tokens is not None:  # point at the token, wherever it was set
            origin = Origin(tokens.layer, tokens.doc, (*tokens.path, index))
        yield origin.diag(
            f"derived name '{text}' is {len(text)} characters; Kubernetes allows {limit}",
            "names.length", hint=hint)


def unique_env(rd: ResolvedDeployment) -> Iterable[Diagnostic]:
    """An environment variable is set once per layer; a second entry would silently win."""
    for origin in {o.doc.file + repr(o.path[:-1]): o for o in
                   (v for k, v in rd.origins.items() if k.startswith("env."))}.values():
        entries = origin.doc.data
        for part in origin.path[:-1]:
            entries = entries[part]
        seen: set[str] = set()
        for index, entry in enumerate(entries):
            if entry["name"] in seen:
                yield origin.doc.diag(origin.path[:-1] + (index, "name"),
                                      f"environment variable '{entry['name']}' is set twice",
                                      "env.duplicate")
            seen.add(entry["name"])


def llmd_block(rd: ResolvedDeployment) -> Iterable[Diagnostic]:
    """An ``llmd`` block belongs to a model that resolves to llm-d; on a model that resolves
    to another target in this environment it would be silently ignored."""
    origin = rd.origins.get("llmd")
    if origin is not None and rd.target != "llm-d":
        yield origin.diag(f"this model resolves to {facts(rd.target).display}; the llmd block "
                          "applies to llm-d only",
                          "llmd.not-llmd", hint="set runtime: llm-d, or remove the llmd block")


RULES: Mapping[str, Check] = {
    "names.length": derived_names,
    "env.duplicate": unique_env,
    "llmd.not-llmd": llmd_block,
}


def check_all(rd: ResolvedDeployment) -> list[Diagnostic]:
    return [d for check in RULES.values() for d in check(rd)]
