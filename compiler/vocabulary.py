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
# the profile's resourceVersion, which the dashboard writes and inferc never does (cluster state)
HARDWARE_PROFILE_VERSION = "opendatahub.io/hardware-profile-resource-version"
# cluster state (the profile's resourceVersion): never written, ignored in Argo CD's diff
HARDWARE_PROFILE_RESOURCE_VERSION = "opendatahub.io/hardware-profile-resource-version"
DISABLED = "opendatahub.io/disabled"  # on HardwareProfiles: "true" hides it in the dashboard
FEATURE_VISIBILITY = "opendatahub.io/dashboard-feature-visibility"  # where a profile is offered
ENABLE_AUTH = "security.opendatahub.io/enable-auth"
GENAI_ASSET = "opendatahub.io/genai-asset"  # a label
GENAI_USE_CASE = "opendatahub.io/genai-use-case"
CONNECTIONS = "opendatahub.io/connections"
CONNECTION_PATH = "opendatahub.io/connection-path"
KUEUE_MANAGED = "kueue.openshift.io/managed"  # Namespace label
MODELMESH_ENABLED = "modelmesh-enabled"  # Namespace label: "false" = single-model serving
# the runtime's metrics endpoint, on a ServingRuntime's spec.annotations (OpenShift AI)
PROMETHEUS_PORT = "prometheus.io/port"
PROMETHEUS_PATH = "prometheus.io/path"

# ---- KServe
VISIBILITY = "networking.kserve.io/visibility"
STOP = "serving.kserve.io/stop"
DEPLOYMENT_MODE = "serving.kserve.io/deploymentMode"
STORAGE_SECRET = "serving.kserve.io/storageSecretName"
SERVER_TYPE = "serving.kserve.io/server-type"
KSERVE_PROMETHEUS_PORT = "prometheus.kserve.io/port"  # upstream KServe's metrics annotations
KSERVE_PROMETHEUS_PATH = "prometheus.kserve.io/path"
# labels KServe puts on the pods of an InferenceService's predictor
ISVC_POD = "serving.kserve.io/inferenceservice"
COMPONENT = "component"  # "predictor", "transformer", …

# ---- Kubernetes and Argo CD
SERVICE_ACCOUNT_NAME = "kubernetes.io/service-account.name"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
MANAGED_BY = "app.kubernetes.io/managed-by"
APP_NAME = "app.kubernetes.io/name"  # the llm-d controller: the LLMInferenceService's name
APP_PART_OF = "app.kubernetes.io/part-of"  # the llm-d controller: "llminferenceservice"
APP_COMPONENT = "app.kubernetes.io/component"  # the llm-d controller: which workload
NAMESPACE_NAME = "kubernetes.io/metadata.name"  # set by Kubernetes on every Namespace
QUEUE_NAME = "kueue.x-k8s.io/queue-name"  # Kueue's admission label (upstream KServe)
INFERC_ENVIRONMENT = "inferc.dev/environment"  # inferc's label on its Argo CD Applications
# ---- written by clients and controllers on live objects (inferc import drops them)
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"  # kubectl apply's record
ARGOCD_TRACKING = "argocd.argoproj.io/tracking-id"  # Argo CD's annotation resource tracking
REGISTRY_PULL_SECRET_REF = "openshift.io/internal-registry-pull-secret-ref"  # on ServiceAccounts
SERVICE_ACCOUNT_UID = "kubernetes.io/service-account.uid"  # the token controller, on a token Secret


def json_pointer(*path: str) -> str:
    """An RFC 6901 pointer (Argo CD's jsonPointers, JSON-6902 patches): ``~`` and ``/``
    inside a key are escaped, so ``annotation_pointer(STOP)`` reaches one annotation."""
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in path)


def annotation_pointer(key: str) -> str:
    return json_pointer("metadata", "annotations", key)
