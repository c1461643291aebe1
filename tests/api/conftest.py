"""An API under test: the app over HTTP (httpx/TestClient), fake runner, on each backend."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from service.api.main import create_app
from service.app.bank import ProblemBank
from service.app.context import Services, build_services
from service.db.models import results_table, submissions_table
from service.settings import Settings
from tests.api.fakes import TINY, FakeRunner
from tests.conftest import BACKENDS

ADMIN_TOKEN = "admin-test-token-0123456789"


@dataclass
class Env:
    """A running app and handles on its internals."""

    client: TestClient
    svc: Services
    runner: FakeRunner
    admin: dict[str, str]

    def student(self, student_id: str) -> dict[str, str]:
        """Headers of a fresh student token."""
        r = self.client.post("/api/v1/tokens", json={"student_id": student_id}, headers=self.admin)
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def counts(self) -> tuple[int, int]:
        """(submissions, results) rows stored."""
        with self.svc.db.read() as conn:
            subs = conn.execute(select(func.count()).select_from(submissions_table)).scalar_one()
            res = conn.execute(select(func.count()).select_from(results_table)).scalar_one()
        return subs, res

    def wait_done(self, submission_id: str, headers: dict[str, str]) -> dict[str, Any]:
        """Poll until the submission leaves queued/running (fails after 20 s)."""
        deadline = time.monotonic() + 20
        while True:
            body = self.client.get(f"/api/v1/submissions/{submission_id}", headers=headers).json()
            if body["status"] not in ("queued", "running") or time.monotonic() > deadline:
                return body
            time.sleep(0.02)


def make_env(url: str, bank: ProblemBank, runner: FakeRunner) -> Callable[[], Iterator[Env]]:
    """Build services and an app on ``url``."""

    def gen() -> Iterator[Env]:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            admin_token=SecretStr(ADMIN_TOKEN),
            course_secret=SecretStr("test-course-secret"),
            workers=1,
            worker_poll_seconds=0.2,
            max_body_bytes=64 * 1024,
            max_notebook_bytes=200 * 1024,
        )
        svc = build_services(settings, bank=bank, runner_factory=lambda _n: runner)
        app = create_app(services=svc)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Env(client, svc, runner, {"Authorization": f"Bearer {ADMIN_TOKEN}"})
        svc.close()

    return gen


@pytest.fixture(scope="module", params=BACKENDS)
def env(request: pytest.FixtureRequest, fresh_database_url: Callable[[str], str]) -> Iterator[Env]:
    """The app with the tiny test problem, on each backend."""
    yield from make_env(fresh_database_url(request.param), ProblemBank.of(TINY), FakeRunner())()
