"""What the notebook reader found reaches the report: a part without code says why, at 0 points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from problems import get_problem
from service.grading.grade import grade
from service.grading.notebook import answers_from_upload, parse_upload
from service.grading.report import PartStatus
from service.grading.variants import make_variant

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


class NeverRun:
    """A runner that must not be used: parts without source never reach the sandbox."""

    def available(self) -> tuple[bool, str]:
        return True, ""

    def run(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a part without source was sent to the sandbox")


def test_blank_starter_parts_say_why_they_score_nothing() -> None:
    problem = get_problem("hw0-color-organ")
    name = "color_organ_blank.ipynb"
    answers = answers_from_upload(problem, parse_upload((FIXTURES / name).read_bytes(), name))
    report = grade(problem, make_variant(problem, "s-1", b"k"), answers, code_runner=NeverRun())
    parts = {p.part_id: p for p in report.parts}
    for pid in ("e", "f", "g"):
        assert parts[pid].status == PartStatus.INCORRECT and parts[pid].score == 0, pid
        assert parts[pid].feedback.startswith("No answer found in the notebook: "), pid
    assert parts["e"].feedback.endswith("'loss_fn' is defined in a cell that does not parse.")
    assert parts["f"].feedback == (
        "No answer found in the notebook: 'evaluate_hp_circuit' is still the starter's "
        "placeholder (not answered). 'train_hp_circuit_binary' is defined in a cell that does "
        "not parse."
    )
    assert parts["a"].feedback == "No answer given."  # a number part: not the notebook's job


def test_a_py_file_without_a_function_names_it() -> None:
    problem = get_problem("hw2-optimizers-init")
    upload = parse_upload((FIXTURES / "optim.py").read_bytes(), "o.py")
    answers = answers_from_upload(problem, upload)
    report = grade(
        problem, make_variant(problem, "s-1", b"k"), answers, code_runner=NeverRun(), only=("d",)
    )
    (d,) = report.parts
    assert d.status == PartStatus.INCORRECT and d.score == 0
    assert "'he_init' is not defined" in d.feedback and "in the upload" in d.feedback
