"""Environment settings the targeted platform release cannot honour (presets/platforms/).

Settings that configure OpenShift AI's dashboard or its HardwareProfile objects mean
nothing on a platform without them (upstream KServe); each is a located error rather
than a setting inferc silently ignores.
"""

from __future__ import annotations

from compiler.diagnostics import Diagnostic
from compiler.spec import Environment

RULE = "env.platform"
HARDWARE_PROFILE = "infrastructure.opendatahub.io/HardwareProfile"


def check_environment(env: Environment) -> list[Diagnostic]:
    release = env.release
    spec = env.doc.data["spec"]
    out = []
    if not release.dashboard_labels:
        for path in (("dashboardConfig",), ("platform", "dashboardNamespace")):
            if _present(spec, path):
                out.append(env.doc.diag(("spec", *path), f"{'.'.join(path)} configures the "
                                        f"OpenShift AI dashboard, which {release.display_name} "
                                        "does not have", RULE,
                                        hint="remove it from this environment"))
    if spec.get("manageHardwareProfiles") and HARDWARE_PROFILE not in release.kinds:
        out.append(env.doc.diag(("spec", "manageHardwareProfiles"),
                                f"{release.display_name} has no HardwareProfile kind to emit; "
                                "inferc renders each profile's resources and node scheduling "
                                "into the models themselves", RULE,
                                hint="remove manageHardwareProfiles from this environment"))
    return out


def _present(spec: dict[str, object], path: tuple[str, ...]) -> bool:
    node: object = spec
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True
