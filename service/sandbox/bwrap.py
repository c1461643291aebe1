"""The bubblewrap command line of one sandbox (a zygote) and what it exposes inside.

Inside, read-only: /usr and the /bin, /lib* links, the dynamic-loader cache, the base Python
install, the venv's site-packages at /venv/site-packages (not the repo: the editable install's
finder points at a path that does not exist inside) and a copy of the driver and the public
harnesses at /sandbox. Writable: a size-limited tmpfs at /tmp and /dev/shm. Fresh pid, mount,
net, ipc, uts and cgroup namespaces; every capability is dropped except the three the
bootstrap needs to switch to the sandbox uid, which it then drops for good (see
inside/zygote.py). bwrap itself creates no user namespace (run as root it would map the sandbox
uid to host root): the zygote, once it is the unprivileged sandbox uid, enters a fresh one of
its own with an identity map of that uid, and stacks the full seccomp filter (read from
``full_filter_fd``) on top of the bootstrap one that bwrap loads.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

SANDBOX_DIR = "/sandbox"
VENV_DIR = "/venv/site-packages"
BOOTSTRAP = (
    "import sys; sys.path.insert(0, '/sandbox'); sys.path.append('/venv/site-packages'); "
    "from inside.zygote import main; main()"
)
MIN_ENV = {
    "PATH": "/usr/bin:/bin",
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


@dataclass(frozen=True, slots=True)
class SandboxPaths:
    """Host paths the sandbox exposes read-only."""

    python: str = field(default_factory=lambda: os.path.realpath(sys.executable))
    prefix: str = field(default_factory=lambda: os.path.realpath(sys.base_prefix))
    site_packages: str = field(
        default_factory=lambda: os.path.realpath(sysconfig.get_paths()["purelib"])
    )


def _parents(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    args += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    return args


def _bind_with_parents(src: str, dest: str) -> list[str]:
    args: list[str] = []
    for parent in _parents(dest):
        args += ["--perms", "0755", "--dir", parent]
    return [*args, "--ro-bind", src, dest]


def build_command(
    paths: SandboxPaths,
    driver_dir: str,
    seccomp_fd: int,
    full_filter_fd: int,
    *,
    flavor: str,
    uid: int,
    tmp_bytes: int,
) -> list[str]:
    """The argv that starts one zygote of ``flavor`` ("numpy" or "torch") as ``uid``.

    bwrap loads the bootstrap filter from ``seccomp_fd``; ``full_filter_fd`` is inherited by
    the zygote, which stacks that filter and closes the fd.
    """
    args = [
        "bwrap",
        "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent", "--new-session", "--hostname", "sandbox",
        "--cap-drop", "ALL",
        "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP",
    ]
    args += _system_binds()
    if not paths.prefix.startswith("/usr/"):
        args += _bind_with_parents(paths.prefix, paths.prefix)
    args += _bind_with_parents(paths.site_packages, VENV_DIR)
    args += ["--perms", "0755", "--dir", SANDBOX_DIR, "--ro-bind", driver_dir, SANDBOX_DIR]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--perms", "1777", "--size", str(tmp_bytes), "--tmpfs", "/dev/shm"]
    args += ["--perms", "1777", "--size", str(tmp_bytes), "--tmpfs", "/tmp"]
    args += ["--clearenv"]
    for key, value in MIN_ENV.items():
        args += ["--setenv", key, value]
    args += ["--chdir", "/tmp", "--seccomp", str(seccomp_fd)]
    python = paths.python
    if not (python.startswith(paths.prefix + "/") or python.startswith("/usr/")):
        python = os.path.join(paths.prefix, "bin", os.path.basename(python))
    args += [python, "-I", "-S", "-B", "-c", BOOTSTRAP, flavor, str(uid), str(full_filter_fd)]
    return args
