"""The one YAML writer: plain data → YAML text in the style of ``kubectl kustomize``.

We do not use a general emitter because the output must read back identically
under YAML 1.1 (PyYAML, older tools) and YAML 1.2 (ruamel.yaml, go-yaml v3 in
kustomize and kubectl), must be byte-for-byte deterministic, and must be fast.
Restricting the input to JSON-like data makes all three easy:

* a string is written plain only if it is in a small character class that no
  resolver of either spec reads as anything but a string; otherwise it is
  double-quoted with escapes that all three parsers agree on;
* floats always carry a dot, so YAML 1.1 (which needs one) reads a float too;
* mappings keep insertion order; sequences under a key are "indentless".

Anything outside that data model is a bug in the caller and raises
``InternalError`` naming where in the document it was found.

Known limits of consumers, not of this file: kustomize (kyaml) drops a mapping
key ``<<`` however it is quoted or tagged, and fails on its own re-read of
strings holding DEL, C1 controls or U+FFFE/U+FFFF, although it parses our
escapes of them correctly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from compiler.diagnostics import PathPart, format_path
from compiler.errors import InternalError

__all__ = ["dump", "dump_all"]

MAX_DEPTH = 128  # far beyond any manifest; also turns a reference cycle into an error
_MAX_PATH = 24  # path parts shown in an error; a cycle would otherwise print MAX_DEPTH of them
_INDENT = "  "

# Rendered strings (``_STRINGS``) and ``key:`` texts (``_KEYS``) by text: the same
# keys and many values recur in every document. Plain dicts, not lru_cache: a
# dict lookup inlined in the loops costs a third of an lru_cache call.
_CACHE_LIMIT = 8192
_KEYS: dict[str, str] = {}
_STRINGS: dict[str, str] = {}

# Letters, digits, ``_ . / -`` and single inner spaces, starting with a letter or
# ``/``. Numbers, timestamps, ``.inf``, ``~``, indicators (``- ? : , [ ] { } # & * !
# | > ' " % @ `` ` ``) all start with or contain something outside this class.
_PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9_./-]*(?: [A-Za-z0-9_./-]+)*")

# The only words in the plain class that some resolver does not read as a string:
# YAML 1.1 booleans (``y``/``n`` are in the spec, though PyYAML ignores them) and
# nulls. Compared case-insensitively, which over-quotes ``yEs`` but never misses.
_RESERVED = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})

# Characters that must not appear raw inside double quotes: the quote and the
# backslash; C0 controls (line breaks would be folded, others are rejected by
# the readers); DEL and C1 controls (non-printable; NEL is a line break in 1.1);
# U+2028/2029 (line breaks in 1.1); U+FEFF (a byte order mark is only allowed
# at the start of a stream); U+FFFE/FFFF (non-characters the readers reject).
_NEEDS_ESCAPE = re.compile('["\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]')
_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\b": "\\b",
    "\f": "\\f",
}
_SURROGATE = re.compile("[\ud800-\udfff]")

# An implicit (``key: value``) key may be at most 1024 characters in every
# libyaml-derived scanner; longer keys use the explicit ``? key`` form.
_MAX_IMPLICIT_KEY = 1000

# Header comment lines must stay one printable line each: a YAML line break or a
# non-printable character would end the comment or make the stream unreadable.
_BAD_COMMENT = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]"
)


class _Unsupported(Exception):
    """Raised deep in the walk; each level on the way up adds its path part."""

    def __init__(self, reason: str, *, at_key: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: list[PathPart] = []
        self.at_key = at_key  # the offending thing is a key, not the value under it


def dump(obj: object) -> str:
    """One YAML document (no ``---``), ending with a newline."""
    out: list[str] = []
    _document(obj, out)
    return "".join(out)


def dump_all(docs: Iterable[object], header: str | None = None) -> str:
    """A kustomize-style stream: optional ``# header`` lines, documents joined by ``---``."""
    out: list[str] = []
    if header is not None:
        _header(header, out)
    for index, doc in enumerate(docs):
        if index:
            out.append("---\n")
        _document(doc, out, index)
    return "".join(out)


def _header(header: str, out: list[str]) -> None:
    # splitlines() splits on every YAML line break (\r, \x85, U+2028, ...) too.
    for line in header.splitlines():
        if _BAD_COMMENT.search(line):
            raise InternalError(f"cannot write YAML: header line {line!r} is not printable")
        out.append(f"# {line}".rstrip() + "\n")


def _document(obj: object, out: list[str], index: int | None = None) -> None:
    """Write one document; turn a failure deep in the walk into a located InternalError."""
    try:
        _top(obj, out)
    except _Unsupported as exc:
        parts = exc.path[::-1]
        path = format_path(parts[:_MAX_PATH]) + ("..." if len(parts) > _MAX_PATH else "")
        doc = "" if index is None else f"document {index}, "
        raise InternalError(f"cannot write YAML: {exc.reason} at {doc}{path}") from None
    except RecursionError:
        raise InternalError("cannot write YAML: data nested too deeply") from None


def _top(obj: object, out: list[str]) -> None:
    if type(obj) is dict and obj:
        _mapping(obj, "", "", out, 0)
    elif (type(obj) is list or type(obj) is tuple) and obj:
        _sequence(obj, "", "", out, 0)
    else:
        out.append(_flow(obj) + "\n")


def _mapping(obj: dict[object, object], ind: str, first: str, out: list[str], depth: int) -> None:
    """A non-empty block mapping at indent ``ind``; its first line starts with ``first``.

    ``first`` differs from ``ind`` when the mapping is a sequence item (``- a: 1``).
    """
    if depth > MAX_DEPTH:
        raise _Unsupported(f"nesting deeper than {MAX_DEPTH} (a reference cycle?)")
    inner = ind + _INDENT
    append = out.append
    known_key = _KEYS.get
    known_string = _STRINGS.get
    key: object = None
    try:
        for key, value in obj.items():
            # The type test keeps a str subclass (an enum) from hitting a str's entry.
            if type(key) is not str or (kc := known_key(key)) is None:
                kc = _key(key)  # ``name:``; raises for a non-str key
            head = first + kc if len(kc) <= _MAX_IMPLICIT_KEY else _explicit(first, ind, kc)
            first = ind
            if type(value) is str:  # the common case first; a rendering is never ""
                append(f"{head} {known_string(value) or _string(value)}\n")
            elif type(value) is dict and value:
                append(head + "\n")
                _mapping(value, inner, inner, out, depth + 1)
            elif (type(value) is list or type(value) is tuple) and value:
                append(head + "\n")
                _sequence(value, ind, ind, out, depth + 1)
            else:
                append(f"{head} {_flow(value)}\n")
    except _Unsupported as exc:
        if not exc.at_key:
            exc.path.append(str(key))  # a str: a non-str key raised with at_key
        exc.at_key = False
        raise


def _explicit(first: str, ind: str, kc: str) -> str:
    """``? key`` / ``:`` for a key too long to be an implicit key."""
    return f"{first}? {kc[:-1]}\n{ind}:"


def _sequence(
    obj: list[object] | tuple[object, ...], ind: str, first: str, out: list[str], depth: int
) -> None:
    """A non-empty block sequence whose dashes sit at ``ind`` (the first at ``first``)."""
    if depth > MAX_DEPTH:
        raise _Unsupported(f"nesting deeper than {MAX_DEPTH} (a reference cycle?)")
    inner = ind + _INDENT
    append = out.append
    known_string = _STRINGS.get
    item: object = None
    try:
        for item in obj:
            head = first + "- "
            first = ind
            if type(item) is str:
                append(head + (known_string(item) or _string(item)) + "\n")
            elif type(item) is dict and item:
                _mapping(item, inner, head, out, depth + 1)
            elif (type(item) is list or type(item) is tuple) and item:
                _sequence(item, inner, head, out, depth + 1)
            else:
                append(head + _flow(item) + "\n")
    except _Unsupported as exc:
        exc.path.append(next(i for i, x in enumerate(obj) if x is item))
        raise


def _flow(value: object) -> str:
    """A value written on the current line: a scalar, ``{}`` or ``[]``."""
    render = _SCALARS.get(type(value))
    if render is None:
        raise _Unsupported(f"unsupported value {_describe(value)}")
    return render(value)


def _describe(value: object) -> str:
    """A bounded repr for an error message: the value may be huge."""
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{text} of type {type(value).__qualname__}"


def _key(key: object) -> str:
    """``key:`` for a mapping key, remembered because keys repeat in every document."""
    if type(key) is not str:
        raise _Unsupported(f"unsupported mapping key {_describe(key)}", at_key=True)
    return _remember(_KEYS, key, _string(key) + ":")


def _string(text: str) -> str:
    """A str scalar as written, remembered because values repeat across documents too."""
    rendered = _STRINGS.get(text)
    return rendered if rendered is not None else _remember(_STRINGS, text, _render(text))


def _remember(cache: dict[str, str], text: str, rendered: str) -> str:
    # Emptied rather than evicted one by one: simple, and the output never depends on it.
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[text] = rendered
    return rendered


def _render(text: str) -> str:
    """Plain if every resolver reads it as this string, else double-quoted."""
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    if _SURROGATE.search(text):
        raise _Unsupported(f"string {text!r} contains a lone surrogate (not encodable)")
    return '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'


def _escape(match: re.Match[str]) -> str:
    # \uXXXX is the one escape JSON, YAML 1.1 and YAML 1.2 all read the same way.
    char = match.group()
    return _SHORT_ESCAPES.get(char) or f"\\u{ord(char):04x}"


def _int(value: int) -> str:
    try:
        return str(value)
    except ValueError:  # more digits than sys.get_int_max_str_digits() allows
        raise _Unsupported("integer too large to write") from None


def _float(value: float) -> str:
    """``repr`` with a dot always: YAML 1.1 reads ``1e-05`` as a string, ``1.0e-05`` as a float."""
    if not math.isfinite(value):
        raise _Unsupported(f"non-finite float {value!r}")
    text = repr(value)
    if "." not in text:  # finite repr without a dot always has an exponent: 1e+16
        mantissa, _, exponent = text.partition("e")
        text = f"{mantissa}.0e{exponent}"
    return text


_SCALARS: dict[type, Callable[[Any], str]] = {  # exact type → renderer
    str: _string,
    bool: lambda value: "true" if value else "false",
    int: _int,
    float: _float,
    type(None): lambda _: "null",
    dict: lambda value: "{}",  # only empty containers reach _flow
    list: lambda value: "[]",
    tuple: lambda value: "[]",
}
