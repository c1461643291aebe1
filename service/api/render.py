"""Fast JSON responses for already-plain dicts (no second validation pass)."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.responses import Response


def json_response(content: Any, status_code: int = 200) -> Response:
    """Serialise plain data as ``application/json`` (orjson; the stdlib for what it refuses)."""
    try:
        body = orjson.dumps(content)
    except TypeError:  # e.g. integers beyond 64 bits
        body = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status_code, media_type="application/json")
