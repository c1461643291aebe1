"""Shared fixtures: fresh databases on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

PG_URL = os.environ.get("GRADER_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
_counter = itertools.count()


def _with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def _admin_connect() -> Any:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


@pytest.fixture(scope="session")
def fresh_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    """A factory: backend name -> URL of a new, empty database (own SQLite file or PG schema).

    PostgreSQL schemas are unique per xdist worker and process, and dropped at session end.
    """
    schemas: list[str] = []
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")

    def make(backend: str) -> str:
        if backend == "sqlite":
            path: Path = tmp_path_factory.mktemp("db") / "grader.db"
            return f"sqlite:///{path}"
        schema = f"grader_t_{worker}_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
        with _admin_connect() as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        schemas.append(schema)
        return _with_search_path(PG_URL, schema)

    yield make
    if schemas:
        with _admin_connect() as conn:
            for schema in schemas:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, fresh_database_url: Callable[[str], str]) -> str:
    """A new empty database on each backend (SQLite, and PostgreSQL when configured)."""
    return fresh_database_url(request.param)
