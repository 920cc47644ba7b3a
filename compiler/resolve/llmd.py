"""llm-d target: the spec's ``llmd`` block and the shared fields → one LlmdWorkload.

DESIGN rules 2, 5, 6 and 9 apply. The main (decode) container takes the shared
fields (resources, args, env); ``llmd`` adds the router and its scheduler
configuration, parallelism (multi-node groups when ``data > dataLocal``),
prefill/decode disaggregation and an image where no preset fits. What a release
has — served apiVersions, the inline scheduler config, ``rolloutStrategy``, the
scheduler version and its plugin registry — is data (``presets/llmd/``), never a
version comparison here: what the platform files (``presets/platforms/``) say of the
release, and ``presets/llmd/schedulers.json`` of its scheduler.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.diagnostics import Diagnostic, DocPath, Severity
from compiler.platforms import Platform
from compiler.quantity import parse
from compiler.resolve import epp, gateway, rollout
from compiler.resolve import layers as L
from compiler.resolve import resources as R
from compiler.resolve.records import (
    EnvVar,
    PodGroup,
    ResolvedDeployment,
    Resources,
    Scaling,
    Workload,
)
from compiler.resolve.targets import TargetInput, TargetResolver, runtime_origin
from compiler.spec import Environment, HardwareProfile
from compiler.text import table

LLMD = "llm-d"
DEFAULT_BLOCK_SIZE = 64
STOP_THEN_START = {"maxSurge": 0, "maxUnavailable": "100%"}
# Deployments roll with Kubernetes' default surge; LeaderWorkerSets (multi-node groups) default
# to maxSurge 0 (KServe api docs for RolloutStrategy).
DEPLOYMENT_SURGE = "25%"
NIXL = '{"kv_connector":"NixlConnector","kv_role":"kv_both"}'
# Child names the llmisvc controller derives with kmeta.ChildName, which hashes any name
# above 63 characters (pkg/controller/v1alpha2/llmisvc/*.go).
SUFFIXES = {"route": "-kserve-route", "scheduler": "-kserve-router-scheduler",
            "pool": "-inference-pool", "workload": "-kserve", "workload-service": "-kserve-workload-svc",
            "multi-node": "-kserve-mn", "prefill": "-kserve-prefill",
            "prefill-multi-node": "-kserve-mn-prefill"}
MAX_NAME = 63


ACCELERATOR_PRESETS = "llmdAcceleratorPresets"


@dataclass(frozen=True)
class Release:
    """What one platform release has for llm-d, read from its platform file."""

    platform: Platform
    api_version: str  # what the release's dashboard writes (upstream: the stored version)
    inline_config: bool
    rollout_strategy: bool
    profile_webhook: bool  # fills spec.template's nodeSelector/tolerations from the profile
    dashboard: bool

    @property
    def label(self) -> str:
        return self.platform.display_name

    def first_with(self, feature: str) -> str | None:
        first = self.platform.first_with(feature)
        return first.display_name if first else None


def release(env: Environment) -> Release:
    platform = env.release
    return Release(platform, platform.api_version("serving.kserve.io/LLMInferenceService"),
                   platform.has("llmdInlineSchedulerConfig"), platform.has("llmdRolloutStrategy"),
                   platform.runs("hardwareProfileWebhook"), platform.dashboard_labels)


@dataclass(frozen=True)
class Parallelism:
    tensor: int | None
    data: int | None
    data_local: int | None
    expert: bool

    @property
    def group_size(self) -> int:
        """Pods per replica: the controller's LeaderWorkerSet size (data / dataLocal)."""
        if self.data is None and self.data_local is None:
            return 1
        return max(max(self.data or 1, 1) // max(self.data_local or 1, 1), 1)

    @property
    def accelerators_per_pod(self) -> int:
        return (self.tensor or 1) * (self.data_local or 1)

    def as_spec(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in (("tensor", self.tensor), ("data", self.data),
                           ("dataLocal", self.data_local)):
            if value is not None:
                out[key] = value
        if self.expert:
            out["expert"] = True
        return out


@dataclass(frozen=True)
class Prefill:
    replicas: int
    parallelism: Parallelism | None
    resources: Resources
    env: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class LlmdWorkload(Workload):
    release: Release
    scheduler: epp.Scheduler | None  # None: no scheduler (router.scheduler: none)
    routing: str
    config_json: str | None  # the inline EndpointPickerConfig, None: the controller's default
    config_source: str
    parallelism: Parallelism | None
    prefill: Prefill | None
    image: str | None
    base_refs: tuple[str, ...]
    main_env: tuple[dict[str, Any], ...]  # the main container's env, in order
    rollout: Mapping[str, Any] | None
    node_selector: Mapping[str, str] | None  # rendered by inferc (worker/prefill, or no webhook)
    tolerations: tuple[Mapping[str, Any], ...]
    names: Mapping[str, str]
    scheduler_pod: epp.SchedulerPod | None
    shown: tuple[tuple[str, str], ...] = ()  # the llmd block's leaves, for explain

    @property
    def api_version(self) -> str:
        return self.release.api_version

    @property
    def config(self) -> dict[str, Any] | None:
        return json.loads(self.config_json) if self.config_json else None

    @property
    def workers(self) -> bool:
        return self.parallelism is not None and self.parallelism.group_size > 1

    def pod_groups(self, scaling: Scaling, resources: Resources) -> tuple[PodGroup, ...]:
        """Every pod the model creates in its namespace, each with its own resources and the
        surge its controller really rolls with (DESIGN rule 2)."""
        replicas = scaling.max_replicas
        size = self.parallelism.group_size if self.parallelism else 1
        out = [PodGroup("main", replicas, self._surge(replicas, size), resources)]
        if size > 1:
            out.append(PodGroup("worker", replicas * (size - 1), 0, resources))
        if self.prefill is not None:
            prefill = self.prefill
            psize = prefill.parallelism.group_size if prefill.parallelism else 1
            out.append(PodGroup("prefill", prefill.replicas, self._surge(prefill.replicas, psize),
                                prefill.resources))
            if psize > 1:
                out.append(PodGroup("prefill-worker", prefill.replicas * (psize - 1), 0,
                                    prefill.resources))
        pod = self.scheduler_pod
        if pod is not None:
            out.append(PodGroup("scheduler", pod.replicas, self._surge(pod.replicas, 1),
                                Resources(tuple(pod.requests.items()),
                                          tuple(pod.limits.items()))))
        return tuple(out)

    def _surge(self, replicas: int, group_size: int) -> int:
        """25% of a Deployment's replicas, rounded up; none for a LeaderWorkerSet (maxSurge 0
        by default) or under the stop-then-start rolloutStrategy inferc writes."""
        if self.rollout is not None or group_size > 1 or replicas == 0:
            return 0
        return -(-replicas * 25 // 100)


class _Located:
    """Reports problems at a path inside the ``llmd`` block, wherever that block was set."""

    def __init__(self, inputs: TargetInput) -> None:
        self.origins = inputs.origins
        self.origin = inputs.origins.get("llmd") or inputs.origins["runtime"]
        self.has_block = "llmd" in inputs.origins
        self.diags: list[Diagnostic] = []

    def at(self, path: DocPath, message: str, rule: str, hint: str | None = None, *,
           severity: Severity = Severity.ERROR) -> Diagnostic:
        origin, rest = self._deepest(path) if self.has_block else (self.origin, ())
        diag = origin.doc.diag((*origin.path, *rest), message, rule, hint=hint,
                               severity=severity)
        self.diags.append(diag)
        return diag

    def _deepest(self, path: DocPath) -> tuple[L.Origin, DocPath]:
        """Layers merge the block per key, so each part may come from another file: the
        origin of the longest dotted prefix of ``path``, and the rest of the path below it."""
        for cut in range(len(path), -1, -1):
            head = path[:cut]
            if any(isinstance(p, int) for p in head):
                continue
            key = ".".join(["llmd", *map(str, head)])
            if key in self.origins:
                return self.origins[key], path[cut:]
        return self.origin, path


def resolve(inputs: TargetInput) -> tuple[LlmdWorkload | None, list[Diagnostic]]:
    env, values = inputs.env, inputs.values
    rel = release(env)
    where = _Located(inputs)
    block: Mapping[str, Any] = values.get("llmd", {})
    router = block.get("router", {})
    _check_strategy(inputs, where)
    _check_kserve_only(inputs, where)
    main = _main_resources(inputs)
    parallelism = _parallelism(block.get("parallelism"), ("parallelism",), where)
    _check_accelerators(parallelism, dict(main.requests), inputs.profile, ("parallelism",), where)
    prefill = _prefill(block.get("prefill"), inputs, where)
    facts = epp.platform_scheduler(env.platform, env.version)
    use_scheduler = router.get("scheduler", "managed") == "managed"
    sched = facts[0] if facts and use_scheduler else None
    config, source = _scheduler_config(router, sched, rel, inputs, where)
    image, base_refs = _image(block, rel, inputs, where)
    main_env = _main_env(inputs, router.get("routing", "default") if config else "default",
                         router.get("blockSize", DEFAULT_BLOCK_SIZE), prefill is not None, where)
    names = derived_names(inputs.model.key.name, use_scheduler, prefill, parallelism)
    _check_names(names, inputs, where)
    selector, tolerations = _node_scheduling(inputs.profile)
    workload = LlmdWorkload(
        rel, sched, router.get("routing", "default"),
        json.dumps(config) if config is not None else None, source, parallelism, prefill, image,
        base_refs, main_env, dict(STOP_THEN_START) if rel.rollout_strategy else None, selector,
        tolerations, names, facts[1] if facts and sched else None, _flatten(block, "llmd"))
    where.diags.extend(_surge_warning(workload, inputs))
    return workload, where.diags


def _flatten(value: Any, key: str) -> tuple[tuple[str, str], ...]:
    """Leaves of a block by dotted key, as explain shows them (lists as compact JSON)."""
    if isinstance(value, Mapping):
        return tuple(item for k, v in value.items() for item in _flatten(v, f"{key}.{k}"))
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return ((key, str(text).lower() if isinstance(value, bool) else text),)


def _main_resources(inputs: TargetInput) -> Resources:
    # Shared resolve reports problems of the shared fields; here they only size the pods.
    res, _ = R.compute(inputs.profile, inputs.values.get("resources", {}), inputs.origins)
    return res


# --- strategy (DESIGN rule 2) --------------------------------------------------------------


def _check_strategy(inputs: TargetInput, where: _Located) -> None:
    origin = inputs.origins.get("strategy")
    if origin is None or origin.layer not in (L.SPEC, L.ENV_OVERRIDE):
        return  # environment defaults and the dashboard's setting apply to KServe models only
    where.diags.append(origin.diag(
        "llm-d models take no deployment strategy: the documentation gives llm-d no strategy "
        "choice, and inferc rolls them out stop-then-start where the platform allows it",
        "llmd.strategy", hint="remove strategy from this llm-d model"))


def _check_kserve_only(inputs: TargetInput, where: _Located) -> None:
    """Fields of the wizard's KServe form that an LLMInferenceService has no place for."""
    scaling, _ = rollout.scaling(inputs.values, inputs.origins)
    if not scaling.fixed:
        where.diags.append(inputs.origins["scaling"].diag(
            "inferc writes llm-d models with a fixed replica count; autoscaling of "
            "LLMInferenceService is not modelled", "llmd.scaling",
            hint="set replicas instead of scaling"))
    if "timeout" in inputs.origins:
        where.diags.append(inputs.origins["timeout"].diag(
            "the model route timeout is a field of KServe InferenceServices; an llm-d model is "
            "reached through the inference gateway's HTTPRoute", "llmd.timeout",
            hint="remove timeout from this llm-d model"))


def _surge_warning(workload: LlmdWorkload, inputs: TargetInput) -> list[Diagnostic]:
    """Where a namespace quota counts the controller's surge, say the rollout needs it."""
    if workload.rollout is not None or inputs.model.key.namespace not in inputs.env.quotas:
        return []
    scaling, _ = rollout.scaling(inputs.values, inputs.origins)
    groups = workload.pod_groups(scaling, Resources((), ()))
    parts = ", ".join(f"{g.role} +{g.surge_pods}" for g in groups if g.surge_pods)
    if not parts:
        return []
    # An implicit runtime (llm-d by the environment's default) comes from inferc's own
    # preset file; point at the model's spec instead.
    origin = inputs.origins.get("llmd") or runtime_origin(inputs.origins["runtime"], inputs.model)
    return [origin.diag(
        f"{workload.release.label} has no rolloutStrategy for LLMInferenceService: its "
        f"controller rolls the Deployments with Kubernetes' default 25% surge ({parts} pods "
        "while rolling out), which the namespace quota must leave room for", "llmd.surge",
        severity=Severity.WARNING)]


# --- parallelism ---------------------------------------------------------------------------


def _parallelism(raw: Mapping[str, Any] | None, path: DocPath,
                 where: _Located) -> Parallelism | None:
    if raw is None:
        return None
    par = Parallelism(raw.get("tensor"), raw.get("data"), raw.get("dataLocal"),
                      bool(raw.get("expert", False)))
    if par.data is not None and par.data % (par.data_local or 1):
        where.at((*path, "data"), f"data parallelism {par.data} is not divisible by dataLocal "
                 f"{par.data_local}: every pod of a group runs dataLocal copies",
                 "llmd.parallelism", "make data a multiple of dataLocal")
    if par.data_local is not None and par.data is not None and par.data_local > par.data:
        where.at((*path, "dataLocal"), f"dataLocal {par.data_local} is above data {par.data}",
                 "llmd.parallelism")
    return par


def _check_accelerators(par: Parallelism | None, requests: Mapping[str, str], profile: HardwareProfile,
                        path: DocPath, where: _Located) -> None:
    accelerator = profile.accelerator
    if par is None or accelerator is None or (par.tensor is None and par.data_local is None):
        return
    count = parse(requests.get(accelerator, "0")).value
    if count != par.accelerators_per_pod:
        where.at(path, f"each pod gets {count} {accelerator} but parallelism needs "
                 f"tensor × dataLocal = {par.tensor or 1} × {par.data_local or 1} = "
                 f"{par.accelerators_per_pod}", "llmd.parallelism",
                 f"request {par.accelerators_per_pod} {accelerator} per pod, or change tensor/dataLocal")


# --- prefill ---------------------------------------------------------------------------------


def _prefill(raw: Mapping[str, Any] | None, inputs: TargetInput,
             where: _Located) -> Prefill | None:
    if raw is None:
        return None
    par = _parallelism(raw.get("parallelism"), ("prefill", "parallelism"), where)
    override = raw.get("resources", {})
    origins = {f"resources.{s}.{n}": L.Origin(where.origin.layer, where.origin.doc,
                                                (*where.origin.path, "prefill", "resources", s, n))
               for s, entries in override.items() for n in entries}
    origins["hardwareProfile"] = inputs.origins["hardwareProfile"]
    res, diags = R.compute(inputs.profile, override, origins)
    where.diags.extend(diags)
    _check_accelerators(par, dict(res.requests), inputs.profile, ("prefill", "parallelism"), where)
    env = [_env_entry(e) for e in raw.get("env", ())]
    args = [*raw.get("args", ()), f"--kv-transfer-config={NIXL}"]
    written = (*_pod_ip(), {"name": "VLLM_NIXL_SIDE_CHANNEL_HOST", "value": "$(POD_IP)"})
    reserved = {e["name"] for e in written} | {ADDITIONAL_ARGS}
    for i, entry in enumerate(raw.get("env", ())):
        if entry["name"] in reserved:
            where.at(("prefill", "env", i), _clash(entry["name"]), "llmd.env-clash",
                     _clash_hint(entry["name"]))
    env_entries = (*written, *env, {"name": ADDITIONAL_ARGS, "value": _join(args)})
    return Prefill(raw["replicas"], par, res, env_entries)


# --- scheduler configuration ----------------------------------------------------------------


def _scheduler_config(router: Mapping[str, Any], sched: epp.Scheduler | None, rel: Release,
                      inputs: TargetInput, where: _Located) -> tuple[dict[str, Any] | None, str]:
    routing = router.get("routing", "default")
    asks = [k for k in ("config", "weights", "blockSize") if k in router]
    if routing != "default":
        asks.insert(0, "routing")
    if not asks:
        return None, "the controller's default"
    if sched is None:
        where.at(("router", asks[0]), "routing settings need the scheduler; router.scheduler is none",
                 "llmd.scheduler-none", "remove them or set router.scheduler: managed")
        return None, "none"
    if not rel.inline_config:
        first = rel.first_with("llmdInlineSchedulerConfig")
        where.at(("router", asks[0]), f"{rel.label} has no inline scheduler configuration "
                 f"(spec.router.scheduler.config), so {asks[0]} cannot be set there",
                 "llmd.feature", f"first in {first}" if first else None)
        return None, "unsupported"
    if "config" in router:
        return _user_config(router, sched, where), "the spec (router.config)"
    if inputs.values.get("llmd", {}).get("prefill") is not None:
        # The two may come from different layers (a spec's routing, an override's prefill):
        # name where the other half is set, or the message reads as a contradiction.
        prefill = L.origin_of(inputs.origins, "llmd.prefill")
        where.at(("router", asks[0]), f"{asks[0]} cannot be combined with prefill: inferc "
                 "writes routing settings for one scheduling profile, and a prefill/decode "
                 "split runs the controller's own two-profile configuration",
                 "llmd.routing-prefill",
                 f"prefill is set in the {prefill.layer} at {prefill.location}; remove "
                 f"router.{asks[0]}, or give the whole EndpointPickerConfig (prefill and decode "
                 "profiles) in router.config")
        return None, "unsupported"
    weights = _weights(router, sched, routing, where)
    if routing == "precise-prefix-cache":
        return _precise(router, sched, weights, inputs), "inferc (precise-prefix-cache)"
    return epp.prefix_cache(sched, weights), "inferc (prefix-cache)"


def _weights(router: Mapping[str, Any], sched: epp.Scheduler, routing: str,
             where: _Located) -> dict[str, float]:
    weights: dict[str, float] = dict(epp.DEFAULT_WEIGHTS)
    allowed = list(epp.DEFAULT_WEIGHTS)
    for key, value in router.get("weights", {}).items():
        if key not in allowed:
            near = epp._near(key, allowed)
            where.at(("router", "weights", key), f"no scorer '{key}' in {routing} routing; "
                     f"weights apply to {', '.join(allowed)}", "llmd.scheduler-plugin", near)
            continue
        if sched.integer_weights and not float(value).is_integer():
            where.at(("router", "weights", key), f"scheduler {sched.version} reads integer weights",
                     "llmd.scheduler-config")
        weights[key] = value
    return weights


def _precise(router: Mapping[str, Any], sched: epp.Scheduler, weights: Mapping[str, float],
             inputs: TargetInput) -> dict[str, Any]:
    key = inputs.model.key
    uri = inputs.values["storage"]["uri"]
    tokenizer = uri.removeprefix("hf://") if uri.startswith("hf://") else key.name
    return epp.precise_prefix_cache(
        sched, weights, block_size=router.get("blockSize", DEFAULT_BLOCK_SIZE),
        model_name=key.name, tokenizer=tokenizer,
        workload_url=f"https://{key.name}{SUFFIXES['workload-service']}.{key.namespace}.svc:8000")


def _user_config(router: Mapping[str, Any], sched: epp.Scheduler,
                 where: _Located) -> dict[str, Any]:
    config = router["config"]

    def report(path: DocPath, message: str, rule: str, hint: str | None, *,
               severity: Severity = Severity.ERROR) -> Diagnostic:
        return where.at(("router", "config", *path), message, rule, hint, severity=severity)

    epp.check(config, sched, report)
    return dict(config)


# --- the main container ----------------------------------------------------------------------


def _pod_ip() -> tuple[dict[str, Any], ...]:
    return ({"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},)


def _join(args: Sequence[str]) -> str:
    # The presets run `eval "vllm serve … ${VLLM_ADDITIONAL_ARGS} …"`: quote for that shell.
    # OpenShift AI 3.3's presets ignore container args, so every release gets them this way,
    # as the dashboard writes them.
    return " ".join(shlex.quote(a) for a in args)


def _env_entry(raw: Mapping[str, Any]) -> dict[str, Any]:
    return EnvVar(raw["name"], raw.get("value", ""), raw.get("valueFrom")).as_k8s()


def _main_env(inputs: TargetInput, routing: str, block_size: int,
              disaggregated: bool, where: _Located) -> tuple[dict[str, Any], ...]:
    args = list(inputs.values.get("args", ()))
    env: list[dict[str, Any]] = []
    if routing == "precise-prefix-cache" or disaggregated:
        env.extend(_pod_ip())
    if routing == "precise-prefix-cache":
        events = json.dumps({"enable_kv_cache_events": True, "publisher": "zmq",
                             "endpoint": f"tcp://*:{epp.KV_EVENTS_PORT}",
                             "topic": f"{epp.TOPIC_FILTER}$(POD_IP):8000@{inputs.model.key.name}"},
                            separators=(",", ":"))
        args += ["--prefix-caching-hash-algo=sha256_cbor", f"--block-size={block_size}",
                 f"--kv-events-config={events}"]
        env.append({"name": "PYTHONHASHSEED", "value": epp.HASH_SEED})
    if disaggregated:
        args.append(f"--kv-transfer-config={NIXL}")
        env.append({"name": "VLLM_NIXL_SIDE_CHANNEL_HOST", "value": "$(POD_IP)"})
    written = {e["name"] for e in env} | ({ADDITIONAL_ARGS} if args else set())
    for entry in inputs.values.get("env", ()):
        if entry["name"] in written:
            where.diags.append(inputs.origins[f"env.{entry['name']}"].diag(
                _clash(entry["name"]), "llmd.env-clash", hint=_clash_hint(entry["name"])))
    env.extend(_env_entry(e) for e in inputs.values.get("env", ()))
    if args:
        env.append({"name": ADDITIONAL_ARGS, "value": _join(args)})
    return tuple(env)


ADDITIONAL_ARGS = "VLLM_ADDITIONAL_ARGS"


def _clash(name: str) -> str:
    # Two entries of one name in a container: Kubernetes keeps the last, so the
    # user's value would be silently lost.
    return f"inferc writes {name} in this container itself (from args and the llmd settings)"


def _clash_hint(name: str) -> str:
    if name == ADDITIONAL_ARGS:
        return "put the vLLM flags in args; inferc passes them in VLLM_ADDITIONAL_ARGS"
    return "remove the variable; inferc sets it for the llm-d settings that need it"


def _image(block: Mapping[str, Any], rel: Release, inputs: TargetInput,
           where: _Located) -> tuple[str | None, tuple[str, ...]]:
    """The model-server image: the spec's, or the preset for the profile's accelerator
    (referenced by name), or the default CUDA template's; anything else needs an image."""
    accelerator = inputs.profile.accelerator
    if "image" in block:
        return block["image"], ()
    preset = _accelerator_presets(rel).get(accelerator) if accelerator else None
    if preset is not None:
        return None, (preset,)
    if accelerator in epp.default_template_fits():
        return None, ()
    what = ("has no accelerator" if accelerator is None else f"asks for {accelerator}")
    where.at((), f"hardware profile '{inputs.profile.name}' {what}, and no llm-d preset of "
             f"{rel.label} runs an image for it (the default runs on NVIDIA CUDA)", "llmd.image",
             "set spec.llmd.image to a vLLM build for it")
    return None, ()


def _accelerator_presets(rel: Release) -> Mapping[str, str]:
    return epp.accelerator_presets(rel.platform.name, rel.platform.version)


# --- names, scheduling, pods -----------------------------------------------------------------


def derived_names(name: str, scheduler: bool, prefill: Prefill | None,
                  parallelism: Parallelism | None) -> dict[str, str]:
    roles = ["route", "pool", "workload", "workload-service"]
    if scheduler:
        roles.append("scheduler")
    multi = parallelism is not None and parallelism.group_size > 1
    if multi:
        roles.append("multi-node")
    if prefill is not None:
        roles.append("prefill-multi-node" if prefill.parallelism and
                     prefill.parallelism.group_size > 1 else "prefill")
    return {role: f"{name}{SUFFIXES[role]}" for role in roles}


def _check_names(names: Mapping[str, str], inputs: TargetInput, where: _Located) -> None:
    longest = max(names.values(), key=len)
    if len(longest) <= MAX_NAME:
        return
    room = MAX_NAME - (len(longest) - len(inputs.model.key.name))
    where.diags.append(inputs.origins["name"].diag(
        f"the llm-d controller would name a child '{longest}' ({len(longest)} characters); "
        f"above {MAX_NAME} it shortens names with a hash", "names.length",
        hint=f"shorten the model name to at most {room} characters"))


def _node_scheduling(profile: HardwareProfile) -> tuple[Mapping[str, str] | None,
                                                         tuple[Mapping[str, Any], ...]]:
    scheduling = profile.scheduling or {}
    node = scheduling.get("node") if scheduling.get("type", "Node") == "Node" else None
    if not node:
        return None, ()
    return dict(node.get("nodeSelector", {})) or None, tuple(node.get("tolerations", ()))




# --- explain ---------------------------------------------------------------------------------


def explain_text(rd: ResolvedDeployment) -> list[str]:
    """Target, why llm-d, the pod roles with resources and scheduling, the scheduler config."""
    workload = rd.workload_as(LlmdWorkload)
    origin = rd.origins["runtime"]
    why = (f"named in spec.runtime ({origin.layer}, {origin.location})" if _named(rd) else
           f"the default for generative models in environment '{rd.environment.name}' "
           "(dashboardConfig.modelServing.isLLMdDefault)")
    lines = [f"target: llm-d (LLMInferenceService {workload.api_version}), {why}", ""]
    rows = [("pods", "count", "surge", "requests", "limits", "scheduling")]
    for group in rd.pod_groups:
        rows.append((group.role, str(group.pods), str(group.surge_pods),
                     _resources(group.resources.requests), _resources(group.resources.limits),
                     _placement(group.role, workload)))
    lines += ["pod roles:", *table(rows)]
    rollout_line = ("stop-then-start (spec.rolloutStrategy maxSurge 0, maxUnavailable 100%)"
                    if workload.rollout else
                    f"the controller's default ({workload.release.label} has no rolloutStrategy)")
    lines += [f"rollout: {rollout_line}", ""]
    lines += _scheduler_lines(workload) + [""]
    lines += gateway.explain_lines(gateway.explain(rd, workload.names["route"]),
                                   rd.key.namespace) + [""]
    return lines


def _named(rd: ResolvedDeployment) -> bool:
    return rd.origins["runtime"].layer != L.BUILTIN and _runtime_value(rd) == LLMD


def _runtime_value(rd: ResolvedDeployment) -> Any:
    origin = rd.origins["runtime"]
    value: Any = origin.doc.data
    for part in origin.path:
        value = value[part]
    return value


def _resources(items: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{k}={v}" for k, v in items) or "-"


def _placement(role: str, workload: LlmdWorkload) -> str:
    if role == "scheduler":
        return "controller (preset kserve-config-llm-scheduler)"
    if role == "main" and workload.release.profile_webhook:
        return "hardware-profile webhook (spec.template)"
    parts = []
    if workload.node_selector:
        parts.append("nodeSelector " + ", ".join(f"{k}={v}" for k, v in workload.node_selector.items()))
    if workload.tolerations:
        parts.append("tolerations " + ", ".join(str(t.get("key", "*")) for t in workload.tolerations))
    return "inferc: " + ("; ".join(parts) if parts else "no node scheduling in the profile")


def _scheduler_lines(workload: LlmdWorkload) -> list[str]:
    sched = workload.scheduler
    if sched is None:
        return ["scheduler: none (router.scheduler: none; the route balances over the pods)"]
    lines = [f"scheduler: {sched.version}, configuration from {workload.config_source}"]
    config = workload.config
    if config is None:
        return lines
    lines.append(f"  apiVersion {config.get('apiVersion')}")
    for plugin in config.get("plugins", ()):
        params = plugin.get("parameters")
        shown = f" {json.dumps(params, sort_keys=True)}" if params else ""
        lines.append(f"  plugin {plugin.get('name', plugin.get('type'))}: {plugin.get('type')}{shown}")
    for profile in config.get("schedulingProfiles", ()):
        refs = ", ".join(f"{r.get('pluginRef')}" + (f"×{r['weight']}" if "weight" in r else "")
                         for r in profile.get("plugins", ()))
        lines.append(f"  profile {profile.get('name')}: {refs}")
    return lines


def explain_json(rd: ResolvedDeployment) -> dict[str, Any]:
    workload = rd.workload_as(LlmdWorkload)
    return {"target": {
        "name": "llm-d", "kind": "LLMInferenceService", "apiVersion": workload.api_version,
        "podRoles": [{"role": g.role, "pods": g.pods, "surge": g.surge_pods,
                      "requests": dict(g.resources.requests), "limits": dict(g.resources.limits),
                      "scheduling": _placement(g.role, workload)} for g in rd.pod_groups],
        "scheduler": None if workload.scheduler is None else {
            "version": workload.scheduler.version, "source": workload.config_source,
            "config": workload.config},
        "derivedNames": dict(workload.names),
        "edge": gateway.explain(rd, workload.names["route"]),
    }}


def explain_values(rd: ResolvedDeployment) -> dict[str, str]:
    workload = rd.workload_as(LlmdWorkload)
    return {"runtime": LLMD, "llmd": f"routing {workload.routing}", **dict(workload.shown)}


TARGET = TargetResolver(resolve=resolve, explain_text=explain_text, explain_json=explain_json,
                        explain_values=explain_values)
