"""Code runners for the per-problem tests: the real sandbox, and fake-or-sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers.fake_runner import FakeRunner


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    """The real sandbox runner (one worker), or skip when it is not usable here."""
    from service.sandbox import create_runner

    runner = create_runner(workers=1)
    ok, why = runner.available()
    if not ok:
        runner.close()
        pytest.skip(f"sandbox unavailable: {why}")
    yield runner
    runner.close()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("fake", id="fake"),
        pytest.param("sandbox", id="sandbox", marks=pytest.mark.sandbox),
    ],
)
def any_runner(request: pytest.FixtureRequest) -> Any:
    """The in-process fake runner, then the real sandbox (trusted test sources only)."""
    if request.param == "fake":
        return FakeRunner()
    return request.getfixturevalue("sandbox")
