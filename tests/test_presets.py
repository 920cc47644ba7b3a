"""compiler.presets: every shipped preset matches its schema, and a broken one is a bug in
inferc, reported once, located, whichever kind it is."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from compiler import presets
from compiler.catalog import INDEX_FILE, builtin_releases
from compiler.errors import InternalError
from compiler.load import load_path
from compiler.resources import presets_dir, schemas_dir
from compiler.validate import schema_file


def shipped() -> list[tuple[str, str]]:
    """(path under presets/, kind) of every schema-checked shipped preset document."""
    root = presets_dir()
    out = [("model-defaults.yaml", "ModelDefaults")]
    out += [(f"hardware-profiles/{p.name}", "HardwareProfile")
            for p in sorted((root / "hardware-profiles").glob("*.yaml"))]
    out += [(f"platforms/{p.name}", "Platform") for p in sorted((root / "platforms").glob("*.yaml"))]
    for release in builtin_releases():
        index = load_path(root / "runtimes" / release / INDEX_FILE, INDEX_FILE).documents[0].data
        out += [(f"runtimes/{release}/{file}", "Template") for file in index["resources"]]
    return out


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    presets.document.cache_clear()
    yield
    presets.document.cache_clear()


def test_every_shipped_preset_validates_against_its_schema(fresh_cache: None) -> None:
    found = shipped()
    kinds = {kind for _, kind in found}
    assert kinds == {"ModelDefaults", "HardwareProfile", "Platform", "Template"}
    assert len(found) > 20
    for kind in kinds:
        assert (schemas_dir() / schema_file(kind)).is_file(), kind
    for relative, kind in found:
        assert presets.document(relative, kind).kind == kind, relative


@pytest.fixture
def copied(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fresh_cache: None) -> Path:
    """A private copy of presets/ that the preset loader reads instead of the shipped one."""
    root = tmp_path / "presets"
    shutil.copytree(presets_dir(), root)
    monkeypatch.setattr(presets, "presets_dir", lambda: root)
    return root


def _corrupt(root: Path, relative: str, old: str, new: str) -> tuple[int, int]:
    """Replace the first ``old`` in a copied preset; the 1-based line and column of ``new``."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


@pytest.mark.parametrize(("relative", "kind", "old", "new", "offset", "message"), [
    ("model-defaults.yaml", "ModelDefaults", "replicas: 1", "replicas: many", 10,
     "spec.replicas: expected an integer, found a string ('many') [schema.type]"),
    ("hardware-profiles/nvidia-gpu.yaml", "HardwareProfile", "resourceType: CPU",
     "resourceType: Bogus", 14,
     "spec.identifiers[0].resourceType: 'Bogus' is not one of: CPU, Memory, Accelerator "
     "[schema.enum]"),
    ("platforms/openshift-ai-3.5.yaml", "Platform", "labels: true", "labels: maybe", 8,
     "spec.dashboard.labels: expected a boolean, found a string ('maybe') [schema.type]"),
    ("runtimes/rhoai-3.5/vllm-cpu-template.yaml", "Template", "kind: Template",
     "kind: Templat", 6, "kind: expected kind Template, found 'Templat' [preset.kind]"),
])
def test_a_broken_builtin_preset_raises_one_located_internal_error(
        copied: Path, relative: str, kind: str, old: str, new: str, offset: int,
        message: str) -> None:
    line, col = _corrupt(copied, relative, old, new)
    with pytest.raises(InternalError) as err:
        presets.document(relative, kind)
    assert str(err.value) == f"<inferc>/presets/{relative}:{line}:{col + offset}: {message}"


def test_a_broken_builtin_preset_is_reported_by_the_commands(copied: Path, tmp_path: Path,
                                                             ) -> None:
    from conftest import run_cli

    line, col = _corrupt(copied, "model-defaults.yaml", "replicas: 1", "replicas: many")
    repo = Path(__file__).parent / "cases" / "golden" / "access" / "repo"
    result = run_cli("build", repo, "-o", tmp_path / "out", cwd=repo)
    assert result.exit_code == 3, result
    assert f"<inferc>/presets/model-defaults.yaml:{line}:{col + 10}: spec.replicas: " \
        in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_the_loader_reads_each_preset_once(fresh_cache: None) -> None:
    first = presets.document("model-defaults.yaml", "ModelDefaults")
    assert presets.document("model-defaults.yaml", "ModelDefaults") is first
