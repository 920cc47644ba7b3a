"""Credentials never go into Git: a literal secret in a spec is an error that never echoes it.

A config repo is read by everyone who can clone it and by Argo CD, and the
rendered manifests land in a cluster object that anyone with ``get`` on the
model can read. So a value that looks like a credential must be a reference:

* an environment variable whose name says it is a secret (``*_TOKEN``,
  ``*SECRET*``, ``*PASSWORD*``, ``*_KEY``, the AWS and Hugging Face names) takes
  ``valueFrom: {secretKeyRef: …}``, not ``value``; ``secret: false`` on the entry
  says a name only looks like one (``CACHE_KEY``);
* a model location carries no user name and password, presigned signature or
  secret query parameter;
* an argument does not pass a key or token on the command line.

The check reads each document as written (model specs and environment
overrides), so every finding points at the exact line; messages name the field,
never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from compiler.diagnostics import Diagnostic, DocPath
from compiler.load import Document

RULE_ENV = "credentials.env"
RULE_URI = "credentials.uri"
RULE_ARGS = "credentials.args"

_KNOWN = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                    "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_HUB_TOKEN",
                    "HF_HUB_TOKEN", "HUGGINGFACE_TOKEN"})
_SECRET_NAME = re.compile(r"(^|_)TOKEN$|SECRET|PASSW(OR)?D|(^|_)(API_?)?KEY$|APIKEY")
# Query parameters that carry a credential: presigned S3/GCS URLs, Azure SAS, tokens.
_SIGNED = ("x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature",
           "x-goog-credential", "signature", "sig")
_SECRET_QUERY = re.compile(r"token|secret|passw(or)?d|api[-_]?key|^key$|^sig$|credential")
_SECRET_OPTION = re.compile(r"^--?[a-z0-9-_]*(api[-_]?key|token|secret|passw(or)?d)$")
_ENV_HINT = ("reference a Secret: valueFrom: {secretKeyRef: {name: <secret>, key: <key>}}; "
             "if the variable is not a credential, add secret: false to it")


def check(doc: Document, base: DocPath) -> list[Diagnostic]:
    """Credential-looking literals under ``base`` (a spec, or an environment override)."""
    fields = _at(doc.data, base)
    if not isinstance(fields, Mapping):
        return []
    out = list(_env(doc, base, fields.get("env")))
    out += _args(doc, base, fields.get("args"))
    storage = fields.get("storage")
    if isinstance(storage, Mapping) and isinstance(storage.get("uri"), str):
        out += _uri(doc, (*base, "storage", "uri"), storage["uri"])
    return out


def looks_secret(name: str) -> bool:
    upper = name.upper().replace("-", "_").replace(".", "_")
    return upper in _KNOWN or bool(_SECRET_NAME.search(upper))


def _at(data: Any, path: DocPath) -> Any:
    for part in path:
        if isinstance(data, Mapping) and part in data:
            data = data[part]
        else:
            return None
    return data


def _env(doc: Document, base: DocPath, entries: Any) -> Iterator[Diagnostic]:
    if not isinstance(entries, list):
        return
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            continue
        name, value = entry["name"], entry.get("value")
        if entry.get("secret") is False or not isinstance(value, str) or not value:
            continue
        if looks_secret(name):
            yield doc.diag((*base, "env", index, "value"),
                           f"environment variable '{name}' looks like a credential and has a "
                           "literal value; a secret in Git is readable by everyone who can "
                           "read the repo", RULE_ENV, hint=_ENV_HINT)


def _uri(doc: Document, path: DocPath, uri: str) -> Iterator[Diagnostic]:
    try:
        parts = urlsplit(uri)
        userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
        query = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return  # storage rules report malformed locations
    signed = [k for k, _ in query if k.lower() in _SIGNED]
    secret = [k for k, _ in query if k not in signed and _SECRET_QUERY.search(k.lower())]
    what = ["a user name and password"] if ":" in userinfo else []
    if signed:
        what.append(f"a presigned signature ({', '.join(dict.fromkeys(signed))})")
    if secret:
        what.append(f"secret query parameters ({', '.join(dict.fromkeys(secret))})")
    if what:
        yield doc.diag(path, f"the model location carries {' and '.join(what)}; "
                       "credentials do not belong in Git", RULE_URI,
                       hint="serve the model from s3:// with storage.connection (an existing "
                       "connection Secret), from a PVC, or from a public location")


def _args(doc: Document, base: DocPath, args: Any) -> Iterator[Diagnostic]:
    if not isinstance(args, Sequence) or isinstance(args, str):
        return
    for index, arg in enumerate(args):
        if not isinstance(arg, str):
            continue
        option, eq, value = arg.partition("=")
        takes_next = not eq and index + 1 < len(args)
        if _SECRET_OPTION.match(option.lower()) and (value if eq else takes_next):
            yield doc.diag((*base, "args", index),
                           f"argument '{option}' passes a credential on the command line, "
                           "where Git, the cluster object and the process list show it",
                           RULE_ARGS, hint="set it from an environment variable that takes "
                           "valueFrom a Secret (vLLM reads VLLM_API_KEY for --api-key)")
