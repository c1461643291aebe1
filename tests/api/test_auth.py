"""Bearer auth: instructors vs students; a student acts and reads only as itself."""

from __future__ import annotations

from tests.api.conftest import Env

SUB = {"problem_id": "tiny-sum", "answers": {"sum": 1}}


def test_missing_and_wrong_tokens_are_401(env: Env) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        for method, url in (("GET", "/api/v1/problems"), ("POST", "/api/v1/submissions")):
            r = env.client.request(method, url, json=SUB, headers=headers)
            assert r.status_code == 401, (headers, url)
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.headers["www-authenticate"] == "Bearer"
    assert env.client.get("/health").status_code == 200  # health needs no token


def test_student_cannot_submit_or_read_as_someone_else(env: Env) -> None:
    alice, bob = env.student("alice"), env.student("bob")
    before = env.counts()
    r = env.client.post("/api/v1/submissions", json={**SUB, "student_id": "bob"}, headers=alice)
    assert r.status_code == 403
    assert env.counts() == before
    bobs = env.client.post("/api/v1/submissions", json=SUB, headers=bob).json()
    assert env.client.get(f"/api/v1/submissions/{bobs['id']}", headers=alice).status_code == 403
    assert env.client.get(f"/api/v1/submissions/{bobs['id']}", headers=bob).status_code == 200
    assert env.client.get(f"/api/v1/submissions/{bobs['id']}", headers=env.admin).status_code == 200
    r = env.client.get("/api/v1/problems/tiny-sum?student_id=bob", headers=alice)
    assert r.status_code == 403


def test_student_lists_only_their_own(env: Env) -> None:
    carol = env.student("carol")
    env.client.post("/api/v1/submissions", json=SUB, headers=carol)
    mine = env.client.get("/api/v1/submissions", headers=carol)
    assert mine.status_code == 200
    assert mine.json() and {s["student_id"] for s in mine.json()} == {"carol"}
    assert env.client.get("/api/v1/submissions?student_id=alice", headers=carol).status_code == 403


def test_instructor_only_endpoints(env: Env) -> None:
    dave = env.student("dave")
    r = env.client.post("/api/v1/tokens", json={"student_id": "eve"}, headers=dave)
    assert r.status_code == 403
    sub = env.client.post("/api/v1/submissions", json=SUB, headers=dave).json()
    assert (
        env.client.post(f"/api/v1/submissions/{sub['id']}/regrade", headers=dave).status_code == 403
    )
    r = env.client.put(
        f"/api/v1/submissions/{sub['id']}/parts/sum", json={"score": 2}, headers=dave
    )
    assert r.status_code == 403


def test_tokens_are_stored_hashed_and_bad_student_ids_refused(env: Env) -> None:
    r = env.client.post("/api/v1/tokens", json={"student_id": "frank"}, headers=env.admin)
    token = r.json()["token"]
    with env.svc.db.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT token_hash FROM api_tokens").scalars().all()
    assert token not in stored and all(len(h) == 64 for h in stored)
    r = env.client.post("/api/v1/tokens", json={"student_id": "no spaces"}, headers=env.admin)
    assert r.status_code == 422
    r = env.client.post("/api/v1/tokens", json={"student": "x"}, headers=env.admin)
    assert r.status_code == 422


def test_admin_token_follows_the_configuration(database_url: str) -> None:
    from service.app.auth import ensure_admin_token, hash_token
    from service.db import repo_tokens
    from service.db.session import Database

    db = Database.from_url(database_url)
    db.upgrade()

    def usable(token: str) -> bool:
        with db.read() as conn:
            found = repo_tokens.find_token(conn, hash_token(token))
        return found is not None and not found.revoked and found.role == "instructor"

    try:
        generated = ensure_admin_token(db, None)
        assert generated and usable(generated)
        assert ensure_admin_token(db, "token-A") is None and usable("token-A")
        assert not usable(generated)  # the generated token gives way to the configured one
        assert ensure_admin_token(db, "token-B") is None
        assert usable("token-B") and not usable("token-A")
        assert ensure_admin_token(db, "token-A") is None  # going back to A works again
        assert usable("token-A") and not usable("token-B")
        fresh = ensure_admin_token(db, None)  # unset: env tokens stop, a new one printed once
        assert fresh and usable(fresh) and not usable("token-A")
        assert ensure_admin_token(db, None) is None and usable(fresh)
    finally:
        db.dispose()


def test_a_student_token_is_never_promoted_to_instructor(database_url: str) -> None:
    import pytest

    from service.app.auth import ensure_admin_token, hash_token, issue_student_token
    from service.db import repo_tokens
    from service.db.session import Database

    db = Database.from_url(database_url)
    db.upgrade()
    try:
        student_token = issue_student_token(db, "mallory")
        with pytest.raises(ValueError, match="already issued to a student"):
            ensure_admin_token(db, student_token)
        with db.read() as conn:
            found = repo_tokens.find_token(conn, hash_token(student_token))
        assert found is not None and found.role == "student" and found.student_id == "mallory"
    finally:
        db.dispose()


def test_revoked_student_tokens_stop_working_at_once(env: Env) -> None:
    rita = env.student("rita")  # no other test issues tokens to rita
    url = "/api/v1/tokens?student_id=rita"
    assert env.client.get("/api/v1/problems", headers=rita).status_code == 200  # now cached
    assert env.client.delete(url, headers=rita).status_code == 403
    r = env.client.delete(url, headers=env.admin)
    assert r.status_code == 200 and r.json() == {"student_id": "rita", "revoked": 1}
    assert env.client.get("/api/v1/problems", headers=rita).status_code == 401
    assert env.client.delete(url, headers=env.admin).json()["revoked"] == 0
    assert env.client.get("/api/v1/problems", headers=env.student("rita")).status_code == 200
