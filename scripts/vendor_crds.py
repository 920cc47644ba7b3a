#!/usr/bin/env python3
"""Regenerate the vendored CRD schemas under ``schemas/crds/`` from a folder of upstream CRDs.

Usage::

    python scripts/vendor_crds.py /work/shared/crds                         # every set
    python scripts/vendor_crds.py /work/shared/crds/kserve-rhoai/rhoai-3.5  # one set

The CRD folder has the layout of the shared ``crds/`` snapshot: plain upstream
folders (``kserve``, ``gateway-api``, …) that together form the ``upstream`` set,
``kserve-rhoai/<release>`` (set ``<release>``, e.g. ``rhoai-3.5``) and
``kserve-odh/<branch>`` (set ``odh-<branch>``) and ``kserve-release/<x.y>`` (set
``kserve-<x.y>``, an upstream KServe release). Each folder carries a
``PROVENANCE.md``.

For every CRD and every *served* version the script writes the version's
``openAPIV3Schema`` unmodified as compact, key-sorted JSON to
``schemas/crds/<set>/<group>_<version>_<Kind>.json``. It also writes
``schemas/crds/index.json`` (set -> "apiVersion/Kind" -> file, relative to
``schemas/crds``) and ``schemas/crds/PROVENANCE.md``.

A schema that is byte-identical to the same apiVersion/Kind of a set already
written (the RHOAI releases share most CRDs with upstream or with each other) is
stored once: the index of the later set points at the earlier file. Sets are
written upstream first, then ``rhoai-*``, then ``odh-*``.

Run on a sub-folder, the script rebuilds only the set(s) below it (re-reading
all folders of that set, so ``crds/kserve`` rebuilds the whole ``upstream`` set)
and keeps the other sets as they are in ``schemas/crds``.

The output depends only on the input files: no timestamps, sorted keys, sorted
file names. Nothing at build or test time needs the CRD folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "schemas" / "crds"

# Folders whose CRDs form the "upstream" set (the projects' own repositories).
UPSTREAM_FOLDERS = (
    "argo-cd",
    "gateway-api",
    "gateway-api-inference-extension",
    "kserve",
    "kuadrant",
    "lws",
    "opendatahub",
    "prometheus-operator",
)
# Parents whose sub-folders are platform releases, and the prefix of their set names.
RELEASE_PARENTS = {"kserve-rhoai": "", "kserve-odh": "odh-", "kserve-release": "kserve-"}
# Sub-folders that hold example objects (LLMInferenceServiceConfig presets), not CRDs.
SKIP_DIRS = {"llmisvc-presets"}
# Upstream first: a later set that repeats an upstream schema points at upstream's file;
# then the product releases, whose folders should be as complete as possible.
SET_ORDER_HEAD = ("upstream",)
SET_ORDER_TAIL_PREFIX = ("rhoai-", "odh-", "kserve-")

_PROVENANCE_MARK = "<!-- set: {name} -->"
_PROVENANCE_SECTION = re.compile(r"^<!-- set: (\S+) -->$", re.MULTILINE)


@dataclass
class Schema:
    """One served version of one CRD."""

    key: str  # "group/version/Kind"
    filename: str  # "group_version_Kind.json"
    text: str  # compact JSON
    storage: bool = False


@dataclass
class SourceFile:
    rel: str  # path relative to the CRD root
    sha256: str
    schemas: list[Schema]


@dataclass
class CrdSet:
    name: str
    folders: list[str] = field(default_factory=list)
    files: list[SourceFile] = field(default_factory=list)
    provenance: list[tuple[str, str]] = field(default_factory=list)  # (rel path, text)

    def schemas(self) -> dict[str, Schema]:
        return {s.key: s for f in self.files for s in f.schemas}


def set_order_key(name: str) -> tuple[int, str]:
    if name in SET_ORDER_HEAD:
        return (0, name)
    for rank, prefix in enumerate(SET_ORDER_TAIL_PREFIX, start=1):
        if name.startswith(prefix):
            return (rank, name)
    return (len(SET_ORDER_TAIL_PREFIX) + 1, name)


def set_for(rel: tuple[str, ...]) -> str | None:
    """The set a CRD folder (path relative to the root) belongs to, or None."""
    if len(rel) == 1 and rel[0] in UPSTREAM_FOLDERS:
        return "upstream"
    if len(rel) == 2 and rel[0] in RELEASE_PARENTS and rel[1] not in SKIP_DIRS:
        return RELEASE_PARENTS[rel[0]] + rel[1]
    return None


def find_root(arg: Path) -> Path:
    """The CRD root above ``arg`` (``arg`` itself when it is the root)."""
    if arg.name in UPSTREAM_FOLDERS or arg.name in RELEASE_PARENTS:
        return arg.parent
    if arg.parent.name in RELEASE_PARENTS:
        return arg.parent.parent
    return arg


def source_folders(root: Path) -> dict[str, list[Path]]:
    """Set name -> the folders under ``root`` that feed it."""
    sets: dict[str, list[Path]] = {}
    for folder in sorted(p for p in root.rglob("*") if p.is_dir()):
        rel = folder.relative_to(root).parts
        if SKIP_DIRS & set(rel):
            continue
        name = set_for(rel)
        if name is not None:
            sets.setdefault(name, []).append(folder)
        elif len(rel) == 1 and rel[0] not in RELEASE_PARENTS and any(folder.glob("*.yaml")):
            raise SystemExit(f"{folder}: unknown CRD folder; add it to UPSTREAM_FOLDERS "
                             f"or RELEASE_PARENTS in {Path(__file__).name}")
    return sets


def wanted_sets(arg: Path, root: Path, all_sets: dict[str, list[Path]]) -> list[str]:
    """Sets with at least one folder at or below ``arg``."""
    arg = arg.resolve()
    return sorted(
        (name for name, folders in all_sets.items()
         if any(f.resolve() == arg or arg in f.resolve().parents for f in folders)),
        key=set_order_key,
    )


def compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def read_crds(path: Path) -> list[dict[str, Any]]:
    yaml = YAML(typ="safe", pure=False)
    docs = [d for d in yaml.load_all(path.read_text(encoding="utf-8")) if d]
    return [d for d in docs if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition"]


def extract(crd: dict[str, Any]) -> list[Schema]:
    spec = crd["spec"]
    group, kind = spec["group"], spec["names"]["kind"]
    out = []
    for version in spec["versions"]:
        if not version.get("served", False):
            continue  # the API server refuses objects of unserved versions
        name = version["name"]
        schema = version["schema"]["openAPIV3Schema"]
        out.append(Schema(f"{group}/{name}/{kind}", f"{group}_{name}_{kind}.json",
                          compact(schema), bool(version.get("storage"))))
    return out


def load_set(name: str, folders: list[Path], root: Path) -> CrdSet:
    crd_set = CrdSet(name)
    seen: dict[str, str] = {}
    for folder in folders:
        rel_folder = folder.relative_to(root).as_posix()
        crd_set.folders.append(rel_folder)
        for prov in (folder.parent / "PROVENANCE.md", folder / "PROVENANCE.md"):
            rel = prov.relative_to(root).as_posix() if prov.is_relative_to(root) else None
            if rel and prov.is_file() and rel not in dict(crd_set.provenance):
                crd_set.provenance.append((rel, prov.read_text(encoding="utf-8")))
        for path in sorted(folder.glob("*.yaml")):
            crds = read_crds(path)
            if not crds:
                print(f"skip (no CRD): {path.relative_to(root)}", file=sys.stderr)
                continue
            raw = path.read_bytes()
            schemas = [s for crd in crds for s in extract(crd)]
            for s in schemas:
                if s.key in seen:
                    raise SystemExit(f"{s.key} defined twice in set {name}: "
                                     f"{seen[s.key]} and {path.relative_to(root)}")
                seen[s.key] = path.relative_to(root).as_posix()
            crd_set.files.append(SourceFile(path.relative_to(root).as_posix(),
                                            hashlib.sha256(raw).hexdigest(), schemas))
    return crd_set


def kept_sets(names: list[str]) -> dict[str, dict[str, str]]:
    """Schemas of sets not rebuilt in this run, read back from the current output."""
    index_path = OUT / "index.json"
    if not index_path.is_file():
        return {}
    index: dict[str, dict[str, str]] = json.loads(index_path.read_text(encoding="utf-8"))
    return {name: {key: (OUT / rel).read_text(encoding="utf-8") for key, rel in entries.items()}
            for name, entries in index.items() if name not in names}


def old_provenance_sections() -> dict[str, str]:
    path = OUT / "PROVENANCE.md"
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    marks = list(_PROVENANCE_SECTION.finditer(text))
    return {m.group(1): text[m.start(): marks[i + 1].start() if i + 1 < len(marks) else len(text)]
            for i, m in enumerate(marks)}


def write_all(contents: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Write every set's schemas, storing identical text once; return the index."""
    for child in OUT.iterdir() if OUT.is_dir() else ():
        if child.is_dir():
            shutil.rmtree(child)
    OUT.mkdir(parents=True, exist_ok=True)
    # (apiVersion/Kind, sha256 of the text) -> file relative to OUT. Only the same
    # apiVersion/Kind is shared: ServingRuntime and ClusterServingRuntime have the same
    # schema, but a reader looking for one must not be sent to the other's file.
    stored: dict[tuple[str, str], str] = {}
    index: dict[str, dict[str, str]] = {}
    for name in sorted(contents, key=set_order_key):
        entries: dict[str, str] = {}
        for key in sorted(contents[name]):
            text = contents[name][key]
            digest = (key, hashlib.sha256(text.encode("utf-8")).hexdigest())
            if digest not in stored:
                group, version, kind = key.split("/")
                rel = f"{name}/{group}_{version}_{kind}.json"
                (OUT / name).mkdir(exist_ok=True)
                (OUT / rel).write_text(text, encoding="utf-8")
                stored[digest] = rel
            entries[key] = stored[digest]
        index[name] = entries
    (OUT / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n",
                                    encoding="utf-8")
    return index


def provenance_section(crd_set: CrdSet, index: dict[str, dict[str, str]]) -> str:
    lines = [_PROVENANCE_MARK.format(name=crd_set.name), f"## Set `{crd_set.name}`", "",
             "Source folders: " + ", ".join(f"`{f}/`" for f in crd_set.folders) + ".", "",
             "| source CRD file | sha256 | served apiVersion/Kind | vendored file |",
             "|---|---|---|---|"]
    for src in crd_set.files:
        for schema in src.schemas:
            storage = " (storage)" if schema.storage else ""
            lines.append(f"| `{src.rel}` | `{src.sha256}` | `{schema.key}`{storage} "
                         f"| `{index[crd_set.name][schema.key]}` |")
    lines.append("")
    for rel, text in crd_set.provenance:
        lines += [f"### Upstream provenance: `{rel}` (verbatim)", "",
                  "Relative paths in this quotation refer to the original CRD folder.", ""]
        lines += [f"> {line}".rstrip() for line in text.rstrip("\n").splitlines()]
        lines.append("")
    return "\n".join(lines) + "\n"


HEADER = """\
# Vendored CRD schemas

Generated by `scripts/vendor_crds.py`; do not edit by hand. Regenerate with
`python scripts/vendor_crds.py <crd-folder>`.

Each `<set>/<group>_<version>_<Kind>.json` is the `openAPIV3Schema` of one
served version of one CustomResourceDefinition, copied without change (compact,
key-sorted JSON). `compiler/verify.py` closes the objects (unknown fields are
errors) when it compiles a schema; the files themselves stay as upstream wrote
them. `index.json` maps each set's `apiVersion/Kind` to its file. A schema that
is byte-identical to the same apiVersion/Kind of an earlier set (order:
upstream, rhoai-*, odh-*, kserve-*) is stored once, so a set's index may point
into another set's folder.

Sets: `upstream` is the projects' own repositories (KServe master, Gateway API,
Gateway API Inference Extension, Kuadrant, LeaderWorkerSet, Prometheus
Operator, Open Data Hub, and Argo CD's release CRDs for the Applications
`inferc build` emits); `rhoai-<release>` is what that OpenShift AI release
ships (red-hat-data-services/kserve); `odh-<branch>` is an Open Data Hub KServe
branch; `kserve-<x.y>` is an upstream KServe release (its tag). Verification
looks in the chosen set first and falls back to `upstream` for kinds the set
does not define.

Licence: every source repository is licensed under the Apache License 2.0 (see
the quoted provenance of each set). The sha256 column is of the source CRD file
as copied.

"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="CRD root or one of its sub-folders")
    args = parser.parse_args(argv)
    arg: Path = args.folder.resolve()
    root = find_root(arg)
    all_folders = source_folders(root)
    names = wanted_sets(arg, root, all_folders)
    if not names:
        raise SystemExit(f"{arg}: no CRD folder of a known set at or below it")
    full_run = arg == root
    fresh = {name: load_set(name, all_folders[name], root) for name in names}
    contents = {} if full_run else kept_sets(names)
    contents.update({name: {k: s.text for k, s in fresh[name].schemas().items()}
                     for name in names})
    index = write_all(contents)
    sections = {} if full_run else old_provenance_sections()
    sections.update({name: provenance_section(fresh[name], index) for name in names})
    body = "".join(sections[name] for name in sorted(sections, key=set_order_key)
                   if name in index)
    (OUT / "PROVENANCE.md").write_text(HEADER + body, encoding="utf-8")
    files = sum(1 for p in OUT.rglob("*.json") if p.name != "index.json")
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"sets {', '.join(sorted(index, key=set_order_key))}: "
          f"{sum(len(v) for v in index.values())} entries, {files} files, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
