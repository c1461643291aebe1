"""Benchmark JSON submissions over HTTP against a trivial FastAPI endpoint served the same way.

Runs the grader under uvicorn (SQLite, and PostgreSQL when reachable) as a subprocess, fires
concurrent keep-alive POSTs with a realistic answer mix (correct, equivalent forms, mistakes,
invalid input), and prints p50/p99 latency, throughput and the ratio to a trivial endpoint.

    .venv/bin/python bench/json_submissions.py [--seconds 8] [--connections 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get(
    "GRADER_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ADMIN = "bench-admin-token"
PROBLEM = "disc1-gd-mechanics"

# Per part: (right, equivalent form, common mistake, invalid) answers.
ANSWERS: dict[str, tuple[str, ...]] = {
    "a.i": ("2/N*sum(theta - y)", "2*mean(theta - y)", "1/N*sum(theta - y)", "2/N*sum(theta -"),
    "a.ii": ("mean(y)", "sum(y)/N", "mean(theta)", "mean(("),
    "a.iii": (
        "theta - 2*alpha/N*sum(theta - y)",
        "theta - 2 alpha mean(theta - y)",
        "theta + 2*alpha/N*sum(theta - y)",
        "theta - = 2",
    ),
    "a.iv": (
        "theta - 2*alpha*(theta - y_i)",
        "theta-2α(θ-y_i)",
        "theta - 2*alpha*(theta - y)",
        "9**9**9**9",
    ),
    "a.v": ("2/N*(theta - y_i)", "2*(theta - y_i)/N", "2*(theta - y_i)", "nan"),
    "b.i": ("2/N*sum((theta*x - y)*x)", "2*mean(x*(theta*x - y))", "2/N*sum(theta*x - y)", "x*"),
    "b.ii": ("sum(x*y)/sum(x**2)", "sum(x*y)/sum(x*x)", "sum(y)/sum(x)", "sum(x*y)/"),
    "b.vi": ("prop_x", "PROP_X", "equal", "maybe"),
}


def free_port() -> int:
    """An unused TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def trivial_app() -> Any:
    """A minimal FastAPI app: POST /trivial returns a fixed small JSON object."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/trivial")
    async def trivial() -> dict[str, Any]:
        return {"ok": True}

    return app


def serve(target: str, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """Start uvicorn on ``port`` and wait for it to answer (same flags for every app)."""
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
        "--app-dir",
        str(ROOT / "bench"),
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return proc
        except OSError as exc:
            if getattr(exc, "code", None) == 404:  # the trivial app has no /health
                return proc
            if proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode}") from None
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def request_json(port: int, method: str, path: str, body: Any, token: str) -> Any:
    """One blocking JSON request (set-up only)."""
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def build_requests(port: int, path: str, students: int, with_tokens: bool) -> list[bytes]:
    """Raw HTTP/1.1 requests: one per (student, answer mix), each with the student's token."""
    rng = random.Random(7)
    out: list[bytes] = []
    for i in range(students):
        sid = f"bench-{i:04d}"
        token = (
            request_json(port, "POST", "/api/v1/tokens", {"student_id": sid}, ADMIN)["token"]
            if with_tokens
            else "x"
        )
        for _ in range(4):
            answers = {part: rng.choice(options) for part, options in ANSWERS.items()}
            body = json.dumps({"problem_id": PROBLEM, "student_id": sid, "answers": answers})
            raw = body.encode()
            out.append(
                (
                    f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(raw)}\r\n\r\n"
                ).encode()
                + raw
            )
    rng.shuffle(out)
    return out


async def _client(
    port: int,
    requests: list[bytes],
    offset: int,
    stop: float,
    lat: list[float],
    codes: dict[int, int],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = offset
    while time.perf_counter() < stop:
        payload = requests[i % len(requests)]
        i += 7
        t0 = time.perf_counter()
        writer.write(payload)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        lat.append(time.perf_counter() - t0)
        codes[status] = codes.get(status, 0) + 1
    writer.close()


async def load(port: int, requests: list[bytes], seconds: float, conns: int) -> dict[str, Any]:
    """Closed-loop load with ``conns`` keep-alive connections for ``seconds``."""
    warm: list[float] = []
    await asyncio.gather(
        *(_client(port, requests, k, time.perf_counter() + 1.0, warm, {}) for k in range(conns))
    )
    lat: list[float] = []
    codes: dict[int, int] = {}
    start = time.perf_counter()
    await asyncio.gather(
        *(_client(port, requests, k * 13, start + seconds, lat, codes) for k in range(conns))
    )
    elapsed = time.perf_counter() - start
    lat.sort()
    return {
        "requests": len(lat),
        "rps": len(lat) / elapsed,
        "p50_ms": 1000 * statistics.median(lat),
        "p99_ms": 1000 * lat[int(0.99 * (len(lat) - 1))],
        "codes": codes,
        "warm": len(warm),
    }


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process and its threads (Linux; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_case(
    name: str, target: str, env: dict[str, str], path: str, args: argparse.Namespace, grader: bool
) -> dict[str, Any]:
    """Serve ``target``, load it, stop it; returns the figures."""
    port = free_port()
    proc = serve(target, env, port)
    try:
        reqs = build_requests(port, path, args.students, with_tokens=grader)
        if grader:  # a submission answers 201 with the full report
            sample = request_json(port, "GET", "/api/v1/problems", None, ADMIN)
            assert any(p["id"] == PROBLEM for p in sample)
        before = cpu_seconds(proc.pid)
        result = asyncio.run(load(port, reqs, args.seconds, args.connections))
        after = cpu_seconds(proc.pid)
        if before is not None and after is not None:  # server CPU over warm-up + measured
            result["cpu_ms"] = 1000 * (after - before) / (result["requests"] + result["warm"])
    finally:
        proc.terminate()
        proc.wait(10)
    result["name"] = name
    return result


def pg_schema(action: str, schema: str) -> bool:
    """Create or drop a PostgreSQL schema; False when PostgreSQL is not reachable."""
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
            sql = (
                f'CREATE SCHEMA "{schema}"'
                if action == "create"
                else f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'
            )
            conn.execute(sql)
        return True
    except Exception as exc:
        print(f"(PostgreSQL not used: {type(exc).__name__}: {exc})")
        return False


def _row(r: dict[str, Any], trivial: float) -> str:
    cpu = f"{r['cpu_ms']:>9.3f}" if "cpu_ms" in r else f"{'-':>9}"
    return (
        f"{r['name']:<40}{r['rps']:>9.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{cpu}"
        f"{r['rps'] / trivial:>11.0%}  {r['codes']}"
    )


def main() -> None:
    """Run every case and print the table (trivial and SQLite alternate over rounds)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="trivial/SQLite alternations")
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    base |= {
        "GRADER_ADMIN_TOKEN": ADMIN,
        "GRADER_COURSE_SECRET": "bench-secret",
        "GRADER_LOG_LEVEL": "warning",
        "PYTHONPATH": str(ROOT),
    }
    app = "service.api.main:app_factory"
    path = "/api/v1/submissions"
    trivial_runs, sqlite_runs = [], []
    for k in range(args.rounds):  # alternate: the box's background load drifts
        trivial_runs.append(
            run_case(
                "trivial FastAPI endpoint",
                "json_submissions:trivial_app",
                base,
                "/trivial",
                args,
                grader=False,
            )
        )
        env = base | {"GRADER_DATA_DIR": str(tmp / f"sqlite{k}")}
        sqlite_runs.append(run_case("submissions, SQLite", app, env, path, args, grader=True))
    extra = []
    cold_env = base | {"GRADER_DATA_DIR": str(tmp / "cold"), "GRADER_GRADE_CACHE_SIZE": "0"}
    extra.append(run_case("submissions, SQLite, no grade cache", app, cold_env, path, args, True))
    schema = f"grader_bench_{os.getpid()}"
    if not args.no_pg and pg_schema("create", schema):
        try:
            pg_env = base | {"GRADER_DATABASE_URL": f"{PG_URL}?options=-csearch_path%3D{schema}"}
            extra.append(run_case("submissions, PostgreSQL", app, pg_env, path, args, True))
        finally:
            pg_schema("drop", schema)
    shutil.rmtree(tmp, ignore_errors=True)
    trivial = statistics.median(r["rps"] for r in trivial_runs)
    print(
        f"\n{args.connections} keep-alive connections, {args.seconds:g} s per case, "
        f"{os.cpu_count()} CPUs shared by client, server and whatever else runs\n"
    )
    print(
        f"{'case':<40}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'cpu ms':>9}{'vs trivial':>12}"
        "  status codes"
    )
    for t, s_ in zip(trivial_runs, sqlite_runs, strict=True):
        print(_row(t, t["rps"]))
        print(_row(s_, t["rps"]))
    for r in extra:
        print(_row(r, trivial))
    sqlite = statistics.median(r["rps"] for r in sqlite_runs)
    p50 = statistics.median(r["p50_ms"] for r in sqlite_runs)
    print(
        f"\nmedian over {args.rounds} rounds: trivial {trivial:.0f} req/s, SQLite submissions "
        f"{sqlite:.0f} req/s ({sqlite / trivial:.0%} of trivial), p50 {p50:.2f} ms"
    )
    if all("cpu_ms" in r for r in trivial_runs + sqlite_runs):  # steadier than req/s on a busy box
        cpu_t = statistics.median(r["cpu_ms"] for r in trivial_runs)
        cpu_s = statistics.median(r["cpu_ms"] for r in sqlite_runs)
        print(
            f"server CPU per request: trivial {cpu_t:.3f} ms, SQLite submissions {cpu_s:.3f} ms "
            f"(trivial/submission = {cpu_t / cpu_s:.0%}); load average {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
