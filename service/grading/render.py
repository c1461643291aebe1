"""Render statement templates: ``{{ name }}`` or ``{{ name:.3g }}`` placeholders, LaTeX-safe."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

# Possessive runs over disjoint classes: linear on any text (the spec's trailing blanks are
# stripped in Python rather than by a lazy run competing with ``\s*``).
_PLACEHOLDER = re.compile(r"\{\{\s*+([A-Za-z_][A-Za-z0-9_]*+)\s*+(?::\s*+([^{}]*+))?\}\}")


def _format_value(value: Any, spec: str | None) -> str:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_format_value(v, spec) for v in value) + "]"
    if spec:
        return format(value, spec)
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def render_template(template: str, params: Mapping[str, Any]) -> str:
    """Replace each ``{{ name[:spec] }}`` with the formatted parameter; braces of LaTeX stay."""

    def substitute(match: re.Match[str]) -> str:
        name, spec = match.group(1), match.group(2)
        spec = None if spec is None else spec.rstrip()
        if name not in params:
            raise KeyError(f"template placeholder {name!r} has no variant parameter")
        return _format_value(params[name], spec)

    return _PLACEHOLDER.sub(substitute, template)
