"""Every attack of SECURITY.md against the real sandbox: contained, scored 0, nothing leaks."""

from __future__ import annotations

import dataclasses
import http.server
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from service.grading.kinds.base import CheckContext
from service.grading.kinds.code import CodeAnswer
from service.grading.kinds.code_spec import CodeCall, CodeCase, CodeSpec
from service.grading.report import PartStatus
from service.sandbox import SandboxRunner
from service.sandbox.bwrap import SandboxPaths
from service.sandbox.cgroup import NAME_PREFIX, CgroupUnavailable, detect
from tests.sandbox.conftest import SECRET, wait_no_strays

pytestmark = [pytest.mark.sandbox, pytest.mark.xdist_group("sandbox")]

REPO = Path(__file__).resolve().parents[2]
HIDDEN_MARK = 987654.25
X = np.array([1.0, 2.0, 3.0])
H = np.array([HIDDEN_MARK, 5.0])
HONEST = "def f(x):\n    return 2 * x\n"
SPEC = CodeSpec(
    functions=("f",),
    cases=(
        CodeCase(CodeCall("f", (X,)), expected=2 * X),
        CodeCase(CodeCall("f", (H,)), expected=2 * H, hidden=True),
    ),
    timeout_s=2.0,
)


class _Sink(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012

    def do_GET(self) -> None:
        _Sink.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def world() -> Iterator[dict[str, str]]:
    """A fake grading API on loopback and a canary directory with a secret file."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Sink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    canary = tempfile.mkdtemp(prefix="canary-")
    os.chmod(canary, 0o755)
    Path(canary, "secret.txt").write_text(SECRET)
    os.chmod(Path(canary, "secret.txt"), 0o644)  # world-readable: only isolation protects it
    yield {"port": str(server.server_address[1]), "canary": canary}
    server.shutdown()


ATTACKS: dict[str, str] = {
    "results_file_and_banner": """
import json
open("results.json", "w").write(json.dumps({"score": 100, "tests": []}))
print("All tests passed")
def f(x):
    print("All tests passed! score: 100/100")
    return None
""",
    "sys_exit_at_import": "import sys\nsys.exit(0)\ndef f(x):\n    return 2 * x\n",
    "os_exit_at_import": "import os\nos._exit(0)\ndef f(x):\n    return 2 * x\n",
    "eq_always_true": """
class Everything:
    def __eq__(self, other):
        return True
    __hash__ = object.__hash__
def f(x):
    return Everything()
""",
    "monkeypatch_comparisons": """
import math, numpy, numpy.testing, sys
math.isclose = lambda *a, **k: True
numpy.allclose = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
for name, mod in list(sys.modules.items()):
    if name.startswith("inside"):
        for attr in dir(mod):
            if attr.startswith(("to_plain", "encode", "describe")):
                setattr(mod, attr, lambda *a, **k: None)
def f(x):
    return x
""",
    "walk_gc_and_frames": """
import gc, sys
def f(x):
    found = []
    for obj in gc.get_objects():
        if isinstance(obj, dict) and "expected" in obj:
            found.append(obj["expected"])
    frame = sys._getframe()
    while frame is not None:
        found.extend(v for k, v in frame.f_locals.items() if "expect" in k)
        frame = frame.f_back
    return found[0] if found else x * 3
""",
    "read_secrets": """
import os, glob
def f(x):
    loot = []
    paths = [REPO + "/pyproject.toml", REPO + "/reference/__init__.py", CANARY + "/secret.txt",
             "/etc/shadow", "/root/.bash_history"] + glob.glob(REPO + "/var/*")
    paths += glob.glob("/proc/*/environ")
    for p in paths:
        try:
            loot.append(open(p, "rb").read()[:2000].decode("latin-1"))
        except Exception as exc:
            loot.append(type(exc).__name__)
    loot.append(repr(dict(os.environ)))
    try:
        import reference
        loot.append("reference imported")
    except Exception as exc:
        loot.append(repr(exc))
    return " | ".join(loot)
""",
    "echo_hidden_inputs": """
def f(x):
    print("input:", x.tolist())
    raise ValueError("input was " + repr(x.tolist()))
""",
    "infinite_loop": "def f(x):\n    while True:\n        pass\n",
    "sleep_ignoring_sigterm": """
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
def f(x):
    time.sleep(600)
""",
    "fork_bomb": """
import os, time
def f(x):
    for _ in range(10000):
        try:
            os.fork()
        except OSError:
            time.sleep(0.01)
    time.sleep(600)
""",
    "thread_bomb": """
import threading, time
def f(x):
    while True:
        threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
""",
    "memory_bomb": """
def f(x):
    hog = []
    while True:
        hog.append(bytearray(256 * 1024 * 1024))
""",
    "huge_file": """
def f(x):
    with open("big.bin", "wb") as out:
        while True:
            out.write(b"x" * (1 << 20))
""",
    "million_files": """
import os
def f(x):
    os.makedirs("many", exist_ok=True)
    for i in range(1_000_000):
        open(f"many/{i}", "w").close()
    return 2 * x
""",
    "gigabytes_on_stdout": """
import os, sys
def f(x):
    block = "y" * (1 << 20)
    for _ in range(4096):
        print(block)
        os.write(1, block.encode())
    return x
""",
    "double_fork_setsid": """
import os, time
def f(x):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(600)
        os._exit(0)
    return 2 * x
""",
    "sockets": """
import socket
def f(x):
    errors = []
    for fam, kind, addr in [(socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", PORT)),
                            (socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", PORT)),
                            (socket.AF_UNIX, socket.SOCK_STREAM, "/run/grader.sock")]:
        try:
            s = socket.socket(fam, kind)
            s.connect(addr)
            s.sendall(b"GET /stolen HTTP/1.0\\r\\n\\r\\n")
            errors.append("connected")
        except OSError as exc:
            errors.append(exc.errno)
    try:
        socket.socketpair()
        errors.append("socketpair")
    except OSError as exc:
        errors.append(exc.errno)
    return errors
""",
    "kill_parent": "import os\ndef f(x):\n    os.kill(os.getppid(), 9)\n    return 2 * x\n",
    "ptrace_parent": """
import ctypes, os
def f(x):
    libc = ctypes.CDLL(None, use_errno=True)
    rc = libc.ptrace(16, os.getppid(), 0, 0)  # PTRACE_ATTACH
    fds = []
    try:
        fds = os.listdir(f"/proc/{os.getppid()}/fd")
    except OSError:
        pass
    return [rc, ctypes.get_errno(), fds]
""",
    "poison_venv": """
import os, sys
def f(x):
    out = []
    for path in ["/venv/site-packages/zz_evil.pth", "/venv/site-packages/sitecustomize.py",
                 os.path.dirname(os.__file__) + "/sitecustomize.py", "/sandbox/inside/driver.py"]:
        try:
            with open(path, "a") as fh:
                fh.write("import os; os.system('touch /tmp/pwned')\\n")
            out.append("wrote " + path)
        except OSError as exc:
            out.append(exc.errno)
    return out
""",
    "plant_symlinks": """
import os
for name, target in [("results.json", CANARY + "/secret.txt"), ("/tmp/link", CANARY),
                     ("/dev/shm/link", "/etc/passwd")]:
    try:
        os.symlink(target, name)
    except OSError:
        pass
def f(x):
    try:
        open("/tmp/link/planted", "w").write("x")
    except OSError:
        pass
    return x
""",
    "pickle_payloads": """
import io, pickle, numpy as np
class Evil:
    def __reduce__(self):
        return (print, ("pwned",))
def f(x):
    buf = io.BytesIO()
    np.save(buf, np.array([Evil()], dtype=object), allow_pickle=True)
    if x[0] > 2:
        return np.array([Evil()], dtype=object)
    return buf.getvalue()
""",
    "pickle_as_results": """
import os, pickle
class Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/pwned",))
def f(x):
    os.write(3, pickle.dumps(Evil()))
    os._exit(0)
""",
}


def _grade(
    runner: SandboxRunner, source: str, spec: CodeSpec = SPEC
) -> tuple[float, PartStatus, str]:
    ctx = CheckContext(params={}, answers={}, seed=0, part_id="a", code_runner=runner)
    verdict = CodeAnswer(("f",)).check(source, spec, ctx)
    return verdict.fraction, verdict.status, verdict.feedback


def _snapshot(paths: list[Path]) -> list[tuple[str, float, int]]:
    out = []
    for root in paths:
        for p in [root, *root.iterdir()] if root.is_dir() else [root]:
            st = p.lstat()
            out.append((str(p), st.st_mtime, st.st_size))
    return out


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_is_contained(name: str, runner: SandboxRunner, world: dict[str, str]) -> None:
    venv = Path(SandboxPaths().site_packages)
    watched = [venv, Path(world["canary"]), REPO / "reference", REPO / "service" / "sandbox"]
    before = _snapshot(watched)
    source = (
        ATTACKS[name]
        .replace("REPO", repr(str(REPO)))
        .replace("CANARY", repr(world["canary"]))
        .replace("PORT", world["port"])
    )
    fraction, status, feedback = _grade(runner, source)
    assert fraction == 0.0, feedback
    assert status in (PartStatus.INCORRECT, PartStatus.ERROR, PartStatus.INVALID), feedback
    assert SECRET not in feedback and "[tool.importlinter]" not in feedback
    assert "987654" not in feedback  # the hidden input is never echoed
    assert len(feedback) < 5000
    assert _snapshot(watched) == before
    assert not Path("/tmp/pwned").exists()
    assert _Sink.hits == []
    strays = wait_no_strays(runner.uids_used())
    assert all(n <= 1 for n in strays.values()), strays
    assert _grade(runner, HONEST)[:2] == (1.0, PartStatus.CORRECT)


MEMORY_ACROSS_PROCESSES = """
import os, time
def f(x):
    for _ in range(20):
        if os.fork() == 0:
            hog = bytearray(300 * 1024 * 1024)
            for i in range(0, len(hog), 4096):
                hog[i] = 1
            time.sleep(600)
    os.wait()  # returns once the cgroup's OOM killer took a child
    raise MemoryError("a child was killed")
"""


def test_memory_across_processes_is_capped_by_the_cgroup(runner: SandboxRunner) -> None:
    """20 children x 300 MB stay under each rlimit but not under the sandbox's cgroup."""
    if not runner.layers()["cgroup"].startswith("cgroup v"):
        pytest.skip(runner.layers()["cgroup"])
    seen = len(runner.cgroup_history())
    # a generous deadline: on a loaded host 20 children need a while to fault in 6 GB
    slow = dataclasses.replace(SPEC, timeout_s=30.0)
    fraction, status, feedback = _grade(runner, MEMORY_ACROSS_PROCESSES, slow)
    assert (fraction, status) == (0.0, PartStatus.ERROR), feedback
    stats = runner.cgroup_history()[seen:]
    assert stats, "the sandboxes that ran the attack were not torn down"
    assert all(s.peak_bytes <= s.limit_bytes for s in stats), stats
    assert any(s.oom_kills > 0 for s in stats), stats  # the cgroup, not an rlimit, stopped it
    live = {p.name for p in _cgroup_dirs()}
    assert not {s.name for s in stats} & live  # torn-down sandboxes left no cgroup behind
    strays = wait_no_strays(runner.uids_used())
    assert all(n <= 1 for n in strays.values()), strays
    assert _grade(runner, HONEST)[:2] == (1.0, PartStatus.CORRECT)


def _cgroup_dirs() -> list[Path]:
    """Every sandbox cgroup currently present below this process's cgroups."""
    try:
        layout = detect()
    except CgroupUnavailable:
        return []
    return [p for d in {layout.memory_dir, layout.pids_dir}
            for p in Path(d).glob(NAME_PREFIX + "*")]


def test_no_sandbox_process_outlives_the_runner() -> None:
    from service.sandbox import create_runner
    from tests.sandbox.conftest import sandbox_process_counts, sandbox_skip_reason

    if sandbox_skip_reason():
        pytest.skip(sandbox_skip_reason())
    own = create_runner(1, uid_base=62500, uid_count=50)
    assert own.available()[0] is True
    result = own.run(ATTACKS["double_fork_setsid"], (CodeCall("f", (X,)),), timeout_s=2.0)
    assert "left processes" in result.failure
    uids = own.uids_used()
    names = {f"{NAME_PREFIX}{u}" for u in uids}
    if own.layers()["cgroup"].startswith("cgroup v"):
        assert names & {p.name for p in _cgroup_dirs()}  # the live zygote's cgroup
    own.close()
    assert not names & {p.name for p in _cgroup_dirs()}  # every cgroup removed
    end = time.monotonic() + 10.0
    while any(sandbox_process_counts()[u] for u in uids) and time.monotonic() < end:
        time.sleep(0.05)
    assert uids and not any(sandbox_process_counts()[u] for u in uids)
