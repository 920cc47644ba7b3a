"""The llm-d scheduler's configuration (EndpointPickerConfig): built and checked per scheduler version.

The scheduler (endpoint picker, EPP) refuses to start on a config it cannot
decode: an unknown top-level key, a plugin type its version does not register,
a profile naming a plugin that is not configured, and — from v0.9 on — an
unknown plugin parameter key. inferc checks all of these against the registry
of the scheduler the target release ships (``presets/llmd/schedulers.json``,
vendored from the llm-d sources with provenance), so a bad config fails in the
pull request instead of in a crash-looping scheduler pod.

Configs inferc writes itself (prefix-cache and precise prefix-cache routing) use
the names and shapes of that version directly (v0.9 split the precise scorer
into a token producer, a KV-event producer and the prefix-cache scorer).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from compiler.diagnostics import Diagnostic, DocPath, Severity
from compiler.resources import presets_dir

KIND = "EndpointPickerConfig"
PREFIX_SCORER = "prefix-cache-scorer"
DEFAULT_WEIGHTS = {PREFIX_SCORER: 3, "queue-scorer": 2, "kv-cache-utilization-scorer": 2}
KV_EVENTS_PORT = 5557  # vLLM publishes KV events here; the scheduler discovers pods and subscribes
TOPIC_FILTER = "kv@"
HASH_SEED = "42"  # vLLM's PYTHONHASHSEED and the scheduler's hashSeed must agree


@dataclass(frozen=True)
class Scheduler:
    """What one scheduler version decodes (one entry of schedulers.json)."""

    version: str
    api_versions: tuple[str, ...]  # preferred first
    top_level_keys: frozenset[str]
    plugin_keys: frozenset[str]
    profile_keys: frozenset[str]
    profile_plugin_keys: frozenset[str]
    integer_weights: bool
    strict_parameters: bool
    plugins: frozenset[str]
    deprecated: Mapping[str, str]
    parameters: Mapping[str, frozenset[str]]
    # keys one level inside a parameter (plugin → parameter → keys), where known
    nested: Mapping[str, Mapping[str, frozenset[str]]] = field(default_factory=dict)
    rejected: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # dotted key → why
    unverified_nested: frozenset[str] = frozenset()  # plugins whose nested keys are unsure

    @property
    def api_version(self) -> str:
        return self.api_versions[0]

    @property
    def split_precise(self) -> bool:
        """v0.9+: tokens and KV events come from producers the prefix-cache scorer reads."""
        return "precise-prefix-cache-producer" in self.plugins


@dataclass(frozen=True)
class SchedulerPod:
    replicas: int
    requests: Mapping[str, str]
    limits: Mapping[str, str]


@cache
def _data() -> Mapping[str, Any]:
    with open(presets_dir() / "llmd" / "schedulers.json", encoding="utf-8") as fh:
        return json.load(fh)  # type: ignore[no-any-return]


def scheduler(version: str) -> Scheduler:
    raw = _data()["schedulers"][version]
    return Scheduler(
        version, tuple(raw["apiVersions"]), frozenset(raw["topLevelKeys"]),
        frozenset(raw["pluginKeys"]), frozenset(raw["profileKeys"]),
        frozenset(raw["profilePluginKeys"]), raw["weightType"] == "int",
        raw["strictParameters"], frozenset(raw["plugins"]), dict(raw["deprecated"]),
        {k: frozenset(v) for k, v in raw["parameters"].items()},
        {plugin: {k: frozenset(v) for k, v in keys.items()}
         for plugin, keys in raw["nestedParameters"].items()},
        {plugin: dict(keys) for plugin, keys in raw["rejectedParameters"].items()},
        frozenset(raw["unverifiedNestedParameters"]))


def platform_scheduler(platform: str, release: str) -> tuple[Scheduler, SchedulerPod] | None:
    facts = _data()["platforms"].get(platform, {}).get(release)
    if facts is None:
        return None
    pod = facts["pod"]
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    for container in pod["containers"]:  # the quota counts the whole pod
        for target, section in ((requests, "requests"), (limits, "limits")):
            for name, value in container["resources"].get(section, {}).items():
                target[name] = _add(target.get(name), str(value))
    return scheduler(facts["scheduler"]), SchedulerPod(pod["replicas"], requests, limits)


def accelerator_presets(platform: str, release: str) -> Mapping[str, str]:
    """Accelerator → the release's well-known LLMInferenceServiceConfig for it."""
    facts = _data()["platforms"].get(platform, {}).get(release, {})
    return dict(facts.get("acceleratorPresets", {}))


def default_template_fits() -> frozenset[str]:
    """Accelerators the default model-server image (CUDA) runs on."""
    return frozenset(_data()["defaultTemplateFits"])


def _add(current: str | None, value: str) -> str:
    from compiler.quantity import canonical, parse

    if current is None:
        return canonical(value)
    return canonical(format(parse(current).value + parse(value).value, "f"))


# --- configs inferc writes ---------------------------------------------------------------


def prefix_cache(sched: Scheduler, weights: Mapping[str, float]) -> dict[str, Any]:
    """Approximate prefix-cache-aware routing (the scheduler indexes prompts it has routed)."""
    return _single_profile(sched, [{"type": PREFIX_SCORER}], weights)


def precise_prefix_cache(sched: Scheduler, weights: Mapping[str, float], *, block_size: int,
                         model_name: str, tokenizer: str, workload_url: str) -> dict[str, Any]:
    """Routing on the KV blocks each vLLM pod reports (KV events over ZMQ)."""
    events = {"topicFilter": TOPIC_FILTER, "discoverPods": True,
              "podDiscoveryConfig": {"socketPort": KV_EVENTS_PORT}}
    if not sched.split_precise:
        return _single_profile(sched, [_one_precise_scorer(sched, block_size, tokenizer, events)],
                               _renamed(weights))
    producers: list[dict[str, Any]] = [
        {"type": "token-producer", "parameters": {"modelName": model_name,
                                                  "vllm": {"url": workload_url}}},
        {"type": "endpoint-notification-source"},
        {"type": "precise-prefix-cache-producer", "parameters": {
            "tokenProcessorConfig": {"blockSizeTokens": block_size, "hashSeed": HASH_SEED},
            "kvEventsConfig": events}},
        {"type": PREFIX_SCORER,
         "parameters": {"prefixMatchInfoProducerName": "precise-prefix-cache-producer"}},
    ]
    config = _single_profile(sched, producers, weights)
    config["dataLayer"] = {"sources": [{"pluginRef": "endpoint-notification-source", "extractors": [
        {"pluginRef": "precise-prefix-cache-producer"}]}]}
    return config


def _one_precise_scorer(sched: Scheduler, block_size: int, tokenizer: str,
                        events: Mapping[str, Any]) -> dict[str, Any]:
    """v0.4–v0.8: one plugin tokenizes, indexes KV events and scores. v0.7 moved
    tokenProcessorConfig out of indexerConfig and discovers pods itself; v0.4 listens on
    one ZMQ endpoint that every pod publishes to."""
    tokens = {"blockSize": block_size, "hashSeed": HASH_SEED}
    pool = {"tokenizersPoolConfig": {"modelName": tokenizer}}
    params: dict[str, Any]
    if "tokenProcessorConfig" in sched.parameters.get("precise-prefix-cache-scorer", ()):
        params = {"tokenProcessorConfig": tokens, "indexerConfig": pool,
                  "kvEventsConfig": dict(events)}
    else:
        params = {"indexerConfig": {"tokenProcessorConfig": tokens, **pool},
                  "kvEventsConfig": {"zmqEndpoint": f"tcp://*:{KV_EVENTS_PORT}",
                                     "topicFilter": TOPIC_FILTER}}
    return {"type": "precise-prefix-cache-scorer", "parameters": params}


def _renamed(weights: Mapping[str, float]) -> dict[str, float]:
    # Before v0.9 the precise scorer is one plugin; the user still names it prefix-cache-scorer.
    return {("precise-prefix-cache-scorer" if k == PREFIX_SCORER else k): v for k, v in weights.items()}


def _single_profile(sched: Scheduler, extra: list[dict[str, Any]],
                    weights: Mapping[str, float]) -> dict[str, Any]:
    scorers = [p for p in extra if p["type"].endswith("-scorer")]
    plugins = [{"type": "single-profile-handler"}, *extra,
               {"type": "queue-scorer"}, {"type": "kv-cache-utilization-scorer"},
               {"type": "max-score-picker"}]
    refs = [{"pluginRef": p["type"], "weight": _weight(sched, weights.get(p["type"], 1))}
            for p in [*scorers, {"type": "queue-scorer"}, {"type": "kv-cache-utilization-scorer"}]]
    return {"apiVersion": sched.api_version, "kind": KIND, "plugins": plugins,
            "schedulingProfiles": [{"name": "default",
                                    "plugins": [*refs, {"pluginRef": "max-score-picker"}]}]}


def _weight(sched: Scheduler, value: float) -> int | float:
    return int(value) if sched.integer_weights or float(value).is_integer() else value


# --- checking a config --------------------------------------------------------------------

class Report(Protocol):
    """Where a problem of the config is reported (located by the caller)."""

    def __call__(self, path: DocPath, message: str, rule: str, hint: str | None, *,
                 severity: Severity = Severity.ERROR) -> Diagnostic: ...


def check(config: Mapping[str, Any], sched: Scheduler, report: Report) -> list[Diagnostic]:
    """Every problem the scheduler would refuse to start on, located under the config."""
    out: list[Diagnostic] = []
    out += _check_header(config, sched, report)
    names = _plugin_names(config, sched, report, out)
    out += _check_profiles(config, sched, names, report)
    out += _check_refs(config, names, report)
    return out


def _near(word: str, choices: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.5)
    return f"did you mean '{found[0]}'?" if found else None


def _check_header(config: Mapping[str, Any], sched: Scheduler, report: Report) -> list[Diagnostic]:
    out = []
    api = config.get("apiVersion")
    if api not in sched.api_versions:
        out.append(report(("apiVersion",), f"scheduler {sched.version} reads apiVersion "
                          f"{' or '.join(sched.api_versions)}, not '{api}'", "llmd.scheduler-config",
                          f"write apiVersion: {sched.api_version}"))
    if config.get("kind") != KIND:
        out.append(report(("kind",), f"kind must be {KIND}", "llmd.scheduler-config", None))
    for key in config:
        if key not in sched.top_level_keys:
            out.append(report((key,), f"scheduler {sched.version} does not accept the top-level "
                              f"key '{key}' and would refuse to start", "llmd.scheduler-config",
                              _near(key, sched.top_level_keys)))
    return out


def _plugin_names(config: Mapping[str, Any], sched: Scheduler, report: Report,
                  out: list[Diagnostic]) -> set[str]:
    names: set[str] = set()
    for index, plugin in enumerate(config.get("plugins") or ()):
        where: DocPath = ("plugins", index)
        if not isinstance(plugin, Mapping):
            out.append(report(where, "a plugin is a mapping with type, name and parameters",
                              "llmd.scheduler-config", None))
            continue
        out += _check_plugin(plugin, sched, where, report)
        name = str(plugin.get("name", plugin.get("type", "")))
        if name in names:
            out.append(report((*where, "name"), f"plugin name '{name}' is configured twice",
                              "llmd.scheduler-plugin", "give each plugin its own name"))
        names.add(name)
    return names


def _check_plugin(plugin: Mapping[str, Any], sched: Scheduler, where: DocPath,
                  report: Report) -> Iterator[Diagnostic]:
    for key in plugin:
        if key not in sched.plugin_keys:
            yield report((*where, key), f"a plugin has no key '{key}'", "llmd.scheduler-config",
                         _near(key, sched.plugin_keys))
    kind = plugin.get("type")
    if kind not in sched.plugins:
        yield report((*where, "type"), f"scheduler {sched.version} has no plugin type '{kind}'",
                     "llmd.scheduler-plugin", _near(str(kind), sched.plugins))
        return
    accepted = sched.parameters.get(str(kind))
    params = plugin.get("parameters") or {}
    if accepted is None or not isinstance(params, Mapping):
        return
    what = ("refuses to start on" if sched.strict_parameters else "ignores")
    for key in params:
        if key not in accepted:
            owners = sorted(t for t, keys in sched.parameters.items() if key in keys)
            hint = (f"'{key}' is a parameter of {', '.join(owners)} in this version"
                    if owners else _near(key, accepted))
            yield report((*where, "parameters", key),
                         f"plugin '{kind}' of scheduler {sched.version} has no parameter '{key}' "
                         f"(the scheduler {what} unknown parameters)", "llmd.scheduler-parameter",
                         hint)
        elif isinstance(params[key], Mapping):
            yield from _check_nested(str(kind), key, params[key], sched, (*where, "parameters"),
                                     report)


def _check_nested(kind: str, key: str, value: Mapping[str, Any], sched: Scheduler,
                  where: DocPath, report: Report) -> Iterator[Diagnostic]:
    """Keys one level inside a parameter: Go decodes parameters into structs, so with
    strict decoding an unknown nested key stops the scheduler as a top-level one does."""
    known = sched.nested.get(kind, {}).get(key)
    rejected = sched.rejected.get(kind, {})
    what = ("refuses to start on" if sched.strict_parameters else "ignores")
    for sub in value:
        dotted = f"{key}.{sub}"
        if dotted in rejected:
            yield report((*where, key, sub), f"plugin '{kind}' of scheduler {sched.version} "
                         f"rejects parameter '{dotted}'", "llmd.scheduler-parameter",
                         rejected[dotted])
        elif known is not None and sub not in known:
            unsure = kind in sched.unverified_nested
            hint = _near(str(sub), known) or f"'{key}' takes {', '.join(sorted(known))}"
            if unsure:
                hint += (" (a warning: inferc knows these keys from llm-d-kv-cache sources "
                         "newer than this scheduler's)")
            yield report((*where, key, sub),
                         f"plugin '{kind}' of scheduler {sched.version} has no parameter "
                         f"'{dotted}' (the scheduler {what} unknown parameters)",
                         "llmd.scheduler-parameter", hint,
                         severity=Severity.WARNING if unsure else Severity.ERROR)


def _check_profiles(config: Mapping[str, Any], sched: Scheduler, names: set[str],
                    report: Report) -> Iterator[Diagnostic]:
    profiles = config.get("schedulingProfiles") or ()
    for index, profile in enumerate(profiles):
        where: DocPath = ("schedulingProfiles", index)
        if not isinstance(profile, Mapping):
            continue
        for key in profile:
            if key not in sched.profile_keys:
                yield report((*where, key), f"a scheduling profile has no key '{key}'",
                             "llmd.scheduler-config", _near(key, sched.profile_keys))
        for ref_index, ref in enumerate(profile.get("plugins") or ()):
            yield from _check_profile_ref(ref, sched, names, (*where, "plugins", ref_index), report)


def _check_profile_ref(ref: Any, sched: Scheduler, names: set[str], where: DocPath,
                       report: Report) -> Iterator[Diagnostic]:
    if not isinstance(ref, Mapping):
        return
    for key in ref:
        if key not in sched.profile_plugin_keys:
            yield report((*where, key), f"a profile's plugin entry has no key '{key}'",
                         "llmd.scheduler-config", _near(key, sched.profile_plugin_keys))
    target = ref.get("pluginRef")
    if target not in names:
        yield report((*where, "pluginRef"), f"pluginRef '{target}' names no configured plugin",
                     "llmd.scheduler-ref", _near(str(target), names) or
                     "add it to plugins, or refer to one of " + ", ".join(sorted(names)))
    weight = ref.get("weight")
    if sched.integer_weights and weight is not None and not isinstance(weight, int):
        yield report((*where, "weight"), f"scheduler {sched.version} reads integer weights",
                     "llmd.scheduler-config", None)


def _check_refs(config: Mapping[str, Any], names: set[str], report: Report) -> Iterator[Diagnostic]:
    """pluginRef anywhere outside the profiles (dataLayer, flowControl, requestHandler, …)."""
    for key in config:
        if key in ("plugins", "schedulingProfiles"):
            continue
        for path, target in _refs(config[key], (key,)):
            if target not in names:
                yield report(path, f"pluginRef '{target}' names no configured plugin",
                             "llmd.scheduler-ref", _near(str(target), names))


def _refs(value: Any, path: DocPath) -> Iterator[tuple[DocPath, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "pluginRef" or str(key).endswith("PluginRef") or str(key).endswith("PolicyRef"):
                yield (*path, key), item
            else:
                yield from _refs(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _refs(item, (*path, index))
