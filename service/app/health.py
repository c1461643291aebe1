"""Use-case: the service's health (database reachable, code grading available or why not)."""

from __future__ import annotations

from typing import Any

from service.app.context import Services


def health(svc: Services) -> dict[str, Any]:
    """Status report for /health."""
    try:
        svc.db.ping()
        database = "ok"
    except Exception as exc:  # reported, not raised: health must answer
        database = f"unavailable: {type(exc).__name__}"
    code_ok, reason = svc.runner.status()
    return {
        "status": "ok" if database == "ok" else "degraded",
        "database": database,
        "code_grading": {"available": code_ok, "reason": reason},
        "problems": len(svc.bank.all()),
    }
