"""The layer arrows of ARCHITECTURE.md hold: import-linter contracts run in the suite."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    proc = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" not in proc.stdout.lower().replace("0 broken", "")


def test_one_file_per_problem() -> None:
    from problems import load_problems

    modules = {p.stem for p in (ROOT / "problems").glob("*.py") if not p.stem.startswith("_")}
    problems = load_problems()
    assert len(modules) == len(problems)
    assert {pid.replace("-", "_") for pid in problems} == modules
