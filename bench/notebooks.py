"""Bench: grade a color organ notebook by static extraction + sandbox, vs executing it in full.

Route 1 (the service): parse_upload -> answers_from_upload -> grade() with the sandbox runner.
Route 2 (the old way): run the whole notebook top to bottom with nbclient (100,000-step training
loops included), then run the same grading calls inside the kernel at the end of the section each
graded name comes from, and grade those outcomes with the same grade(). No network: `!pip` and
`%magic` lines become comments and Colab/plotting modules are stubbed in the kernel.

Usage: .venv/bin/python bench/notebooks.py [--notebook FILE] [--problem ID] [--student S]
Targets: route 1 <= 10 s per notebook and >= 10x faster than route 2; same verdicts.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from problems import get_problem  # noqa: E402
from service.grading.grade import grade  # noqa: E402
from service.grading.kinds.code_spec import CallOutcome, CodeCall, CodeSpec, RunResult  # noqa: E402
from service.grading.model import Problem  # noqa: E402
from service.grading.notebook import answers_from_upload, extract_parts, parse_upload  # noqa: E402
from service.grading.report import Report  # noqa: E402
from service.grading.variants import Variant, make_variant  # noqa: E402
from service.sandbox.inside import wire  # noqa: E402

DEFAULT_NOTEBOOK = ROOT / "tests" / "fixtures" / "notebooks" / "color_organ_complete.ipynb"
SECRET = b"bench-secret"
PART_HEADING = re.compile(r"^\W*\(?[a-z](?:\.[ivx]+)?\)", re.I)
STUBS = '''import sys, types, importlib.abc, importlib.machinery
class _Any(types.ModuleType):
    __path__ = []
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Any(name)
    def __call__(self, *args, **kwargs):
        return _Any("result")
class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    ROOTS = ("matplotlib", "ipywidgets", "torchviz", "google.colab", "mpl_toolkits")
    def find_spec(self, name, path=None, target=None):
        if any(name == r or name.startswith(r + ".") for r in self.ROOTS):
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None
    def create_module(self, spec):
        return _Any(spec.name)
    def exec_module(self, module):
        pass
sys.meta_path.insert(0, _Finder())
'''
PROBE = '''import sys as _sys
_sys.path.insert(0, {harness_dir!r})
from service.sandbox.inside import driver as _driver, wire as _wire
_req = _wire.loads(open({request!r}, "rb").read())
_outs = [_driver._run_call(c, globals(), 10000) for c in _req["calls"]]
open({result!r}, "wb").write(_wire.dumps(_outs))
'''


def _call_json(call: CodeCall) -> dict[str, Any]:
    return {
        "function": call.function, "args": wire.encode(list(call.args)),
        "kwargs": wire.encode(dict(call.kwargs)), "convert": dict(call.convert),
        "harness": call.harness,
    }


def _call_key(call: CodeCall) -> str:
    return json.dumps(_call_json(call), sort_keys=True)


class ReplayRunner:
    """A CodeRunner that answers with outcomes recorded inside the fully executed notebook."""

    def __init__(self, recorded: Mapping[str, dict[str, Any]]) -> None:
        self.recorded = recorded

    def available(self) -> tuple[bool, str]:
        """Always: nothing runs here."""
        return True, ""

    def run(self, source: str, calls: tuple[CodeCall, ...], *, timeout_s: float,
            needs_torch: bool = False) -> RunResult:
        """The outcomes recorded for these calls (in whatever order the code kind asks)."""
        outs = [self.recorded.get(_call_key(c)) for c in calls]
        if any(o is None for o in outs):
            return RunResult((), failure="not recorded in the executed notebook")
        return RunResult(tuple(
            CallOutcome(bool(o["ok"]), wire.decode(o["value"]) if o["ok"] else None,
                        o.get("error", ""), o.get("stdout", ""), float(o.get("seconds", 0)))
            for o in outs if o is not None
        ))


def _offline_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy with `!` and `%matplotlib` lines commented out and Colab/plot modules stubbed."""
    copy = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in copy.cells:
        if cell.cell_type == "code":
            cell.source = "\n".join(
                "# " + line if line.lstrip().startswith(("!", "%matplotlib")) else line
                for line in cell.source.split("\n")
            )
    stub = nbformat.v4.new_code_cell(STUBS)
    stub["id"] = "bench-stubs"
    copy.cells.insert(0, stub)
    return copy


def execute_in_full(problem: Problem, variant: Variant, path: Path) -> tuple[Report, float]:
    """Run every cell (with grading probes at each graded section's end); grade the outcomes."""
    upload = parse_upload(path.read_bytes(), path.name)
    nb = nbformat.reads(path.read_text(), as_version=4)
    extractions = extract_parts(problem, upload)
    headings = {c.index: c.headings for c in upload.cells}
    work = Path(tempfile.mkdtemp(prefix="nb-bench-"))
    probes: dict[int, list[tuple[list[CodeCall], Path, Path]]] = {}
    for part in problem.parts:
        ex = extractions.get(part.id)
        if ex is None or not ex.kept:
            continue
        spec = part.expected_for(variant.params, {})
        assert isinstance(spec, CodeSpec)
        calls = [case.call for case in spec.cases]
        request, result = work / f"{part.id}.req", work / f"{part.id}.out"
        request.write_bytes(wire.dumps({"calls": [_call_json(c) for c in calls]}))
        root = headings[max(ex.kept, key=lambda s: s.order).cell]
        key = next((h for h in reversed(root) if PART_HEADING.match(h)), None)
        same = [c.index for c in upload.code_cells if key is None or key in c.headings]
        probes.setdefault(max(same), []).append((calls, request, result))
    offline = _offline_copy(nb)
    for cell_index in sorted(probes, reverse=True):
        for _, request, result in probes[cell_index]:
            code = PROBE.format(harness_dir=str(ROOT / "service" / "sandbox"),
                                request=str(request), result=str(result))
            offline.cells.insert(cell_index + 2, nbformat.v4.new_code_cell(code))
    for i, cell in enumerate(offline.cells):
        cell["id"] = f"b{i}"
    started = time.perf_counter()
    NotebookClient(offline, kernel_name=_kernel(work), timeout=1800,
                   resources={"metadata": {"path": str(work)}}).execute()
    seconds = time.perf_counter() - started
    recorded: dict[str, dict[str, Any]] = {}
    for entries in probes.values():
        for calls, _, result in entries:
            recorded.update(zip(map(_call_key, calls), wire.loads(result.read_bytes()),
                                strict=True))
    report = grade(problem, variant, answers_from_upload(problem, upload),
                   code_runner=ReplayRunner(recorded))
    return report, seconds


def _kernel(work: Path) -> str:
    """Register a kernel spec for this venv's python under ``work`` (no global install)."""
    import os

    spec_dir = work / "jupyter" / "kernels" / "grader-bench"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "grader bench", "language": "python",
    }))
    os.environ["JUPYTER_PATH"] = str(work / "jupyter")
    return "grader-bench"


def extract_and_sandbox(problem: Problem, variant: Variant, path: Path) -> tuple[Report, float]:
    """The service's route: static extraction, then only the graded parts in the sandbox."""
    from service.sandbox import create_runner

    runner = create_runner()
    ok, why = runner.available()
    if not ok:
        raise SystemExit(f"sandbox unavailable: {why}")
    started = time.perf_counter()
    upload = parse_upload(path.read_bytes(), path.name)
    report = grade(problem, variant, answers_from_upload(problem, upload), code_runner=runner)
    return report, time.perf_counter() - started


def _verdicts(report: Report, parts: set[str]) -> dict[str, tuple[str, float]]:
    return {p.part_id: (p.status.value, p.score) for p in report.parts if p.part_id in parts}


def main() -> None:
    """Run both routes on one notebook and print times, speed-up and verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notebook", type=Path, default=DEFAULT_NOTEBOOK)
    parser.add_argument("--problem", default="hw0-color-organ")
    parser.add_argument("--student", default="bench-student")
    args = parser.parse_args()
    problem = get_problem(args.problem)
    variant = make_variant(problem, args.student, SECRET)
    graded = {p.id for p in problem.parts if p.kind.name == "code"}
    fast, fast_s = extract_and_sandbox(problem, variant, args.notebook)
    full, full_s = execute_in_full(problem, variant, args.notebook)
    same = _verdicts(fast, graded) == _verdicts(full, graded)
    print(f"notebook: {args.notebook.name}  problem: {problem.id}  student: {args.student}")
    print(f"extract + sandbox: {fast_s:8.2f} s   (target <= 10 s)")
    print(f"full execution:    {full_s:8.2f} s")
    print(f"speed-up:          {full_s / fast_s:8.1f}x  (target >= 10x)")
    for pid in sorted(graded):
        print(f"  {pid:10s} extract={_verdicts(fast, {pid}).get(pid)} "
              f"full={_verdicts(full, {pid}).get(pid)}")
    print(f"same verdicts on graded parts: {same}")


if __name__ == "__main__":
    main()
