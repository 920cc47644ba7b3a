"""The label and annotation keys inferc writes or reads, in one place.

OpenShift AI's dashboard and controllers, KServe and Argo CD key their behaviour
on these exact strings (what each means is described where it is written); a
typo in one of them is silently ignored by the cluster, so they are spelled
once, here.
"""

from __future__ import annotations

# ---- OpenShift and the OpenShift AI dashboard (what its wizard writes and reads)
DISPLAY_NAME = "openshift.io/display-name"
DESCRIPTION = "openshift.io/description"
ODH_DISPLAY_NAME = "opendatahub.io/display-name"  # on HardwareProfiles
DASHBOARD = "opendatahub.io/dashboard"  # label: the dashboard lists the object
MODEL_TYPE = "opendatahub.io/model-type"
API_PROTOCOL = "opendatahub.io/apiProtocol"
TEMPLATE_NAME = "opendatahub.io/template-name"
TEMPLATE_DISPLAY_NAME = "opendatahub.io/template-display-name"
RUNTIME_SCOPE = "opendatahub.io/serving-runtime-scope"
RECOMMENDED_ACCELERATORS = "opendatahub.io/recommended-accelerators"
SERVING_SUPPORT = "opendatahub.io/modelServingSupport"
SUPPORT_STATUS = "opendatahub.io/support-status"
UNSUPPORTED_ACCEPTED = "opendatahub.io/unsupported-status-accepted"
KSERVE_RUNTIME = "opendatahub.io/kserve-runtime"  # which runtime a ServingRuntime is
HARDWARE_PROFILE_NAME = "opendatahub.io/hardware-profile-name"
HARDWARE_PROFILE_NAMESPACE = "opendatahub.io/hardware-profile-namespace"
ENABLE_AUTH = "security.opendatahub.io/enable-auth"
GENAI_ASSET = "opendatahub.io/genai-asset"  # a label
GENAI_USE_CASE = "opendatahub.io/genai-use-case"
CONNECTIONS = "opendatahub.io/connections"
CONNECTION_PATH = "opendatahub.io/connection-path"
KUEUE_MANAGED = "kueue.openshift.io/managed"  # Namespace label
MODELMESH_ENABLED = "modelmesh-enabled"  # Namespace label: "false" = single-model serving

# ---- KServe
VISIBILITY = "networking.kserve.io/visibility"
STOP = "serving.kserve.io/stop"
DEPLOYMENT_MODE = "serving.kserve.io/deploymentMode"
STORAGE_SECRET = "serving.kserve.io/storageSecretName"
SERVER_TYPE = "serving.kserve.io/server-type"

# ---- Kubernetes and Argo CD
SERVICE_ACCOUNT_NAME = "kubernetes.io/service-account.name"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
MANAGED_BY = "app.kubernetes.io/managed-by"
