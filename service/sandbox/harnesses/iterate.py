"""Harness: apply the student's update function ``steps`` times (e.g. optimizer steps)."""

from __future__ import annotations

from typing import Any


def run(namespace: dict[str, Any], function: str, state: Any, steps: int, *args: Any) -> Any:
    """Call ``namespace[function](state, *args)`` ``steps`` times, feeding the state back."""
    step = namespace[function]
    for _ in range(int(steps)):
        state = step(state, *args)
    return state
