"""Hardware-profile choices the cluster would refuse or the dashboard would not offer.

Warnings, not errors: the model still deploys, but

* a disabled profile (``opendatahub.io/disabled: "true"``) and a profile the
  dashboard offers only elsewhere (``opendatahub.io/dashboard-feature-visibility``
  without ``model-serving``, such as ``["workbench"]``) are not what the wizard
  would let anyone pick, so a dashboard edit of the model cannot keep them;
* a profile the config repo defines is only on the cluster if something puts it
  there: the admission webhook rejects a model whose profile does not exist, so
  an environment that does not emit it (``manageHardwareProfiles``) relies on
  someone having applied it.
"""

from __future__ import annotations

from compiler import vocabulary as V
from compiler.diagnostics import Diagnostic, Severity
from compiler.resolve.layers import Origin
from compiler.spec import Environment, HardwareProfile

MODEL_SERVING = "model-serving"


def check(profile: HardwareProfile, env: Environment, origin: Origin) -> list[Diagnostic]:
    if profile.none:
        return []
    out = []
    if profile.disabled:
        out.append(origin.diag(
            f"hardware profile '{profile.name}' is disabled ({V.DISABLED}: \"true\"); "
            "the dashboard does not offer it, and a dashboard edit of this model would have to "
            "pick another", "profile.disabled", severity=Severity.WARNING))
    shown = profile.visibility
    if shown and MODEL_SERVING not in shown:
        out.append(origin.diag(
            f"hardware profile '{profile.name}' is for {', '.join(shown)} only "
            f"({V.FEATURE_VISIBILITY}); the dashboard does not offer it for model serving",
            "profile.not-for-serving", severity=Severity.WARNING,
            hint="use a profile whose visibility includes model-serving, or none"))
    if not profile.builtin and not env.manage_profiles:
        out.append(origin.diag(
            f"hardware profile '{profile.name}' comes from this repo, but the environment does "
            "not emit it; the admission webhook rejects the model unless the profile already "
            "exists on the cluster", "profile.not-emitted",
            severity=Severity.WARNING,
            hint="set manageHardwareProfiles: true in the environment, or apply the profile"))
    return out
