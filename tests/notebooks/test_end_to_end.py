"""Notebook and .py uploads graded end to end in the sandbox, per part, on the student's variant."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from problems import get_problem
from service.grading.grade import grade
from service.grading.kinds.code_spec import CodeRunner
from service.grading.model import Problem
from service.grading.notebook import answers_from_upload, parse_upload
from service.grading.report import PartStatus, Report
from service.grading.variants import make_variant

pytestmark = pytest.mark.sandbox

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
SECRET = b"notebook-tests-secret"
STUDENT = "s-4242"


@pytest.fixture(scope="module")
def runner() -> Iterator[CodeRunner]:
    """The real sandbox runner (fails closed when an isolation layer is missing)."""
    from service.sandbox import create_runner

    code_runner = create_runner()
    ok, why = code_runner.available()
    assert ok, why
    yield code_runner


def _grade_file(
    problem: Problem, name: str, runner: CodeRunner, student: str = STUDENT
) -> tuple[Report, dict[str, Any]]:
    upload = parse_upload((FIXTURES / name).read_bytes(), name)
    answers = answers_from_upload(problem, upload)
    variant = make_variant(problem, student, SECRET)
    return grade(problem, variant, answers, code_runner=runner), answers


def _statuses(report: Report) -> dict[str, PartStatus]:
    return {p.part_id: p.status for p in report.parts}


def _parts_needing(problem: Problem, name: str) -> list[str]:
    return [p.id for p in problem.parts if name in getattr(p.kind, "functions", ())]


def test_step_size_notebook_and_json_give_the_same_report(runner: CodeRunner) -> None:
    problem = get_problem("hw2-step-size")
    report, answers = _grade_file(problem, "step_size.ipynb", runner)
    assert _statuses(report)["e"] == PartStatus.CORRECT
    assert _statuses(report)["a"] == PartStatus.UNGRADED  # the markdown proof, for a human
    # The same functions sent as JSON for the same student: the helper file as a student would
    # paste it, without its plotting (matplotlib is not installed where code is graded).
    helper = (FIXTURES / "step_size_helper.py").read_text()
    pasted = helper.replace("import matplotlib.pyplot as plt\n", "").split("def plot_iterates")[0]
    assert pasted != answers["e"] and "def compute_updates" in pasted
    json_answers = {"a": answers["a"], "e": pasted}
    variant = make_variant(problem, STUDENT, SECRET)
    as_json = grade(problem, variant, json_answers, code_runner=runner)
    assert as_json.to_dict() == report.to_dict()


def test_step_size_helper_py_upload(runner: CodeRunner) -> None:
    report, answers = _grade_file(get_problem("hw2-step-size"), "step_size_helper.py", runner)
    assert set(answers) == {"e"} and _statuses(report)["e"] == PartStatus.CORRECT


def test_optim_py_answers_the_optimizer_parts(runner: CodeRunner) -> None:
    problem = get_problem("hw2-optimizers-init")
    good, answers = _grade_file(problem, "optim.py", runner)
    assert all(isinstance(answers[p], str) for p in ("a", "b", "c"))
    assert answers["d"] == {
        "source": None,
        "notes": [
            "'he_init' is not defined (by a def, class, import or assignment) in the upload."
        ],
    }
    statuses = _statuses(good)
    assert [statuses[p] for p in ("a", "b", "c")] == [PartStatus.CORRECT] * 3
    d = next(p for p in good.parts if p.part_id == "d")  # not in optim.py: it says so, 0 points
    assert d.status == PartStatus.INCORRECT and d.score == 0
    assert d.feedback.startswith("No answer found in the notebook: 'he_init' is not defined")
    buggy, _ = _grade_file(problem, "optim_rmsprop_bug.py", runner)
    statuses = _statuses(buggy)
    assert statuses["a"] == statuses["c"] == PartStatus.CORRECT
    assert statuses["b"] != PartStatus.CORRECT


def test_linearized_features_notebook(runner: CodeRunner) -> None:
    problem = get_problem("hw2-linearized-features")
    report, answers = _grade_file(problem, "linearized_features.ipynb", runner)
    statuses = _statuses(report)
    assert [statuses[p] for p in ("a", "b", "d")] == [PartStatus.CORRECT] * 3
    assert statuses["c"] == PartStatus.UNGRADED and "barely change" in answers["c"]


def test_color_organ_complete_notebook_is_graded_per_part(runner: CodeRunner) -> None:
    problem = get_problem("hw0-color-organ")
    report, answers = _grade_file(problem, "color_organ_complete.ipynb", runner)
    statuses = _statuses(report)
    for part in ("e", "f", "g", *_parts_needing(problem, "train_hp_circuit_binary")):
        assert statuses[part] == PartStatus.CORRECT, (part, report.to_dict())
    assert "0.3 + 0.7 * y" in answers["e"]  # the loss of section (e), not (c), (d) or (h)


def test_color_organ_blank_starter_costs_each_part_only(runner: CodeRunner) -> None:
    problem = get_problem("hw0-color-organ")
    blank, answers = _grade_file(problem, "color_organ_blank.ipynb", runner)
    assert all(answers[p]["source"] is None for p in ("e", "f", "g"))
    parts = {p.part_id: p for p in blank.parts}
    assert all(parts[p].status == PartStatus.INCORRECT and parts[p].score == 0 for p in "efg")
    assert parts["e"].feedback == (
        "No answer found in the notebook: 'loss_fn' is defined in a cell that does not parse."
    )
    assert "'evaluate_hp_circuit' is still the starter's placeholder" in parts["f"].feedback
    assert "'train_bp_circuit_binary' is defined in a cell that does not parse" in parts[
        "g"
    ].feedback
    partial, _ = _grade_file(problem, "color_organ_partial.ipynb", runner)
    statuses = _statuses(partial)
    assert statuses["e"] == statuses["f"] == PartStatus.CORRECT
    assert statuses["g"] == PartStatus.INCORRECT


def test_color_organ_doubled_gradient_step_is_caught(runner: CodeRunner) -> None:
    problem = get_problem("hw0-color-organ")
    assert _parts_needing(problem, "train_hp_circuit_binary") == ["f"]
    report, answers = _grade_file(problem, "color_organ_doubled_step.ipynb", runner)
    assert "loss.backward(retain_graph=True)" in answers["f"]  # the bug reached the grader
    parts = {p.part_id: p for p in report.parts}
    f = parts["f"]
    assert f.status == PartStatus.PARTIAL and 0 < f.score < problem.part("f").points
    assert "Every step is twice the expected one" in f.feedback, f.feedback
    # evaluate_hp_circuit itself is fine: only the training case(s) fail
    assert "Case 1 (evaluate_hp_circuit on 7 frequencies): passed." in f.feedback
    assert "Case 3 (train_hp_circuit_binary" in f.feedback and "4/5 cases passed" in f.feedback
    assert parts["g"].status == PartStatus.CORRECT  # the band-pass training is not doubled


def test_color_organ_hostile_cells_score_nothing_and_leak_nothing(
    runner: CodeRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = "canary-7f3e1d9b"
    monkeypatch.setenv("GRADER_NOTEBOOK_TEST_CANARY", canary)
    problem = get_problem("hw0-color-organ")
    report, _ = _grade_file(problem, "color_organ_hostile.ipynb", runner)
    scores = {p.part_id: p.score for p in report.parts}
    assert scores["f"] == 0 and scores["g"] == 0  # forged equality, exfiltrating socket
    assert _statuses(report)["e"] == PartStatus.CORRECT  # the honest part still grades
    text = str(report.to_dict())
    assert SECRET.decode() not in text and canary not in text
