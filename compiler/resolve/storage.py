"""Model locations (the documentation on model locations and connections; the connections webhook).

Locations that need no credentials (``hf://``, ``https://``, ``pvc://``, public
``oci://``) go straight into ``storageUri``, which no webhook touches. ``s3://``
goes through a named connection: an existing Secret, referenced with the
platform's connection annotations; its admission webhook fills
``storage.key``/``storage.path`` from it, so inferc leaves those fields alone
(inferc never holds credentials). Each scheme's syntax is checked here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from compiler.diagnostics import Diagnostic, Severity
from compiler.errors import InputError
from compiler.resolve.layers import Origin
from compiler.resolve.records import Storage

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_REGISTRY = re.compile(r"^([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+|localhost)(:[0-9]+)?$")
_REPO = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


class StorageProblem(InputError):
    """A malformed location: message and hint for the diagnostic."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def resolve(fields: Mapping[str, Any], origins: Mapping[str, Origin],
            ) -> tuple[Storage | None, list[Diagnostic]]:
    uri: str = fields["uri"]
    origin = origins["storage"]
    scheme, _, rest = uri.partition("://")
    try:
        _check_path(rest)
        _CHECKS[scheme](rest)
    except StorageProblem as problem:
        return None, [_at(origin, "uri", str(problem), "storage.uri", problem.hint)]
    storage = Storage(scheme, uri, fields.get("connection"), tuple(fields.get("pullSecrets", ())))
    problems = _connection_rules(storage, origin)
    return (None if any(d.is_error for d in problems) else storage), problems


def _at(origin: Origin, field: str, message: str, rule: str, hint: str | None = None,
        severity: Severity = Severity.ERROR) -> Diagnostic:
    child = Origin(origin.layer, origin.doc, (*origin.path, field))
    return child.diag(message, rule, hint=hint, severity=severity)


def _check_path(rest: str) -> None:
    if ".." in rest.split("/"):
        raise StorageProblem("'..' is not allowed in a model location")
    if any(c.isspace() for c in rest):
        raise StorageProblem("a model location must not contain spaces")


def _s3(rest: str) -> None:
    bucket, _, key = rest.partition("/")
    if not bucket:
        raise StorageProblem("s3:// needs a bucket: s3://<bucket>/<path>")
    if not _BUCKET.match(bucket):
        raise StorageProblem(f"'{bucket}' is not a valid S3 bucket name")
    if not key.strip("/"):
        raise StorageProblem("s3:// needs the model's path inside the bucket",
                             hint="for example s3://models/fraud/v3")


def _pvc(rest: str) -> None:
    claim, _, _ = rest.partition("/")
    if not claim:
        raise StorageProblem("pvc:// needs a claim name: pvc://<claim>/<path>")
    if not _DNS_LABEL.match(claim):
        raise StorageProblem(f"'{claim}' is not a valid PersistentVolumeClaim name")


def _hf(rest: str) -> None:
    repo, _, revision = rest.partition(":")
    parts = repo.split("/")
    if len(parts) != 2 or not all(parts):
        raise StorageProblem("hf:// needs <organisation>/<model>",
                             hint="for example hf://ibm-granite/granite-3.1-8b-instruct")
    if ":" in rest and not revision:
        raise StorageProblem("hf:// revision after ':' is empty")


def _https(rest: str) -> None:
    host, _, path = rest.partition("/")
    host = host.rpartition("@")[2]  # user:password@ is the credentials rule's to report
    if not host or "." not in host.split(":")[0]:
        raise StorageProblem("https:// needs a host name: https://<host>/<path>")
    if not path:
        raise StorageProblem("https:// needs the path of the model file or archive")


def _oci(rest: str) -> None:
    registry, _, reference = rest.partition("/")
    if not _REGISTRY.match(registry):
        raise StorageProblem(f"oci:// needs a registry host first, found '{registry}'",
                             hint="for example oci://quay.io/<org>/<repository>:<tag>")
    name, at, digest = reference.partition("@")
    repo, colon, tag = name.rpartition(":") if ":" in name else (name, "", "")
    if not repo or not _REPO.match(repo):
        raise StorageProblem(f"'{repo or reference}' is not a valid image repository")
    if at and colon:
        raise StorageProblem("give a tag or a digest, not both",
                             hint="a digest pins the image; drop the tag")
    if at and not _DIGEST.match(digest):
        raise StorageProblem(f"'{digest}' is not a sha256 digest (sha256:<64 hex digits>)")
    if colon and not _TAG.match(tag):
        raise StorageProblem(f"'{tag}' is not a valid image tag")


_CHECKS = {"s3": _s3, "pvc": _pvc, "hf": _hf, "https": _https, "oci": _oci}


def _connection_rules(storage: Storage, origin: Origin) -> list[Diagnostic]:
    out = []
    if storage.scheme == "s3" and storage.connection is None:
        out.append(_at(origin, "connection", "an s3:// model needs a connection: the name of an "
                       "existing S3 connection Secret in the namespace", "storage.connection",
                       "inferc never holds credentials; create the connection in the project "
                       "(or with your secrets tooling) and name it here"))
    if storage.connection is not None and storage.scheme not in ("s3", "oci"):
        out.append(_at(origin, "connection", f"a connection is for s3:// and private oci:// "
                       f"models; a {storage.scheme}:// location is written as it is",
                       "storage.connection"))
    if storage.pull_secrets and storage.connection is not None:
        out.append(_at(origin, "pullSecrets", "give pullSecrets or an OCI connection, not both: "
                       "the connections webhook appends the connection to imagePullSecrets, so "
                       "the live object would never match Git", "storage.pull-secrets"))
    if storage.pull_secrets and storage.scheme != "oci":
        out.append(_at(origin, "pullSecrets", "pullSecrets are for oci:// models",
                       "storage.pull-secrets"))
    if storage.scheme == "oci" and not re.search(r"(:[^/]+|@sha256:[0-9a-f]{64})$", storage.uri):
        out.append(_at(origin, "uri", "the image has no tag or digest, so whatever 'latest' "
                       "is at pull time is deployed", "storage.unpinned",
                       "pin a tag or, better, a digest", Severity.WARNING))
    return out
