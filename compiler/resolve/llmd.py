"""llm-d target: the spec's ``llmd`` block and the shared fields → one LlmdWorkload.

DESIGN rules 2, 5, 6 and 9 apply. The main (decode) container takes the shared
fields (resources, args, env); ``llmd`` adds the router and its scheduler
configuration, parallelism (multi-node groups when ``data > dataLocal``),
prefill/decode disaggregation and an image where no preset fits. What a release
has — served apiVersions, the inline scheduler config, ``rolloutStrategy``, the
scheduler version and its plugin registry — is data (``presets/llmd/``), never a
version comparison here.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from compiler.diagnostics import Diagnostic, DocPath, Severity
from compiler.load import load_path
from compiler.quantity import parse
from compiler.resolve import epp
from compiler.resolve import layers as L
from compiler.resolve.records import EnvVar, ResolvedDeployment, Resources
from compiler.resources import presets_dir
from compiler.spec import Environment, HardwareProfile, ModelKey

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


@dataclass(frozen=True)
class Release:
    platform: str
    version: str
    api_version: str
    served: tuple[str, ...]
    features: frozenset[str]
    profile_webhook: bool
    dashboard: bool  # the OpenShift AI dashboard lists what carries its labels
    accelerator_presets: Mapping[str, str]
    first_with: Mapping[str, str]  # feature → first release of this platform that has it


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
class Role:
    """One kind of pod the model creates, for explain and the quota check."""

    name: str  # main | worker | prefill | prefill-worker | scheduler
    pods: int
    surge: int  # extra pods while rolling out
    requests: tuple[tuple[str, str], ...]
    limits: tuple[tuple[str, str], ...]
    scheduling: str  # who places the pod


@dataclass(frozen=True)
class Prefill:
    replicas: int
    parallelism: Parallelism | None
    resources: Resources
    env: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class LlmdWorkload:
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
    roles: tuple[Role, ...]

    @property
    def api_version(self) -> str:
        return self.release.api_version

    @property
    def config(self) -> dict[str, Any] | None:
        return json.loads(self.config_json) if self.config_json else None

    @property
    def workers(self) -> bool:
        return self.parallelism is not None and self.parallelism.group_size > 1


@cache
def _releases() -> Mapping[str, Any]:
    doc = load_path(presets_dir() / "llmd" / "releases.yaml", "<inferc>/presets/llmd/releases.yaml")
    return doc.documents[0].data  # type: ignore[no-any-return]


def release(env: Environment) -> Release | None:
    platform = _releases().get(env.platform)
    if platform is None or env.version not in platform["releases"]:
        return None
    raw = platform["releases"][env.version]
    first: dict[str, str] = {}
    for version in platform["order"]:
        for feature in platform["releases"][version]["features"]:
            first.setdefault(feature, version)
    return Release(env.platform, env.version, raw["apiVersion"], tuple(raw["served"]),
                   frozenset(raw["features"]), bool(raw["profileWebhook"]), bool(raw["dashboard"]),
                   dict(raw["acceleratorPresets"]), first)


@dataclass(frozen=True)
class Inputs:
    """What the llm-d resolve needs from the shared fields, already resolved."""

    key: ModelKey
    env: Environment
    values: Mapping[str, Any]
    origins: Mapping[str, L.Origin]
    profile: HardwareProfile
    resources: Resources
    args: tuple[str, ...]
    env_vars: tuple[EnvVar, ...]
    storage_uri: str
    replicas: int  # pods of the main workload (its maximum when autoscaled)


class _Located:
    """Reports problems at a path inside the ``llmd`` block, wherever that block was set."""

    def __init__(self, inputs: Inputs) -> None:
        self.origin = inputs.origins.get("llmd") or inputs.origins["runtime"]
        self.has_block = "llmd" in inputs.origins
        self.diags: list[Diagnostic] = []

    def at(self, path: DocPath, message: str, rule: str, hint: str | None = None, *,
           severity: Severity = Severity.ERROR) -> Diagnostic:
        base = self.origin.path
        diag = self.origin.doc.diag((*base, *path) if self.has_block else base, message, rule,
                                    hint=hint, severity=severity)
        self.diags.append(diag)
        return diag


def resolve(inputs: Inputs) -> tuple[LlmdWorkload | None, list[Diagnostic]]:
    env, values = inputs.env, inputs.values
    rel = release(env)
    where = _Located(inputs)
    if rel is None:
        where.at((), f"llm-d is not modelled for {env.platform} {env.version}", "llmd.release")
        return None, where.diags
    block: Mapping[str, Any] = values.get("llmd", {})
    router = block.get("router", {})
    _check_strategy(inputs, where)
    parallelism = _parallelism(block.get("parallelism"), ("parallelism",), inputs, where)
    prefill = _prefill(block.get("prefill"), inputs, rel, where)
    sched_facts = epp.platform_scheduler(env.platform, env.version)
    use_scheduler = router.get("scheduler", "managed") == "managed"
    sched = sched_facts[0] if sched_facts and use_scheduler else None
    routing = router.get("routing", "default")
    config, source = _scheduler_config(router, sched, rel, inputs, where)
    image, base_refs = _image(block, rel, inputs, where)
    main_env = _main_env(inputs, routing if config is not None else "default",
                         router.get("blockSize", DEFAULT_BLOCK_SIZE), prefill is not None)
    names = derived_names(inputs.key.name, use_scheduler, prefill, parallelism)
    _check_names(names, inputs, where)
    rollout = dict(STOP_THEN_START) if "rollout-strategy" in rel.features else None
    selector, tolerations = _node_scheduling(inputs.profile)
    workload = LlmdWorkload(
        rel, sched, routing, json.dumps(config) if config is not None else None, source,
        parallelism, prefill, image, base_refs, main_env, rollout, selector, tolerations, names,
        ())
    roles = _roles(workload, inputs, sched_facts[1] if sched_facts and sched else None)
    workload = _with_roles(workload, roles)
    where.diags.extend(check_main_accelerators(workload, inputs))
    return workload, where.diags


def _with_roles(workload: LlmdWorkload, roles: tuple[Role, ...]) -> LlmdWorkload:
    from dataclasses import replace

    return replace(workload, roles=roles)


# --- strategy (DESIGN rule 2) --------------------------------------------------------------


def _check_strategy(inputs: Inputs, where: _Located) -> None:
    origin = inputs.origins.get("strategy")
    if origin is None or origin.layer not in (L.SPEC, L.ENV_OVERRIDE):
        return  # environment defaults and the dashboard's setting apply to KServe models only
    where.diags.append(origin.diag(
        "llm-d models take no deployment strategy: the documentation gives llm-d no strategy "
        "choice, and inferc rolls them out stop-then-start where the platform allows it",
        "llmd.strategy", hint="remove strategy from this llm-d model"))


def surges(rd: ResolvedDeployment) -> bool:
    return rd.llmd is not None and any(r.surge for r in rd.llmd.roles)


def surge_warning(rd: ResolvedDeployment) -> Diagnostic:
    """Said where a namespace quota counts the surge: the rollout needs that headroom."""
    assert rd.llmd is not None
    parts = ", ".join(f"{r.name} +{r.surge}" for r in rd.llmd.roles if r.surge)
    origin = rd.origins.get("llmd") or rd.origins["runtime"]
    return origin.diag(
        f"{_label(rd.llmd.release)} has no rolloutStrategy for LLMInferenceService: its "
        f"controller rolls the Deployments with Kubernetes' default 25% surge ({parts} pod(s) "
        f"while rolling out), which the namespace quota must leave room for", "llmd.surge",
        severity=Severity.WARNING)


# --- parallelism ---------------------------------------------------------------------------


def _parallelism(raw: Mapping[str, Any] | None, path: DocPath, inputs: Inputs,
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


def _prefill(raw: Mapping[str, Any] | None, inputs: Inputs, rel: Release,
             where: _Located) -> Prefill | None:
    if raw is None:
        return None
    from compiler.resolve import resources as R

    par = _parallelism(raw.get("parallelism"), ("prefill", "parallelism"), inputs, where)
    override = raw.get("resources", {})
    origins = {f"resources.{s}.{n}": L.Origin(where.origin.layer, where.origin.doc,
                                                (*where.origin.path, "prefill", "resources", s, n))
               for s, entries in override.items() for n in entries}
    origins["hardwareProfile"] = inputs.origins["hardwareProfile"]
    res, diags = R.compute(inputs.profile, override, origins)
    where.diags.extend(diags)
    _check_accelerators(par, dict(res.requests), inputs.profile, ("prefill", "parallelism"), where)
    env = [{"name": e["name"], "value": e.get("value", "")} for e in raw.get("env", ())]
    args = [*raw.get("args", ()), f"--kv-transfer-config={NIXL}"]
    env_entries = (*_pod_ip(), {"name": "VLLM_NIXL_SIDE_CHANNEL_HOST", "value": "$(POD_IP)"},
                   *env, {"name": "VLLM_ADDITIONAL_ARGS", "value": _join(args)})
    return Prefill(raw["replicas"], par, res, env_entries)


# --- scheduler configuration ----------------------------------------------------------------


def _scheduler_config(router: Mapping[str, Any], sched: epp.Scheduler | None, rel: Release,
                      inputs: Inputs, where: _Located) -> tuple[dict[str, Any] | None, str]:
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
    if "inline-scheduler-config" not in rel.features:
        first = rel.first_with.get("inline-scheduler-config")
        where.at(("router", asks[0]), f"{_label(rel)} has no inline scheduler configuration "
                 f"(spec.router.scheduler.config), so {asks[0]} cannot be set there",
                 "llmd.feature", f"first in {_label(rel, first)}" if first else None)
        return None, "unsupported"
    if "config" in router:
        return _user_config(router, sched, where), "the spec (router.config)"
    if inputs.values.get("llmd", {}).get("prefill") is not None:
        where.at(("router", asks[0]), "inferc writes routing settings for a single scheduling "
                 "profile; with prefill the controller's prefill/decode configuration is used",
                 "llmd.routing-prefill",
                 "remove them, or give the whole EndpointPickerConfig in router.config")
        return None, "unsupported"
    weights = _weights(router, sched, routing, where)
    if routing == "precise-prefix-cache":
        return _precise(router, sched, weights, inputs), "inferc (precise-prefix-cache)"
    return epp.prefix_cache(sched, weights), "inferc (prefix-cache)"


def _label(rel: Release, version: str | None = None) -> str:
    name = "OpenShift AI" if rel.platform == "openshift-ai" else "KServe"
    return f"{name} {version or rel.version}"


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
             inputs: Inputs) -> dict[str, Any]:
    key = inputs.key
    uri = inputs.storage_uri
    tokenizer = uri.removeprefix("hf://") if uri.startswith("hf://") else key.name
    return epp.precise_prefix_cache(
        sched, weights, block_size=router.get("blockSize", DEFAULT_BLOCK_SIZE),
        model_name=key.name, tokenizer=tokenizer,
        workload_url=f"https://{key.name}{SUFFIXES['workload-service']}.{key.namespace}.svc:8000")


def _user_config(router: Mapping[str, Any], sched: epp.Scheduler,
                 where: _Located) -> dict[str, Any]:
    config = router["config"]

    def report(path: DocPath, message: str, rule: str, hint: str | None) -> Diagnostic:
        return where.at(("router", "config", *path), message, rule, hint)

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


def _main_env(inputs: Inputs, routing: str, block_size: int,
              disaggregated: bool) -> tuple[dict[str, Any], ...]:
    args = list(inputs.args)
    env: list[dict[str, Any]] = []
    if routing == "precise-prefix-cache" or disaggregated:
        env.extend(_pod_ip())
    if routing == "precise-prefix-cache":
        events = json.dumps({"enable_kv_cache_events": True, "publisher": "zmq",
                             "endpoint": f"tcp://*:{epp.KV_EVENTS_PORT}",
                             "topic": f"{epp.TOPIC_FILTER}$(POD_IP):8000@{inputs.key.name}"},
                            separators=(",", ":"))
        args += ["--prefix-caching-hash-algo=sha256_cbor", f"--block-size={block_size}",
                 f"--kv-events-config={events}"]
        env.append({"name": "PYTHONHASHSEED", "value": epp.HASH_SEED})
    if disaggregated:
        args.append(f"--kv-transfer-config={NIXL}")
        env.append({"name": "VLLM_NIXL_SIDE_CHANNEL_HOST", "value": "$(POD_IP)"})
    env.extend({"name": e.name, "value": e.value} for e in inputs.env_vars)
    if args:
        env.append({"name": "VLLM_ADDITIONAL_ARGS", "value": _join(args)})
    return tuple(env)


def _image(block: Mapping[str, Any], rel: Release, inputs: Inputs,
           where: _Located) -> tuple[str | None, tuple[str, ...]]:
    accelerator = inputs.profile.accelerator
    if "image" in block:
        return block["image"], ()
    if accelerator is None:
        where.at((), f"hardware profile '{inputs.profile.name}' has no accelerator, and every llm-d "
                 f"preset of {_label(rel)} runs a GPU image", "llmd.image",
                 "set spec.llmd.image to a CPU build of vLLM")
        return None, ()
    preset = rel.accelerator_presets.get(accelerator)
    return None, (preset,) if preset else ()


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


def _check_names(names: Mapping[str, str], inputs: Inputs, where: _Located) -> None:
    longest = max(names.values(), key=len)
    if len(longest) <= MAX_NAME:
        return
    room = MAX_NAME - (len(longest) - len(inputs.key.name))
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


def _roles(workload: LlmdWorkload, inputs: Inputs,
           pod: epp.SchedulerPod | None) -> tuple[Role, ...]:
    res = inputs.resources
    webhook = workload.release.profile_webhook
    main_place = "hardware-profile webhook" if webhook else "inferc (from the hardware profile)"
    size = workload.parallelism.group_size if workload.parallelism else 1
    out = [Role("main", inputs.replicas, _surge(inputs.replicas, size, workload),
                res.requests, res.limits, main_place)]
    if size > 1:
        out.append(Role("worker", inputs.replicas * (size - 1), 0, res.requests, res.limits,
                        "inferc (from the hardware profile)"))
    prefill = workload.prefill
    if prefill is not None:
        psize = prefill.parallelism.group_size if prefill.parallelism else 1
        out.append(Role("prefill", prefill.replicas, _surge(prefill.replicas, psize, workload),
                        prefill.resources.requests, prefill.resources.limits,
                        "inferc (from the hardware profile)"))
        if psize > 1:
            out.append(Role("prefill-worker", prefill.replicas * (psize - 1), 0,
                            prefill.resources.requests, prefill.resources.limits,
                            "inferc (from the hardware profile)"))
    if pod is not None:
        out.append(Role("scheduler", pod.replicas, _surge(pod.replicas, 1, workload),
                        tuple(pod.requests.items()), tuple(pod.limits.items()),
                        "the controller (preset kserve-config-llm-scheduler)"))
    return tuple(out)


def _surge(replicas: int, group_size: int, workload: LlmdWorkload) -> int:
    """Extra pods while rolling out: 25% of a Deployment's replicas, rounded up; none for
    LeaderWorkerSets (maxSurge 0 by default) or under stop-then-start."""
    if workload.rollout is not None or group_size > 1 or replicas == 0:
        return 0
    return -(-replicas * 25 // 100)


def check_main_accelerators(workload: LlmdWorkload, inputs: Inputs) -> list[Diagnostic]:
    where = _Located(inputs)
    _check_accelerators(workload.parallelism, dict(inputs.resources.requests), inputs.profile,
                        ("parallelism",), where)
    return where.diags
