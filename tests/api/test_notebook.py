"""Notebook uploads: queued, graded by the worker, raw bytes kept; bad uploads are 4xx."""

from __future__ import annotations

import json
from typing import Any

import nbformat

from service.db import repo_submissions
from tests.api.conftest import Env


def _notebook(source: str) -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Tiny"), nbformat.v4.new_code_cell(source)]
    return nbformat.writes(nb).encode()


def _upload(env: Env, data: bytes, name: str, headers: dict[str, str] | None = None) -> Any:
    return env.client.post(
        "/api/v1/submissions/notebook",
        data={"problem_id": "tiny-sum"},
        files={"file": (name, data, "application/x-ipynb+json")},
        headers=headers or env.admin,
    )


def test_notebook_is_queued_graded_and_kept_verbatim(env: Env) -> None:
    headers = env.student("nb-student")
    data = _notebook("def square(x):\n    return x*x\n")
    r = _upload(env, data, "hw.ipynb", headers)
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "queued" and r.json()["kind"] == "notebook"
    done = env.wait_done(r.json()["id"], headers)
    assert done["status"] == "graded"
    parts = {p["part_id"]: p for p in done["parts"]}
    assert parts["code"]["status"] == "correct"
    # a notebook answers code and text parts only: number parts are not charged to it
    assert set(parts) == {"essay", "code"}
    assert done["max_score"] == 3.0 and r.json()["max_score"] == 3.0
    with env.svc.db.read() as conn:
        stored = repo_submissions.get_upload(conn, r.json()["id"])
    assert stored is not None and bytes(stored) == data


def test_bad_uploads_are_rejected(env: Env) -> None:
    before = env.counts()
    assert _upload(env, b"not json at all", "hw.ipynb").status_code == 400
    assert _upload(env, _notebook("x = 1"), "hw.exe").status_code == 415
    big = _notebook("# " + "x" * (env.svc.settings.max_notebook_bytes + 10))
    assert _upload(env, big, "hw.ipynb").status_code == 413
    r = env.client.post(
        "/api/v1/submissions/notebook", data={"problem_id": "tiny-sum"}, headers=env.admin
    )
    assert r.status_code == 422  # no file
    r = env.client.post(
        "/api/v1/submissions/notebook",
        data={"problem_id": "nope"},
        files={"file": ("hw.ipynb", _notebook("x=1"), "application/json")},
        headers=env.admin,
    )
    assert r.status_code == 404
    assert env.counts() == before
    assert json.loads(_upload(env, b"{}", "hw.ipynb").text)["status"] == 400
