"""Resources from a hardware profile, as the platform's webhook sets them
(the hardware-profile webhook's rules).

For every identifier of the profile: a missing request is the default count and
a missing limit equals the request. A value the user sets must lie inside the
profile's min/max; a request above its limit is rejected by Kubernetes, so it
is an error here too.

Devices (extended resources such as nvidia.com/gpu) cannot be overcommitted: a
request always equals its limit, so a device given only under ``limits`` is its
request too. A device the profile does not offer is an error: the webhook would
give it no limit and Kubernetes would reject the pod. Without a hardware profile
(``hardwareProfile: none``) the resources are exactly the spec's, and a device
request gets the equal limit Kubernetes requires.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.quantity import canonical, parse
from compiler.resolve.layers import Origin
from compiler.resolve.records import Resources
from compiler.resource_names import is_overcommittable
from compiler.spec import HardwareProfile, Identifier


def compute(profile: HardwareProfile, override: Mapping[str, Mapping[str, Any]],
            origins: Mapping[str, Origin]) -> tuple[Resources, list[Diagnostic]]:
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    diags: list[Diagnostic] = []
    user_req = {k: canonical(v) for k, v in override.get("requests", {}).items()}
    user_lim = {k: canonical(v) for k, v in override.get("limits", {}).items()}
    for ident in profile.identifiers:
        name = ident.identifier
        device = not is_overcommittable(name)  # nvidia.com/gpu, hugepages: limit = request
        default = user_lim[name] if device and name in user_lim else ident.default_count
        requests[name] = user_req.pop(name, default)
        limits[name] = user_lim.pop(name, requests[name])
    diags.extend(_not_offered(profile, [*user_req, *user_lim], origins))
    requests.update(sorted(user_req.items()))  # resources the profile does not govern
    for name, value in sorted(user_lim.items()):
        limits[name] = value
        requests.setdefault(name, value)
    for name, value in list(requests.items()):
        if not is_overcommittable(name):  # a device's limit is its request (the spec's own)
            limits.setdefault(name, value)
    diags.extend(_bounds(profile, override, origins))
    diags.extend(_order(requests, limits, origins))
    diags.extend(_extended(requests, limits, origins))
    return Resources(tuple(requests.items()), tuple(limits.items())), diags


def _not_offered(profile: HardwareProfile, names: list[str],
                 origins: Mapping[str, Origin]) -> list[Diagnostic]:
    if profile.none:
        return []
    out = []
    offered = [i.identifier for i in profile.identifiers]
    for name in dict.fromkeys(names):
        if is_overcommittable(name) or name in offered:
            continue
        section = "requests" if f"resources.requests.{name}" in origins else "limits"
        devices = [i for i in offered if not is_overcommittable(i)]
        out.append(origins[f"resources.{section}.{name}"].diag(
            f"hardware profile '{profile.name}' does not offer {name}: its scheduling and "
            "limits would not cover it, and Kubernetes rejects a device without a limit",
            "resources.not-offered",
            hint=(f"the profile offers {', '.join(devices)}" if devices else
                  "choose a hardware profile with this accelerator")))
    return out


def _bounds(profile: HardwareProfile, override: Mapping[str, Mapping[str, Any]],
            origins: Mapping[str, Origin]) -> list[Diagnostic]:
    by_name = {i.identifier: i for i in profile.identifiers}
    out = []
    for section in ("requests", "limits"):
        for name, value in override.get(section, {}).items():
            ident = by_name.get(name)
            problem = _outside(ident, canonical(value)) if ident else None
            if problem is not None:
                out.append(origins[f"resources.{section}.{name}"].diag(
                    f"{name} {canonical(value)} is {problem} of hardware profile "
                    f"'{profile.name}'", "resources.bounds",
                    hint=f"the profile allows {_range(ident)}" if ident else None))
    return out


def _outside(ident: Identifier, value: str) -> str | None:
    amount = parse(value).value
    if amount < parse(ident.min_count).value:
        return f"below the minimum {ident.min_count}"
    if ident.max_count is not None and amount > parse(ident.max_count).value:
        return f"above the maximum {ident.max_count}"
    return None


def _range(ident: Identifier) -> str:
    upper = ident.max_count if ident.max_count is not None else "no maximum"
    return f"{ident.min_count} to {upper}"


def _order(requests: Mapping[str, str], limits: Mapping[str, str],
           origins: Mapping[str, Origin]) -> list[Diagnostic]:
    out = []
    for name, limit in limits.items():
        request = requests.get(name)
        if request is not None and parse(request).value > parse(limit).value:
            origin = origins.get(f"resources.limits.{name}") or origins[f"resources.requests.{name}"]
            out.append(origin.diag(f"{name} request {request} is above its limit {limit}",
                                   "resources.request-above-limit"))
    return out


_OVERCOMMITTED = ("cpu", "memory", "ephemeral-storage")  # the others cannot be overcommitted


def _extended(requests: Mapping[str, str], limits: Mapping[str, str],
              origins: Mapping[str, Origin]) -> list[Diagnostic]:
    """Kubernetes rejects a pod whose accelerator request differs from its limit,
    or asks for a fraction of a device."""
    out = []
    for name, limit in limits.items():
        if name in _OVERCOMMITTED:
            continue
        request = requests.get(name, limit)
        origin = (origins.get(f"resources.limits.{name}") or origins.get(f"resources.requests.{name}")
                  or origins["hardwareProfile"])
        if request != limit:
            out.append(origin.diag(f"{name} request {request} and limit {limit} must be equal: "
                                   "Kubernetes does not overcommit extended resources",
                                   "resources.extended",
                                   hint=f"set both requests and limits of {name}"))
        elif parse(limit).value != parse(limit).value.to_integral_value():
            out.append(origin.diag(f"{name} {limit} is not a whole number of devices",
                                   "resources.extended"))
    return out
