"""MLServer rules (OpenShift AI documentation §2.4, platform-facts §5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.catalog import RuntimeTemplate
from compiler.diagnostics import Diagnostic
from compiler.resolve.layers import Origin
from compiler.resolve.records import EnvVar
from compiler.spec import Environment, ModelKey


def apply(key: ModelKey, values: Mapping[str, Any], origins: Mapping[str, Origin],
          template: RuntimeTemplate, env: Environment) -> tuple[list[EnvVar], list[Diagnostic]]:
    """Environment variables the MLServer runtime needs for this model, and rule violations."""
    return [], []
