"""An LLMInferenceService and its token objects → a ModelDeployment with ``runtime: llm-d``.

The main container (``spec.template.containers[name=main]``) gives resources and env;
``VLLM_ADDITIONAL_ARGS``, where the dashboard and inferc pass vLLM flags, gives ``args``.
The router, parallelism, prefill and image go into the ``llmd`` block.
"""

from __future__ import annotations

import shlex
from typing import Any

from compiler import vocabulary as V
from compiler.diagnostics import Diagnostic, excerpt
from compiler.importer import cluster, common
from compiler.importer.objects import ClusterObject
from compiler.importer.ratelimits import rate_limits
from compiler.importer.records import Adopted, Context, names, nested
from compiler.importer.tokens import token_objects
from compiler.spec import ModelKey

ADDITIONAL_ARGS = "VLLM_ADDITIONAL_ARGS"
_PARALLELISM = ("tensor", "data", "dataLocal", "expert")


def adopt(llmisvc: ClusterObject, ctx: Context) -> Adopted:
    data, _ = cluster.strip(llmisvc.kind, llmisvc.data)
    spec_in: dict[str, Any] = data["spec"] if isinstance(data.get("spec"), dict) else {}
    key = ModelKey(llmisvc.namespace, llmisvc.name)
    uri = nested(spec_in, "model", "uri")
    if not isinstance(uri, str) or common.scheme(uri) not in common.SCHEMES:
        shown = excerpt(uri) if isinstance(uri, str) else "none"
        return Adopted(key, llmisvc, None, (llmisvc,), diagnostics=(llmisvc.diag(
            ("spec", "model", "uri"), f"the model location {shown} cannot be written in a "
            f"spec (it takes {', '.join(common.SCHEMES)})", "import.inexpressible"),))
    main = _main(spec_in.get("template"))
    spec: dict[str, Any] = {"modelType": "generative", "storage": _storage(llmisvc, uri, spec_in),
                            "runtime": "llm-d"}
    spec.update(common.hardware(llmisvc, main.get("resources"), ctx))
    if spec_in.get("replicas", 1) != common.implied_replicas(ctx):
        spec["replicas"] = spec_in.get("replicas", 1)
    args, env = _args_env(main.get("env"))
    if args:
        spec["args"] = args
    if env:
        spec["env"] = env
    llmd = _llmd(spec_in, main)
    if llmd:
        spec["llmd"] = llmd
    tokens = token_objects(llmisvc, ctx)
    access, problems = _access(llmisvc, tokens.tokens,
                               ctx.environment.release.runs("llmdAuthPolicy"))
    limits, policies = rate_limits(llmisvc, ctx)
    if limits:
        access["rateLimits"] = limits
    if access:
        spec["access"] = access
    spec.update(common.switches(llmisvc))
    return Adopted(key, llmisvc, common.document(llmisvc, spec),
                   (llmisvc, *tokens.objects, *policies), diagnostics=tuple(problems))


def _main(template: Any) -> dict[str, Any]:
    containers = nested(template, "containers")
    if not isinstance(containers, list):
        return {}
    return next((c for c in containers if isinstance(c, dict) and c.get("name") == "main"), {})


def _storage(obj: ClusterObject, uri: str, spec_in: dict[str, Any]) -> dict[str, Any]:
    storage: dict[str, Any] = {"uri": uri}
    connection = obj.annotations().get(V.CONNECTIONS)
    if connection and common.scheme(uri) in ("s3", "oci"):
        storage["connection"] = connection
    pulls = [n for n in names(nested(spec_in, "template", "imagePullSecrets")) if n != connection]
    if pulls and common.scheme(uri) == "oci":
        storage["pullSecrets"] = pulls
    return storage


def _args_env(entries: Any) -> tuple[list[str], Any]:
    if not isinstance(entries, list):
        return [], entries  # as read: the spec's schema reports it
    env = entries
    joined = next((e for e in env if isinstance(e, dict) and e.get("name") == ADDITIONAL_ARGS
                   and isinstance(e.get("value"), str)), None)
    if joined is None:
        return [], env
    try:
        args = shlex.split(joined["value"])
    except ValueError:  # unbalanced quotes: leave it as the variable it is
        return [], env
    return args, [e for e in env if e is not joined]


def _llmd(spec_in: dict[str, Any], main: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    router: dict[str, Any] = spec_in["router"] if isinstance(spec_in.get("router"), dict) else {}
    if "scheduler" not in router:
        out["router"] = {"scheduler": "none"}
    elif isinstance(nested(router, "scheduler", "config", "inline"), dict):
        out["router"] = {"config": router["scheduler"]["config"]["inline"]}
    parallelism = _parallelism(spec_in.get("parallelism"))
    if parallelism:
        out["parallelism"] = parallelism
    prefill = spec_in.get("prefill")
    if isinstance(prefill, dict):
        out["prefill"] = _prefill(prefill)
    if isinstance(main.get("image"), str):
        out["image"] = main["image"]
    return out


def _parallelism(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    return {k: value[k] for k in _PARALLELISM if k in value}


def _prefill(prefill: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"replicas": prefill.get("replicas", 1)}
    parallelism = _parallelism(prefill.get("parallelism"))
    if parallelism:
        out["parallelism"] = parallelism
    main = _main(prefill.get("template"))
    if isinstance(main.get("resources"), dict) and main["resources"]:
        out["resources"] = main["resources"]
    args, env = _args_env(main.get("env"))
    if args:
        out["args"] = args
    if env:
        out["env"] = env
    return out


def _access(obj: ClusterObject, tokens: tuple[str, ...],
            platform_auth: bool) -> tuple[dict[str, Any], list[Diagnostic]]:
    # Where the platform writes the AuthPolicy the dashboard writes enable-auth only to turn
    # auth off (absent: on); elsewhere a model without token objects has no authentication.
    off = obj.annotations().get(V.ENABLE_AUTH) == "false"
    if off or (not platform_auth and not tokens):
        return {"auth": False, "public": True}, []
    return ({"tokens": list(tokens)} if tokens else {}), []
