"""``inferc init``: a new config repo that builds at once.

It holds ``inferc.yaml``, the shipped environment templates (``environments/``), one
example model, and the JSON Schemas of every kind bundled into ``.schemas/``; each YAML
file starts with a yaml-language-server modeline pointing at its schema, so editors that
use it (VS Code's YAML extension, Neovim, Helix, …) complete and check as you type.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from compiler import schemas
from compiler.errors import UsageError
from compiler.resources import environments_dir
from compiler.validate import KINDS

SCHEMA_FOLDER = ".schemas"
EDITOR_KINDS = ("Repository", "Environment", "ModelDeployment", "HardwareProfile",
                "RuntimeTemplate")

SETTINGS = """\
apiVersion: inferc.dev/v1alpha1
kind: Repository
spec:
  output: out             # where `inferc build` writes the Kustomize tree
  baseEnvironment: prod   # base/ holds prod's objects; other overlays patch them
"""

EXAMPLE_MODEL = """\
# An example to start from: a predictive ONNX model in an OCI image, served by OpenVINO
# Model Server on the CPU-only default profile. `inferc catalog` lists what else a spec
# may name; `inferc explain demo/mobilenet --env dev` shows how it resolves there.
apiVersion: inferc.dev/v1alpha1
kind: ModelDeployment
metadata:
  name: mobilenet
  namespace: demo
  displayName: MobileNet v2-7
spec:
  modelType: predictive
  modelFormat:
    name: onnx
    version: "1"
  storage:
    uri: oci://quay.io/mlops-demo/mobilenet-v2-7:1.0
  runtime: kserve-ovms
  hardwareProfile: default-profile
"""


def scaffold_files() -> dict[str, str]:
    """Relative path → text of a new config repo."""
    files = {"inferc.yaml": _with_modeline("inferc.yaml", "Repository", SETTINGS),
             "models/demo/mobilenet.yaml": _with_modeline("models/demo/mobilenet.yaml",
                                                          "ModelDeployment", EXAMPLE_MODEL)}
    for template in sorted(environments_dir().glob("*.yaml")):
        rel = f"environments/{template.name}"
        files[rel] = _with_modeline(rel, "Environment", template.read_text(encoding="utf-8"))
    for kind in EDITOR_KINDS:
        files[f"{SCHEMA_FOLDER}/{KINDS[kind][0]}"] = schemas.dumps(schemas.bundle(kind))
    return dict(sorted(files.items()))


def modeline(rel: str, kind: str) -> str:
    """``# yaml-language-server: $schema=…`` for the file at ``rel`` in the repo."""
    depth = len(PurePosixPath(rel).parts) - 1
    target = "/".join([".."] * depth + [SCHEMA_FOLDER, KINDS[kind][0]])
    return f"# yaml-language-server: $schema={target}\n"


def _with_modeline(rel: str, kind: str, text: str) -> str:
    return modeline(rel, kind) + text


def write(folder: Path, files: Mapping[str, str]) -> None:
    """Write ``files`` into ``folder``; refuse if any of them exists (nothing is written)."""
    clashes = [rel for rel in files if (folder / rel).exists() or (folder / rel).is_symlink()]
    if clashes:
        raise UsageError(f"{folder} already has {', '.join(clashes[:3])}"
                         f"{' …' if len(clashes) > 3 else ''}; inferc init only writes into "
                         "a folder without a config repo")
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: a file that appeared since the check is never overwritten
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)


__all__: Sequence[str] = ["modeline", "scaffold_files", "write"]
