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
    out = []
    if not release.dashboard_labels:
        for path in env.dashboard_settings:
            setting = ".".join(map(str, path))
            out.append(env.doc.diag(("spec", *path), f"{setting} configures the OpenShift AI "
                                    f"dashboard, which {release.display_name} does not have",
                                    RULE, hint="remove it from this environment"))
    if env.manage_profiles and HARDWARE_PROFILE not in release.kinds:
        out.append(env.doc.diag(("spec", "manageHardwareProfiles"),
                                f"{release.display_name} has no HardwareProfile kind to emit; "
                                "inferc renders each profile's resources and node scheduling "
                                "into the models themselves", RULE,
                                hint="remove manageHardwareProfiles from this environment"))
    return out
