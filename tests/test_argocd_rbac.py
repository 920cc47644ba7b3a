"""argocd/rbac.yaml grants Argo CD's application controller what syncing inferc's output
takes: every kind of every golden output tree (the models' part to the namespaced role,
``platform/<env>/`` to either), and — since Kubernetes lets a subject create a Role only
with permissions it holds itself (or ``escalate``) — everything the emitted Roles grant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

GOLDEN = Path(__file__).parent / "cases" / "golden"
SYNC = {"get", "list", "watch", "create", "update", "patch"}  # apply, diff, prune needs delete


def plural(kind: str) -> str:
    """The resource name Kubernetes derives from a kind (gengo's default pluraliser)."""
    lower = kind.lower()
    if lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u"):
        return lower[:-1] + "ies"
    return lower + ("es" if lower.endswith("s") else "s")


def grants(role: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for rule in role["rules"]:
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                out.setdefault((group, resource), set()).update(rule["verbs"])
    return out


ROLES = {r["metadata"]["name"]: grants(r)
         for r in yaml.safe_load_all((ROOT / "argocd" / "rbac.yaml").read_text())}


def emitted() -> dict[str, list[dict[str, Any]]]:
    """Objects of every golden tree: 'models' (base/, overlays/) and 'platform'."""
    found: dict[str, list[dict[str, Any]]] = {"models": [], "platform": []}
    for path in sorted(GOLDEN.glob("*/expected/tree/**/*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        top = path.relative_to(GOLDEN).parts[3]  # <case>/expected/tree/<top>/...
        part = "platform" if top == "platform" else "models"
        found[part] += [d for d in yaml.safe_load_all(path.read_text())
                        if isinstance(d, dict) and "kind" in d]  # not JSON 6902 patches
    return found


OBJECTS = emitted()


def _resource(obj: dict[str, Any]) -> tuple[str, str]:
    group = obj["apiVersion"].rpartition("/")[0]
    return group, plural(obj["kind"])


def test_the_golden_trees_hold_both_parts() -> None:
    assert len(OBJECTS["models"]) > 100 and len(OBJECTS["platform"]) > 5


@pytest.mark.parametrize("part, roles", [
    ("models", ["inferc-argocd-models"]),
    ("platform", ["inferc-argocd-models", "inferc-argocd-platform"]),
])
def test_every_emitted_kind_can_be_synced(part: str, roles: list[str]) -> None:
    missing = set()
    for obj in OBJECTS[part]:
        held = set().union(*(ROLES[r].get(_resource(obj), set()) for r in roles))
        if not held >= SYNC:
            missing.add(f"{obj['apiVersion']} {obj['kind']}: has {sorted(held)}")
    assert sorted(missing) == []


def test_models_role_can_prune() -> None:
    for resource, verbs in ROLES["inferc-argocd-models"].items():
        assert "delete" in verbs, resource


def test_emitted_roles_grant_nothing_the_controller_lacks() -> None:
    """The escalation rule: each Role inferc writes must be within the models role."""
    roles = [o for o in OBJECTS["models"] if o["kind"] == "Role" and "rules" in o]
    assert roles
    held = ROLES["inferc-argocd-models"]
    for role in roles:
        for (group, resource), verbs in grants(role).items():
            assert verbs <= held.get((group, resource), set()), (role["metadata"], resource)
