"""Gateway, trust, Kuadrant policies and rate-limit windows (issue 8, llmd-edge).

The window conversion is tested directly; the policies are rendered from a
deployment resolved by the real pipeline and moved to the llm-d target, then
verified against the vendored Kuadrant CRDs.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from test_invalid import CASES, make_repo

from compiler.pipeline import load_and_resolve
from compiler.render import kuadrant
from compiler.resolve import gateway, ratelimit
from compiler.resolve.records import Rate, RateLimits, ResolvedDeployment, Token
from compiler.spec import environment_from
from compiler.verify import Verifier


@pytest.mark.parametrize(("given", "written"), [
    ("24h", "24h"), ("90s", "90s"), ("500ms", "500ms"), ("1h30m", "1h30m"),
    ("1d", "24h"), ("7d", "168h"), ("1d12h", "36h"), ("100000s", "27h46m40s"),
])
def test_window_in_the_crd_form(given: str, written: str) -> None:
    assert ratelimit.window(given) == written
    assert ratelimit.CRD_WINDOW.match(written)


@pytest.mark.parametrize(("given", "why"), [
    ("0s", "is zero"), ("1 day", "is not a duration"), ("1w", "is not a duration"),
    ("5000d", "is 120000 hours"), ("", "is not a duration"),
])
def test_window_refused(given: str, why: str) -> None:
    with pytest.raises(ratelimit.WindowError, match=why):
        ratelimit.window(given)


def _llmd(tmp_path: Path, platform: str = "openshift-ai", **spec: Any) -> ResolvedDeployment:
    """team/chat of the invalid cases' base repo, as an llm-d model in environment dev."""
    compiled = load_and_resolve(make_repo(CASES / "_base", tmp_path / "repo"))
    rd = next(r for r in compiled.deployments["dev"] if r.key.name == "chat")
    data = copy.deepcopy(rd.environment.doc.data)
    data["spec"].update(spec)
    if platform != "openshift-ai":
        data["spec"]["platform"] = {"name": platform, "version": "0.20"}
    env = environment_from(replace(rd.environment.doc, data=data))
    limits = RateLimits(requests=(Rate(100, "1m"),), tokens=(Rate(50000, "24h"),))
    return replace(rd, target="llm-d", environment=env, access=replace(
        rd.access, rate_limits=limits, tokens=(Token("default-name", "default-name"),)))


def _kinds(objects: list[dict[str, Any]]) -> list[str]:
    return [o["kind"] for o in objects]


def test_openshift_ai_leaves_the_auth_policy_to_its_controller(tmp_path: Path) -> None:
    objects = kuadrant.render(_llmd(tmp_path))
    assert _kinds(objects) == ["RateLimitPolicy", "TokenRateLimitPolicy"]
    assert {o["spec"]["targetRef"]["name"] for o in objects} == {"chat-kserve-route"}
    assert objects[1]["spec"]["limits"] == {"tokens": {"rates": [
        {"limit": 50000, "window": "24h"}]}}


def test_upstream_with_kuadrant_gets_a_verified_auth_policy(tmp_path: Path) -> None:
    rd = _llmd(tmp_path, platform="kserve", kuadrant={"installed": True},
               gateway={"name": "kserve-ingress-gateway", "namespace": "kserve",
                        "trustedNamespaces": ["team"]})
    objects = kuadrant.render(rd)
    assert _kinds(objects) == ["AuthPolicy", "RateLimitPolicy", "TokenRateLimitPolicy"]
    verifier = Verifier(crd_set="upstream")
    for obj in objects:
        assert verifier.check(obj, file="x") == []
    assert objects[0]["metadata"]["name"] == "chat-kserve-route-authn"
    assert gateway.check(rd.environment, [rd]) == []


def test_upstream_without_kuadrant_cannot_enforce_tokens(tmp_path: Path) -> None:
    rd = _llmd(tmp_path, platform="kserve",
               gateway={"name": "gw", "namespace": "gw", "trustedNamespaces": "all"})
    rules = [d.rule for d in gateway.check(rd.environment, [rd])]
    assert rules == ["access.auth-without-kuadrant", "access.rate-limits-without-kuadrant"]
    assert kuadrant.render(rd)[0]["kind"] == "RateLimitPolicy"  # never an AuthPolicy


def test_untrusted_namespace_and_undeclared_trust(tmp_path: Path) -> None:
    rd = _llmd(tmp_path, gateway={"trustedNamespaces": ["other"]})
    [diag] = gateway.check(rd.environment, [rd])
    assert (diag.file, diag.rule) == ("models/team/chat.yaml", "gateway.untrusted-namespace")
    rd = _llmd(tmp_path / "2")
    [diag] = gateway.check(rd.environment, [rd])
    assert (diag.file, diag.rule) == ("environments/dev.yaml", "gateway.trust-required")
