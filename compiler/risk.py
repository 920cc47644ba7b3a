"""Risk flags of ``inferc diff``: changes a reviewer must not miss, each with its reason.

Flags read the resolved records of both revisions (what the spec means), not the YAML,
except the llm-d scheduler flag, which is about one field of the rendered object. Each
flag is a small function in :data:`CHECKS`, with the id it reports:

- ``auth-removed``: token authentication removed, or an endpoint made public;
- ``external-added``: an external route added (an existing model, or a new one);
- ``recreate-in-production``: a model of a production environment (``spec.production:
  true``) switched from RollingUpdate to Recreate: downtime at every rollout;
- ``stopped``: a model stopped (``stopped: true``). ``replicas: 0`` does not compile
  (``scaling.zero``), so it shows as a failing revision instead;
- ``accelerators-raised``: more accelerators (extended resources such as
  ``nvidia.com/gpu``) per pod or in total at the maximum replica count;
- ``quota-headroom``: a namespace quota whose headroom shrank below one more pod of its
  largest model (``compiler.resolve.quota`` numbers). A quota exceeded does not compile
  (``quota.exceeded``): the failing revision is reported instead;
- ``runtime-changed``: the runtime or its image changed while the model's spec (as data) did
  not: a preset or the environment (its platform release) changed it;
- ``renamed``: a model removed and another added with the same storage in the same
  environment, or a model moved to another target (InferenceService ↔
  LLMInferenceService): its workload is deleted and created (downtime and a new URL);
- ``scheduler-changed``: the llm-d scheduler (endpoint picker) configuration changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from compiler import vocabulary as V
from compiler.diff import EnvDiff, Flag, Revision
from compiler.resolve import quota
from compiler.resolve.kserve import KServeWorkload
from compiler.resolve.layers import Origin
from compiler.resolve.llmd import LlmdWorkload
from compiler.resolve.records import ResolvedDeployment
from compiler.spec import Environment, ModelKey
from compiler.targets import facts

_ROUTER_KEYS = ("config", "routing", "weights", "blockSize", "scheduler")  # spec.llmd.router
_NON_ACCELERATORS = ("cpu", "memory", "ephemeral-storage", "pods")


@dataclass(frozen=True)
class _Pair:
    """One environment of both revisions, and its models by key."""

    env: str
    base: Revision
    head: Revision
    old: Mapping[ModelKey, ResolvedDeployment]
    new: Mapping[ModelKey, ResolvedDeployment]
    objects: EnvDiff

    def same_file(self, old: str, new: str) -> bool:
        """The file ``old`` of the base has the bytes of the file ``new`` of the head."""
        return self.base.file_bytes(old) == self.head.file_bytes(new)

    def both(self) -> Iterator[tuple[ResolvedDeployment, ResolvedDeployment]]:
        for key in sorted(self.old.keys() & self.new.keys()):
            yield self.old[key], self.new[key]


def flags(env: str, base: Revision, head: Revision, objects: EnvDiff) -> tuple[Flag, ...]:
    pair = _Pair(env, base, head, _by_key(base, env), _by_key(head, env), objects)
    found = [flag for check in CHECKS for flag in check(pair)]
    return tuple(sorted(found, key=lambda f: (f.subject, f.rule, f.message)))


def _by_key(rev: Revision, env: str) -> dict[ModelKey, ResolvedDeployment]:
    return {rd.key: rd for rd in rev.deployments.get(env, ())}


def _flag(pair: _Pair, rd: ResolvedDeployment, rule: str, message: str, reason: str,
          keys: tuple[str, ...]) -> Flag:
    """A flag placed on the line that sets one of ``keys`` (spec fields, dotted)."""
    file, line, col = _where(rd, pair.old.get(rd.key), keys)
    return Flag(rule, pair.env, str(rd.key), message, reason, file, line, col)


def _where(new: ResolvedDeployment, old: ResolvedDeployment | None,
           keys: tuple[str, ...]) -> tuple[str, int, int]:
    """Where the change comes from: the first of ``keys`` whose value changed between the
    revisions in a file of the config repo (built-in presets are no line a pull request
    shows); else the spec's name."""
    shown = [(k, o) for k in (*keys, "name") if (o := new.origins.get(k)) is not None
             and not o.doc.file.startswith("<")]
    changed = [o for k, o in shown if old is None
               or _value_of(o) != _value_of(old.origins.get(k))]
    # nothing the keys name changed (a stop undone, say): the model's own name line
    origin = next(iter(changed), new.origins.get("name"))
    if origin is None:
        return new.source, 1, 1
    line, col = origin.doc.source.at(origin.path, key=origin.at_key)
    return origin.doc.file, line, col


_NOWHERE = object()  # a key no file sets (a built-in default)


def _value_of(origin: Origin | None) -> object:
    """The value an origin points at, as its file holds it."""
    if origin is None:
        return _NOWHERE
    node: Any = origin.doc.data
    for part in origin.path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return _NOWHERE
    return (origin.doc.file, origin.path, node)


def _auth(pair: _Pair) -> Iterator[Flag]:
    for old, new in pair.both():
        removed = old.access.auth and not new.access.auth
        if not removed and (old.access.public or not new.access.public):
            continue
        was = ", ".join(t.display for t in old.access.tokens)
        reason = (f"requests need no token any more (tokens: {was} → none)" if removed else
                  "public: true lets anyone who reaches the endpoint call the model "
                  "without a token")
        message = "token authentication removed" if removed else "endpoint made public"
        yield _flag(pair, new, "auth-removed", message, reason,
                    ("access.public", "access.tokens", "access"))


def _external(pair: _Pair) -> Iterator[Flag]:
    for key, new in sorted(pair.new.items()):
        old = pair.old.get(key)
        if not new.access.external or (old is not None and old.access.external):
            continue
        guard = ("with token authentication" if new.access.auth else
                 "without token authentication (public)")
        what = "a new model with an external route" if old is None else "an external route"
        yield _flag(pair, new, "external-added", "external access added",
                    f"{what} makes it reachable from outside the cluster, {guard}",
                    ("access.external", "access"))


def _recreate(pair: _Pair) -> Iterator[Flag]:
    env = pair.head.environments.get(pair.env)
    if env is None or not env.production:
        return
    for old, new in pair.both():
        before, after = _strategy(old), _strategy(new)
        if after == "Recreate" and before is not None and before != "Recreate":
            yield _flag(pair, new, "recreate-in-production", "switched to Recreate in "
                        "production", f"environment {env.name} is production "
                        "(spec.production: true) and Recreate stops every pod before the "
                        "new ones start: downtime at every rollout", ("strategy",))


def _strategy(rd: ResolvedDeployment) -> str | None:
    return rd.workload.strategy.type if isinstance(rd.workload, KServeWorkload) else None


def _stopped(pair: _Pair) -> Iterator[Flag]:
    for old, new in pair.both():
        if new.access.stopped and not old.access.stopped:
            yield _flag(pair, new, "stopped", "model stopped", "stopped: true scales it to "
                        f"zero ({V.STOP}): requests fail until it is started again",
                        ("stopped",))


def _accelerators(pair: _Pair) -> Iterator[Flag]:
    for old, new in pair.both():
        before, after = _accelerator_counts(old), _accelerator_counts(new)
        none = (Decimal(0), Decimal(0))
        raised = [name for name in sorted(after)
                  if any(a > b for a, b in zip(after[name], before.get(name, none), strict=True))]
        if raised:
            parts = [_raise_text(n, before.get(n, none), after[n]) for n in raised]
            yield _flag(pair, new, "accelerators-raised", "accelerator count raised",
                        "; ".join(parts),
                        (*(f"resources.{kind}.{n}" for n in raised
                           for kind in ("requests", "limits")), "replicas", "scaling",
                         "hardwareProfile"))


def _raise_text(name: str, before: tuple[Decimal, Decimal],
                after: tuple[Decimal, Decimal]) -> str:
    total = f"{_n(before[1])} → {_n(after[1])} in total at the most replicas"
    if after[0] > before[0]:
        return f"{name} {_n(before[0])} → {_n(after[0])} per pod, {total}"
    return f"{name} {total} ({_n(after[0])} per pod)"


def _accelerator_counts(rd: ResolvedDeployment) -> dict[str, tuple[Decimal, Decimal]]:
    """Accelerator → (most per pod, total over every pod) of one model; a stopped model
    holds none (starting it again raises the count)."""
    from compiler.quantity import parse

    out: dict[str, tuple[Decimal, Decimal]] = {}
    for group in () if rd.access.stopped else rd.pod_groups:
        amounts = {**dict(group.resources.limits), **dict(group.resources.requests)}
        for name, amount in amounts.items():
            if name in _NON_ACCELERATORS or name.startswith("hugepages-"):
                continue
            each = parse(amount).value
            most, total = out.get(name, (Decimal(0), Decimal(0)))
            out[name] = (max(most, each), total + each * group.pods)
    return out


def _n(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _quota(pair: _Pair) -> Iterator[Flag]:
    env = pair.head.environments.get(pair.env)
    if env is None:
        return
    old_env = pair.base.environments.get(pair.env)
    before = {(u.namespace, u.key): u for u in
              (quota.usage(old_env, list(pair.old.values())) if old_env else [])}
    for now in quota.usage(env, list(pair.new.values())):
        was = before.get((now.namespace, now.key))
        if now.headroom >= now.largest_pod or (was is not None and
                                               now.headroom >= was.headroom):
            continue
        peak, limit, room = (_from_to(now, was, f) for f in ("peak", "limit", "headroom"))
        yield _env_flag(pair, env, ("spec", "quotas", now.namespace, now.key),
                        f"quota {now.namespace} {now.key}", "quota headroom lost",
                        f"peak {peak} of the quota {limit}: headroom {room}, less than one "
                        f"more pod of its largest model ({now.show(now.largest_pod)})")


def _from_to(now: quota.Usage, was: quota.Usage | None, field: str) -> str:
    """``4`` when the amount is the same in both revisions, else ``5 → 4``."""
    after = now.show(getattr(now, field))
    before = now.show(getattr(was, field)) if was is not None else after
    return after if before == after else f"{before} → {after}"


def _env_flag(pair: _Pair, env: Environment, path: tuple[str, ...], subject: str,
              message: str, reason: str, rule: str = "quota-headroom") -> Flag:
    line, col = env.doc.source.at(path)
    return Flag(rule, pair.env, subject, message, reason, env.doc.file, line, col)


def _runtime(pair: _Pair) -> Iterator[Flag]:
    for old, new in pair.both():
        before, after = _runtime_of(old), _runtime_of(new)
        if before == after or _spec_data(old) != _spec_data(new):
            continue
        what = " and ".join(f"{k} {before.get(k, 'none')} → {after.get(k, 'none')}"
                            for k in sorted(before.keys() | after.keys())
                            if before.get(k) != after.get(k))
        old_env, env = old.environment, new.environment
        preset = _repo_template(new)
        message = "runtime changed without a spec change"
        if old_env.release.key != env.release.key:
            yield _env_flag(pair, env, ("spec", "platform", "version"), str(new.key),
                            message, f"{what}: the target release changed "
                            f"({old_env.release.key} → {env.release.key})", "runtime-changed")
        elif preset is not None and not pair.same_file(preset, preset):
            line = _line_holding(pair.head, preset, [after[k] for k in after
                                                     if before.get(k) != after[k]])
            yield Flag("runtime-changed", pair.env, str(new.key), message,
                       f"{what}: its runtime preset {preset} changed", preset, line, 1)
        else:
            cause = (f"the environment {env.doc.file}" if not pair.same_file(
                old_env.doc.file, env.doc.file) else "a preset")
            yield _flag(pair, new, "runtime-changed", message, f"{what}: {cause} changed it",
                        ("runtime",))


def _spec_data(rd: ResolvedDeployment) -> object:
    """The model's spec document as data: a comment or a reformatting changes nothing."""
    return next((o.doc.data for o in rd.origins.values() if o.doc.file == rd.source), None)


def _repo_template(rd: ResolvedDeployment) -> str | None:
    """The config repo's own runtime preset file a KServe model runs, if it is one."""
    if not isinstance(rd.workload, KServeWorkload):
        return None
    source = rd.workload.runtime.template.source
    return None if source.startswith("<") else source


def _line_holding(rev: Revision, file: str, values: list[str]) -> int:
    """The first line of ``file`` that holds one of ``values`` (the new image), else 1:
    an annotation only shows in a pull request on a line of the diff."""
    text = (rev.file_bytes(file) or b"").decode("utf-8", "replace")
    for number, line in enumerate(text.splitlines(), start=1):
        if any(v and v in line for v in values):
            return number
    return 1


def _runtime_of(rd: ResolvedDeployment) -> dict[str, str]:
    """What serves the model: the runtime's name and each container's image."""
    if isinstance(rd.workload, KServeWorkload):
        template = rd.workload.runtime.template
        out = {"runtime": template.runtime_name}
        for container in template.serving_runtime.get("spec", {}).get("containers", []):
            out[f"image of {container.get('name')}"] = str(container.get("image"))
        return out
    if isinstance(rd.workload, LlmdWorkload):
        image = rd.workload.image or f"the llm-d controller's default on {rd.workload.release.label}"
        return {"runtime": "llm-d", "image": image}
    return {"runtime": rd.target}


def _renamed(pair: _Pair) -> Iterator[Flag]:
    gone = sorted(pair.old.keys() - pair.new.keys())
    for key in sorted(pair.new.keys() - pair.old.keys()):
        new = pair.new[key]
        same = next((k for k in gone if pair.old[k].storage.uri == new.storage.uri), None)
        if same is None:
            continue
        gone.remove(same)
        yield _flag(pair, new, "renamed", f"model renamed ({same} → {key})",
                    f"the workload of {same} is deleted and {key}'s created: downtime "
                    "while it starts, and a new URL for every client", ("name",))


def _replaced(pair: _Pair) -> Iterator[Flag]:
    for old, new in pair.both():
        if old.target != new.target:
            before, after = facts(old.target).kind, facts(new.target).kind
            yield _flag(pair, new, "renamed", f"workload replaced ({before} → {after})",
                        f"the {before} is deleted and an {after} created: downtime while "
                        "it starts, and a new URL for every client", ("runtime", "name"))


def _scheduler(pair: _Pair) -> Iterator[Flag]:
    for change in pair.objects.changed:
        if change.key[1] != "LLMInferenceService" or change.model is None \
                or change.model not in pair.new:
            continue
        paths = [f.path for f in change.fields if f.path.startswith("spec.router.scheduler")]
        if paths:
            more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
            yield _flag(pair, pair.new[change.model], "scheduler-changed",
                        "llm-d scheduler configuration changed",
                        f"the endpoint picker routes requests differently "
                        f"({', '.join(paths[:3])}{more})",
                        (*(f"llmd.router.{k}" for k in _ROUTER_KEYS), "llmd.router", "llmd"))


CHECKS: tuple[Callable[[_Pair], Iterator[Flag]], ...] = (
    _auth, _external, _recreate, _stopped, _accelerators, _quota, _runtime, _renamed,
    _replaced, _scheduler)
