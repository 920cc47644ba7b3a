"""``inferc init`` scaffolds a config repo that builds at once; ``inferc schema`` prints
self-contained JSON Schemas that validate as the shipped ones do."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import EXAMPLE, ROOT, kustomize_build, run_cli

from compiler.schemas import bundle, kinds


def test_init_then_build_and_render(tmp_path: Path) -> None:
    result = run_cli("init", "repo", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ("inferc: created a config repo in repo (9 files); "
                             "try: inferc build repo\n")
    repo = tmp_path / "repo"
    build = run_cli("build", cwd=repo)
    assert build.exit_code == 0, build.stderr
    render = run_cli("render", "--env", "prod", cwd=repo)
    assert render.exit_code == 0, render.stderr
    assert yaml.safe_load_all(render.stdout) is not None
    assert [d for d in yaml.safe_load_all(render.stdout)] == [
        d for d in yaml.safe_load_all(kustomize_build(repo / "out" / "overlays" / "prod"))]


def test_every_scaffolded_file_has_a_modeline_to_a_schema_that_accepts_it(
        tmp_path: Path) -> None:
    assert run_cli("init", tmp_path / "repo").exit_code == 0
    repo = tmp_path / "repo"
    yamls = sorted(p for p in repo.rglob("*.yaml"))
    assert [p.relative_to(repo).as_posix() for p in yamls] == [
        "environments/dev.yaml", "environments/prod.yaml", "inferc.yaml",
        "models/demo/mobilenet.yaml"]
    for path in yamls:
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        schema_path = (path.parent / first.split("=", 1)[1]).resolve()
        schema = json.loads(schema_path.read_text())
        assert list(jsonschema.Draft202012Validator(schema).iter_errors(
            yaml.safe_load(path.read_text()))) == [], path


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "inferc.yaml").write_text("mine\n")
    result = run_cli("init", cwd=tmp_path)
    assert result.exit_code == 2
    assert "inferc init only writes into a folder without a config repo" in result.stderr
    assert (tmp_path / "inferc.yaml").read_text() == "mine\n"
    assert not (tmp_path / "models").exists()


def test_schema_lists_kinds_and_prints_one() -> None:
    listing = run_cli("schema")
    assert listing.exit_code == 0
    assert listing.stdout.splitlines()[:3] == ["ModelDeployment", "Environment",
                                               "HardwareProfile"]
    one = run_cli("schema", "ModelDeployment")
    assert one.exit_code == 0
    schema = json.loads(one.stdout)
    assert schema["$id"] == "https://inferc.dev/schemas/model-deployment.schema.json"
    assert "_defs.schema.json" not in one.stdout  # self-contained
    unknown = run_cli("schema", "Modeldeployment")
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("inferc: error: no kind 'Modeldeployment' (known: ")


@pytest.mark.parametrize("kind", kinds())
def test_bundles_are_valid_schemas(kind: str) -> None:
    jsonschema.Draft202012Validator.check_schema(bundle(kind))


def test_bundles_judge_like_the_compiler() -> None:
    """The example repo passes; a mistake the compiler reports, the bundle reports too."""
    model = jsonschema.Draft202012Validator(bundle("ModelDeployment"))
    env = jsonschema.Draft202012Validator(bundle("Environment"))
    for path in sorted((EXAMPLE / "models").rglob("*.yaml")):
        assert list(model.iter_errors(yaml.safe_load(path.read_text()))) == [], path
    for path in sorted((EXAMPLE / "environments").glob("*.yaml")):
        assert list(env.iter_errors(yaml.safe_load(path.read_text()))) == [], path
    spec = yaml.safe_load((EXAMPLE / "models" / "llm" / "granite-8b.yaml").read_text())
    spec["spec"]["storage"]["uri"] = "ftp://nowhere/model"
    spec["metadata"]["name"] = "Granite"
    assert len(list(model.iter_errors(spec))) == 2


def test_schema_texts_make_no_release_claims_the_platform_files_contradict() -> None:
    """Which release has a feature is data (presets/platforms/); a description that says
    "3.4+" goes stale (the route timeout was backported to 3.3). The timeout's text says
    what the platform files say: every OpenShift AI release, no upstream KServe one."""
    from compiler.platforms import all_platforms

    texts = [p.read_text() for p in sorted((ROOT / "schemas").glob("*.schema.json"))]
    assert [m for t in texts for m in re.findall(r"\b\d+\.\d+\+", t)] == []
    timeout = json.loads((ROOT / "schemas" / "model-deployment.schema.json").read_text())
    text = timeout["properties"]["spec"]["properties"]["timeout"]["description"]
    assert "every OpenShift AI release inferc knows; not on upstream KServe" in text
    assert {p.key for p in all_platforms() if p.has("modelRouteTimeout")} == {
        p.key for p in all_platforms() if p.name == "openshift-ai"}
