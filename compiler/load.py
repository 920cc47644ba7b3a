"""Stage 1 — load: YAML bytes → plain data plus the source position of every node.

ruamel.yaml's C parser composes the node graph (fast, and it never expands
aliases); we build plain dicts and lists from the nodes ourselves so that we
can record positions, reject duplicate keys, and bound alias expansion. Every
failure is a Diagnostic; nothing here raises for bad input.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The C extension is a hard dependency (ruamel.yaml.clib): the pure-Python
# parser is ~25x slower, which pre-commit on every commit would feel.
from ruamel.yaml.cyaml import CSafeLoader as _Loader
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent, StreamEndEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from compiler.diagnostics import Diagnostic, DocPath, Severity, excerpt, format_path

MAX_BYTES = 1 << 20  # a spec is a page of YAML; a megabyte is a mistake
MAX_ALIASES = 16  # aliases a document may use (billion laughs needs many)
MAX_NODES = 200_000  # nodes after alias expansion
MAX_DEPTH = 64
# Kubernetes integer fields are int32 or int64; a larger integer cannot reach a manifest.
MAX_INT = (1 << 63) - 1
_DECIMAL_INT = re.compile(r"[-+]?[0-9]+")

_TAG = "tag:yaml.org,2002:"
_TAB_INDENT = re.compile(r"^[ ]*\t", re.MULTILINE)

Position = tuple[int, int]


@dataclass(frozen=True)
class SourceMap:
    """1-based positions of values (and of mapping keys) by document path."""

    values: Mapping[DocPath, Position] = field(default_factory=dict)
    keys: Mapping[DocPath, Position] = field(default_factory=dict)

    def at(self, path: DocPath, *, key: bool = False) -> Position:
        """Position of ``path``, or of its nearest ancestor that exists in the source."""
        if key and path in self.keys:
            return self.keys[path]
        for end in range(len(path), -1, -1):
            pos = self.values.get(path[:end])
            if pos is not None:
                return pos
        return (1, 1)


@dataclass(frozen=True)
class Document:
    """One YAML document of one file: plain data plus where each value came from."""

    file: str
    data: Any
    source: SourceMap
    index: int = 0

    @property
    def kind(self) -> str | None:
        value = self.data.get("kind") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None

    @property
    def api_version(self) -> str | None:
        value = self.data.get("apiVersion") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None

    def diag(
        self,
        path: DocPath,
        message: str,
        rule: str,
        *,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
        at_key: bool = False,
    ) -> Diagnostic:
        line, col = self.source.at(path, key=at_key)
        return Diagnostic(self.file, line, col, format_path(path), message, rule, severity, hint)


@dataclass(frozen=True)
class LoadResult:
    documents: tuple[Document, ...]
    diagnostics: tuple[Diagnostic, ...]


class _Abort(Exception):
    """Stops building one document; carries the diagnostic that says why."""

    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag


def load_path(path: Path, display: str, *, multi: bool = False,
              lists: bool = False, limit: int = MAX_BYTES) -> LoadResult:
    """Load a file; ``display`` is the name diagnostics use (relative to the repo).
    ``lists``: a document may be a list (a JSON-6902 patch file), not only a mapping."""
    try:
        raw = read_limited(path, limit)
    except Unreadable as exc:
        return _fail(display, 1, 1, exc.message, exc.rule)
    return load_bytes(raw, display, multi=multi, lists=lists, limit=limit)


class Unreadable(Exception):
    """A file inferc will not read: says why, with the diagnostic's rule id."""

    def __init__(self, message: str, rule: str = "load.io") -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule


def read_limited(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; raises Unreadable.

    FIFOs, devices and sockets are refused before reading (a FIFO would block, a
    device never ends), and the limit is enforced while reading, since /proc
    files and growing files report a size that is not what they hold.
    """
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise Unreadable(f"cannot read file: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(f"cannot read file: not a regular file ({_file_type(info.st_mode)})")
        if info.st_size > limit:
            raise Unreadable(f"file is {info.st_size} bytes; the limit is {limit}", "load.too-large")
        chunks, total = [], 0
        while chunk := os.read(fd, min(1 << 16, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise Unreadable(f"file is more than {limit} bytes; the limit is {limit}",
                                 "load.too-large")
        return b"".join(chunks)
    except OSError as exc:
        raise Unreadable(f"cannot read file: {exc.strerror}") from None
    finally:
        os.close(fd)


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a file"


def load_bytes(raw: bytes, display: str, *, multi: bool = False,
               lists: bool = False, limit: int = MAX_BYTES) -> LoadResult:
    """Parse ``raw``; a spec file holds one document, a manifest file (``multi``) many."""
    if len(raw) > limit:
        return _fail(display, 1, 1, f"file is {len(raw)} bytes; the limit is {limit}",
                     "load.too-large")
    text, problem = _decode(raw, display)
    if problem is not None:
        return LoadResult((), (problem,))
    tabs = _tab_diagnostics(text, display)
    if tabs:
        return LoadResult((), tabs)
    try:
        deep = _too_deep(text, display)
        if deep is not None:
            return LoadResult((), (deep,))
        nodes = _compose_all(text)
    except MarkedYAMLError as exc:
        return LoadResult((), (_syntax_diag(exc, display),))
    except YAMLError as exc:
        return _fail(display, 1, 1, f"invalid YAML: {exc}", "load.syntax")
    return _build_documents(nodes, display, multi, lists)


def _fail(file: str, line: int, col: int, message: str, rule: str) -> LoadResult:
    return LoadResult((), (Diagnostic(file, line, col, "$", message, rule),))


def _decode(raw: bytes, display: str) -> tuple[str, Diagnostic | None]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        byte = raw[exc.start]
        return "", Diagnostic(display, line, col, "$",
                              f"file is not valid UTF-8 (byte 0x{byte:02x})", "load.encoding",
                              hint="save the file as UTF-8")


def _tab_diagnostics(text: str, display: str) -> tuple[Diagnostic, ...]:
    out = []
    for match in _TAB_INDENT.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        out.append(Diagnostic(display, line, match.end() - match.start(), "$",
                              "tab character in indentation; YAML indents with spaces only",
                              "load.tab"))
    return tuple(out)


def _depth_bound(text: str) -> int:
    """A cheap upper bound on the nesting depth of ``text``.

    Every flow level needs a ``[`` or ``{``; every block level needs either more
    indentation than its parent or an indicator (``- ``, ``? ``, ``: ``) on the
    same line, and at most two levels (a mapping and its indentless sequence)
    share one column. Quoted brackets only make the bound larger, never smaller.
    """
    flow = text.count("[") + text.count("{")
    block = 0
    for line in text.split("\n"):
        body = line.lstrip(" ")
        indicators = body.count("-") + body.count("?") + body.count(":")
        block = max(block, len(line) - len(body) + indicators)
    return flow + 2 * block + 2


def _too_deep(text: str, display: str) -> Diagnostic | None:
    """Bound nesting before the C composer sees the text: it recurses without a
    limit and a few kilobytes of ``[`` overflow the C stack (a crash, not an error).
    The event parser is iterative, so counting its events is safe at any depth."""
    if _depth_bound(text) <= MAX_DEPTH:
        return None  # every ordinary spec: no second pass
    loader = _Loader(text)
    try:
        depth = 0
        while (event := loader.get_event()) is not None:
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH + 1:  # the top-level collection has the path ()
                    mark = event.start_mark
                    return Diagnostic(display, mark.line + 1, mark.column + 1, "$",
                                      f"nesting deeper than {MAX_DEPTH} levels", "load.depth")
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
            elif isinstance(event, StreamEndEvent):
                break
        return None
    finally:
        loader.dispose()


def _compose_all(text: str) -> list[Node | None]:
    loader = _Loader(text)
    try:
        nodes: list[Node | None] = []
        while loader.check_node():
            nodes.append(loader.get_node())
        return nodes
    finally:
        loader.dispose()


def _syntax_diag(exc: MarkedYAMLError, display: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    message = exc.problem or "invalid YAML"
    if exc.context:
        message = f"{exc.context}, {message}"
    return Diagnostic(display, line, col, "$", f"invalid YAML: {message}", "load.syntax")


def _build_documents(nodes: list[Node | None], display: str, multi: bool,
                     lists: bool = False) -> LoadResult:
    docs: list[Document] = []
    diags: list[Diagnostic] = []
    present = [n for n in nodes if n is not None and not _is_null(n)]
    if not present:
        return _fail(display, 1, 1, "file is empty; expected a YAML mapping", "load.empty")
    if not multi and len(present) > 1:
        mark = present[1].start_mark
        return _fail(display, mark.line + 1, mark.column + 1,
                     f"file holds {len(present)} YAML documents; a spec file holds exactly one",
                     "load.multi-document")
    for index, node in enumerate(present):
        try:
            docs.append(_Builder(display).document(node, index, lists=lists))
        except _Abort as abort:
            diags.append(abort.diag)
    return LoadResult(tuple(docs), tuple(diags))


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _TAG + "null"


class _Builder:
    """Turns one composed node graph into plain data, recording positions."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.values: dict[DocPath, Position] = {}
        self.keys: dict[DocPath, Position] = {}
        self.seen: set[int] = set()
        self.aliases = 0
        self.nodes = 0

    def document(self, node: Node, index: int, *, lists: bool = False) -> Document:
        if not isinstance(node, MappingNode) and not (lists and isinstance(node, SequenceNode)):
            self._abort(node, (), f"expected a mapping at the top of the document, "
                                  f"found {_describe(node)}", "load.not-mapping")
        data = self._node(node, ())
        return Document(self.file, data, SourceMap(self.values, self.keys), index)

    def _abort(self, node: Node, path: DocPath, message: str, rule: str,
               hint: str | None = None) -> None:
        mark = node.start_mark
        raise _Abort(Diagnostic(self.file, mark.line + 1, mark.column + 1, format_path(path),
                                message, rule, Severity.ERROR, hint))

    def _node(self, node: Node, path: DocPath) -> Any:
        self._count(node, path)
        mark = node.start_mark
        self.values.setdefault(path, (mark.line + 1, mark.column + 1))
        tag = node.tag  # a property that formats the tag anew on every read: read it once
        if isinstance(node, ScalarNode):  # most nodes: test it first
            return self._scalar(node, tag, path)
        # A tag on a mapping or list (!!set, !!omap, !!python/object:…, !custom) would
        # change what it means to another reader; like tagged scalars, refuse it
        # rather than silently read it as plain.
        if isinstance(node, MappingNode):
            self._plain(node, tag, path, "map")
            return self._mapping(node, path)
        assert isinstance(node, SequenceNode)
        self._plain(node, tag, path, "seq")
        return [self._node(item, (*path, i)) for i, item in enumerate(node.value)]

    def _plain(self, node: Node, tag: str | None, path: DocPath, kind: str) -> None:
        if tag != _TAG + kind:
            self._abort(node, path, f"unsupported YAML tag '{tag}'", "load.tag",
                        "remove the tag; specs use plain YAML values")

    def _count(self, node: Node, path: DocPath) -> None:
        self.nodes += 1
        key = id(node)
        if key in self.seen:  # the composer shares an aliased node's object
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                self._abort(node, path, f"more than {MAX_ALIASES} alias references",
                            "load.aliases", "write the values out; inferc bounds aliases "
                            "so that no file can expand without limit")
        else:
            self.seen.add(key)
        if self.nodes > MAX_NODES:
            self._abort(node, path, f"document expands to more than {MAX_NODES} nodes",
                        "load.aliases")
        if len(path) > MAX_DEPTH:
            self._abort(node, path, f"nesting deeper than {MAX_DEPTH} levels", "load.depth")

    def _mapping(self, node: MappingNode, path: DocPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            if key_tag == _TAG + "merge":
                self._abort(key_node, path, "merge keys (<<) are not supported", "load.merge-key")
            if not isinstance(key_node, ScalarNode) or key_tag != _TAG + "str":
                self._abort(key_node, path, f"mapping keys must be strings, found "
                                            f"{_describe(key_node)}", "load.key-type",
                            "quote the key")
            key = key_node.value
            child = path + (key,)
            if key in out:
                self._abort(key_node, child, f"duplicate key '{key}'", "load.duplicate-key",
                            f"first defined on line {first_line[key]}")
            first_line[key] = key_node.start_mark.line + 1
            self.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = self._node(value_node, child)
        return out

    def _scalar(self, node: ScalarNode, full_tag: str | None, path: DocPath) -> Any:
        tag = (full_tag or "").removeprefix(_TAG)
        value: str = node.value
        # ``=`` (YAML 1.1's value key) and ``<<`` (merge) resolve to tags of their
        # own even as plain values; as values they are just text.
        if tag in ("str", "timestamp", "value", "merge"):
            return value
        if tag == "null":
            return None
        if tag == "bool":
            return value.lower() == "true"
        if tag == "int":
            return self._integer(node, path, value)
        if tag == "float":
            number = _float(value)
            if not math.isfinite(number):
                self._abort(node, path, f"{excerpt(value)} is not a finite number", "load.number",
                            "specs have no use for infinity or NaN")
            return number
        self._abort(node, path, f"unsupported YAML tag '{full_tag}'", "load.tag",
                    "remove the tag; specs use plain YAML values")
        return None


    def _integer(self, node: ScalarNode, path: DocPath, value: str) -> int:
        # Only plain decimals: YAML 1.1 and 1.2 tools disagree on 0b/0o/0x, leading
        # zeros and underscores (0777 is 511 to one, 777 to the other), so a spec
        # that uses them would not mean the same thing to every reader.
        shown = excerpt(value)
        digits = value.lstrip("+-")
        if not _DECIMAL_INT.fullmatch(value) or (len(digits) > 1 and digits.startswith("0")):
            self._abort(node, path, f"{shown} is not a plain decimal integer", "load.number",
                        "write the number in decimal digits, or quote it if it is text")
        # Checked on the digits first: int() refuses more than 4,300 of them.
        number = int(value) if len(digits) <= 19 else MAX_INT + 1
        if abs(number) > MAX_INT:
            self._abort(node, path, f"integer {shown} is out of range", "load.number",
                        f"Kubernetes integers are at most {MAX_INT}")
        return number


def _float(text: str) -> float:
    lowered = text.lower().replace("_", "")
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered.endswith(".nan"):
        return math.nan
    return float(lowered)


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    kind = {"int": "an integer", "float": "a number", "bool": "a boolean", "null": "null"}
    tag = (node.tag or "").removeprefix(_TAG)
    # A short, escaped excerpt only: the file may be anything (a link to a secret).
    if node.value == "":
        return "an empty value"
    return f"{kind.get(tag, 'a string')} ({excerpt(node.value)})"
