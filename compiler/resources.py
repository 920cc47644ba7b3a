"""Where inferc's shipped data (schemas, presets, environment templates) lives.

In a source checkout (and an editable install) the data sits at the repository
root, as the product layout asks; a wheel carries it in ``compiler/_data``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def data_root() -> Path:
    here = Path(__file__).resolve().parent
    bundled = here / "_data"
    return bundled if bundled.is_dir() else here.parent


def schemas_dir() -> Path:
    return data_root() / "schemas"


def presets_dir() -> Path:
    return data_root() / "presets"


def environments_dir() -> Path:
    return data_root() / "environments"
