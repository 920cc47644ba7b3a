"""``inferc diff`` as text, a Markdown pull-request comment, GitHub annotations or JSON.

Every value shown comes from files a pull request controls: text is escaped for the
terminal (control characters), Markdown (HTML and table characters, code fences longer
than any backquote run) and workflow commands (``%``, line breaks).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.diagnostics import Diagnostic, escape_controls
from compiler.diff import ABSENT, Diff, EnvDiff, Flag, ObjectChange, Side
from compiler.report import json_items, render_report, workflow_data, workflow_property

Shown = Callable[[str], str]  # a file relative to the config repo → as the user reads it
_TITLE = "inferc diff"
# First line of every Markdown comment: a CI step finds its earlier comment by it and
# edits it instead of adding one per push.
MARKER = "<!-- inferc-diff -->"
COMMENT_LIMIT = 65_000  # characters; GitHub's limit for a comment body is 65,536


@dataclass(frozen=True)
class Failure:
    """A revision that does not compile: its diagnostics, and no diff."""

    side: Side
    diagnostics: tuple[Diagnostic, ...]  # named as the user reads them


def render(diff: Diff, fmt: str, shown: Shown) -> str:
    if fmt == "json":
        return _dump({"result": "changed" if diff.changed else "unchanged",
                      **_sides(diff.base, diff.head),
                      "environments": [_env_json(e, shown) for e in diff.environments]})
    if fmt == "markdown":
        return _markdown(diff, shown)
    if fmt == "github":
        return _github(diff, shown)
    return _text(diff, shown)


def render_failures(failures: Sequence[Failure], base: Side, head: Side, fmt: str) -> str:
    if fmt == "json":
        return _dump({"result": "failed", **_sides(base, head),
                      "failed": [{"revision": f.side.name, "diagnostics":
                                  json_items(f.diagnostics)} for f in failures]})
    parts = []
    for failure in failures:
        line = (f"the {failure.side.name} revision ({failure.side.label}) does not compile; "
                "no diff")
        report = render_report(failure.diagnostics, "github" if fmt == "github" else "text")
        if fmt == "github":
            parts.append(f"::error title={workflow_property(_TITLE)}::{workflow_data(line)}\n"
                         f"{report}")
        elif fmt == "markdown":
            clipped = _clip(report, COMMENT_LIMIT // len(failures) - 500)
            parts.append(f"**{_md(line[0].upper() + line[1:])}.**\n\n{_fenced(clipped, 'text')}")
        else:
            parts.append(f"inferc diff: {escape_controls(line)}\n{report}")
    if fmt == "markdown":
        return f"{MARKER}\n## {_TITLE}\n\n" + "\n".join(parts)
    return "".join(parts)


def _clip(text: str, room: int) -> str:
    """``text`` cut at a line end to fit ``room`` characters, saying how much is left out."""
    if len(text) <= room:
        return text
    kept = text[:room].rpartition("\n")[0] + "\n"
    left = text[len(kept):].count("\n")
    return f"{kept}… {left} more lines: run inferc diff for all of them\n"


def _sides(base: Side, head: Side) -> dict[str, Any]:
    return {side.name: {"ref": side.ref, "commit": side.commit,
                        "worktree": side.commit is None} for side in (base, head)}


def _dump(body: dict[str, Any]) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


# --- text ---------------------------------------------------------------------------

def _text(diff: Diff, shown: Shown) -> str:
    if not diff.changed:
        return ""
    out = [f"inferc diff: {diff.base.label} → {diff.head.label}\n"]
    for env in diff.environments:
        if env.shown:
            out.append(_env_lines(env, shown))
    return "".join(out)


def _env_lines(env: EnvDiff, shown: Shown, pad: str = "  ") -> str:
    """One environment's objects (and flags); ``pad`` "" puts the markers in column 0,
    where a Markdown ``diff`` block colours them."""
    lines = [f"environment {env.name}: {_counts(env)}"] if pad else []
    lines += [f"{pad}+ {c.title} ({shown(c.source)})" for c in env.added]
    lines += [f"{pad}- {c.title} ({shown(c.source)})" for c in env.removed]
    for change in env.changed:
        lines.append(f"{pad}~ {change.title} ({shown(change.source)})")
        lines += [f"{pad}    {f.path}: {_value(f.old)} → {_value(f.new)}"
                  for f in change.fields]
    lines += [f"{pad}! {_flag_line(f)} ({_at(f, shown)})" for f in env.flags]
    return "".join(f"{escape_controls(line)}\n" for line in lines)


def _counts(env: EnvDiff) -> str:
    return f"{len(env.added)} added, {len(env.removed)} removed, {len(env.changed)} changed"


def _flag_line(flag: Flag) -> str:
    return f"{flag.rule}: {flag.subject}: {flag.message}: {flag.reason}"


def _at(flag: Flag, shown: Shown) -> str:
    return f"{shown(flag.file)}:{flag.line}:{flag.col}"


def _value(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


# --- Markdown -----------------------------------------------------------------------

def _markdown(diff: Diff, shown: Shown) -> str:
    head = (f"{MARKER}\n## {_TITLE}\n\n**base** {_md(diff.base.label)} → **head** "
            f"{_md(diff.head.label)}")
    if not diff.changed:
        return f"{head}: no change to the rendered objects.\n"
    rows = ["| Environment | Added | Removed | Changed | Risk flags |",
            "| --- | ---: | ---: | ---: | --- |"]
    for env in diff.environments:
        rules = sorted({f.rule for f in env.flags})
        rows.append(f"| {_md(env.name)} | {len(env.added)} | {len(env.removed)} | "
                    f"{len(env.changed)} | {', '.join(rules) if rules else 'none'} |")
    blocks = []  # in order of importance: the flags, then each environment's details
    if diff.flags:
        blocks += [f"- **{_md(f.environment)}** `{f.subject}` **{_md(f.message)}**: "
                   f"{_md(f.reason)} ({_md(_at(f, shown))})\n" for f in diff.flags]
    for env in diff.environments:
        if env.changes:
            objects = EnvDiff(env.name, env.added, env.removed, env.changed)  # flags: above
            blocks.append(f"\n<details><summary>{_md(env.name)}: {_counts(env)}</summary>"
                          f"\n\n{_fenced(_env_lines(objects, shown, ''), 'diff')}\n"
                          "</details>\n")
    out = f"{head}\n\n" + "\n".join(rows) + "\n"
    if diff.flags:
        out += "\n### Risk flags\n\n"
    return out + _within_limit(blocks, COMMENT_LIMIT - len(out))


def _within_limit(blocks: list[str], room: int) -> str:
    """The blocks that fit a pull-request comment (GitHub refuses one of more than 65,536
    characters, and a release bump can change every model), then how many did not."""
    room -= 300  # the note below
    kept, left = [], 0
    for block in blocks:
        if left or len(block) > room:
            left += 1
            continue
        kept.append(block)
        room -= len(block)
    if left:
        kept.append(f"\n**{left} more {'entry' if left == 1 else 'entries'} not shown** "
                    "(flags or environment details): a pull-request comment holds at most "
                    "65,536 characters; run `inferc diff` for all of it.\n")
    return "".join(kept)


def _md(text: str) -> str:
    """Plain text inside Markdown: no HTML, no table break, no emphasis by accident."""
    return re.sub(r"([|*_`\[\]\\])", r"\\\1", html.escape(escape_controls(text), quote=False))


def _fenced(text: str, language: str) -> str:
    ticks = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, ticks + 1)
    end = "" if text.endswith("\n") else "\n"
    return f"{fence}{language}\n{text}{end}{fence}\n"


# --- GitHub annotations --------------------------------------------------------------

def _github(diff: Diff, shown: Shown) -> str:
    out = []
    for env in diff.environments:
        if env.shown:
            out.append(f"::notice title={workflow_property(_TITLE)}::"
                       f"{workflow_data(f'environment {env.name}: {_counts(env)}')}\n")
        for flag in env.flags:
            message = f"{flag.environment} {flag.subject}: {flag.message}: {flag.reason}"
            out.append(f"::warning file={workflow_property(shown(flag.file))},"
                       f"line={flag.line},col={flag.col},"
                       f"title={workflow_property(f'{_TITLE} {flag.rule}')}::"
                       f"{workflow_data(escape_controls(message))}\n")
    return "".join(out)


# --- JSON ---------------------------------------------------------------------------

def _env_json(env: EnvDiff, shown: Shown) -> dict[str, Any]:
    return {"name": env.name,
            "added": [_object_json(c, shown) for c in env.added],
            "removed": [_object_json(c, shown) for c in env.removed],
            "changed": [_object_json(c, shown) for c in env.changed],
            "flags": [{"rule": f.rule, "subject": f.subject, "message": f.message,
                       "reason": f.reason, "file": shown(f.file), "line": f.line,
                       "column": f.col} for f in env.flags]}


def _object_json(change: ObjectChange, shown: Shown) -> dict[str, Any]:
    group, kind, namespace, name = change.key
    out: dict[str, Any] = {"apiGroup": group, "kind": kind, "namespace": namespace,
                           "name": name, "model": str(change.model) if change.model else None,
                           "file": shown(change.source)}
    if change.fields:
        out["fields"] = [{"path": f.path,
                          **({"old": f.old} if f.old is not ABSENT else {}),
                          **({"new": f.new} if f.new is not ABSENT else {})}
                         for f in change.fields]
    return out
