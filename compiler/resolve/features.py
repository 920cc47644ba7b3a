"""Spec features a platform release may lack (presets/platforms/, ``spec.features``).

A feature the targeted release lacks is a located error: it names the first
release of the same platform that has it, or, when no release of that platform
does, says so and what to do instead. No version numbers are compared here.
"""

from __future__ import annotations

from compiler.diagnostics import Diagnostic
from compiler.platforms import Platform
from compiler.resolve.layers import Origin


def require(release: Platform, feature: str, what: str, origin: Origin, rule: str, *,
            instead: str | None = None) -> list[Diagnostic]:
    """No diagnostic when ``release`` has ``feature``; else one at ``origin``."""
    if release.has(feature):
        return []
    first = release.first_with(feature)
    if first is not None:
        return [origin.diag(f"{what} needs {first.display_name} or later; this environment "
                            f"targets {release.version}", rule)]
    return [origin.diag(f"{what} does not exist on {release.display_name}", rule, hint=instead)]
