"""The ``grader`` command: problems, show, grade (exit 0 with a report, 2 on unusable input)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service import cli
from service.grading.variants import make_variant
from tests.api.fakes import TINY, FakeRunner

runner = CliRunner()


@pytest.fixture
def tiny_bank(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The CLI sees only the tiny problem, a fixed course secret, a fake code runner."""
    import service.app.bank as bank
    import service.app.runner as runner_module

    monkeypatch.setattr(bank, "_default_loader", lambda: {TINY.id: TINY})
    monkeypatch.setattr(runner_module, "_sandbox_factory", lambda _n: FakeRunner())
    monkeypatch.setenv("GRADER_COURSE_SECRET", "cli-secret")
    monkeypatch.setenv("GRADER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GRADER_DATABASE_URL", raising=False)
    return tmp_path


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_problems_and_show(tiny_bank: Path) -> None:
    r = runner.invoke(cli.app, ["problems", "--json"])
    assert r.exit_code == 0
    assert [p["id"] for p in json.loads(r.stdout)] == ["tiny-sum"]
    r = runner.invoke(cli.app, ["show", "tiny-sum", "--student", "zoe", "--json"])
    params = make_variant(TINY, "zoe", b"cli-secret").params
    assert json.loads(r.stdout)["statement"] == f"Let a = {params['a']} and b = {params['b']}."
    r = runner.invoke(cli.app, ["show", "tiny-sum"])
    assert r.exit_code == 0 and "Let a = 2 and b = 3." in r.stdout


def test_grade_answers_file_with_code_synchronously(tiny_bank: Path) -> None:
    params = make_variant(TINY, "zoe", b"cli-secret").params
    answers = {"sum": params["a"] + params["b"], "prod": 0, "code": "def square(x): return x*x"}
    path = _write(tiny_bank / "a.json", answers)
    r = runner.invoke(
        cli.app, ["grade", "tiny-sum", "--answers", str(path), "--student", "zoe", "--json"]
    )
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["status"] == "graded" and report["score"] == 4 and report["max_score"] == 6
    statuses = {p["part_id"]: p["status"] for p in report["parts"]}
    assert statuses == {
        "sum": "correct",
        "prod": "incorrect",
        "essay": "ungraded",
        "code": "correct",
    }
    wrapped = _write(tiny_bank / "b.json", {"problem_id": "tiny-sum", "answers": {"sum": "x"}})
    r = runner.invoke(cli.app, ["grade", "tiny-sum", "--answers", str(wrapped)])
    assert r.exit_code == 0 and "invalid" in r.stdout


@pytest.mark.parametrize(
    ("args", "content"),
    [
        (["grade", "tiny-sum", "--answers", "{dir}/missing.json"], None),
        (["grade", "tiny-sum", "--answers", "{dir}/bad.json"], "{not json"),
        (["grade", "tiny-sum", "--answers", "{dir}/bad.json"], "[1, 2]"),
        (["grade", "tiny-sum", "--answers", "{dir}/bad.json"], '{"nope": 1}'),
        (["grade", "no-such", "--answers", "{dir}/bad.json"], "{}"),
        (["grade", "tiny-sum"], None),
        (["grade", "tiny-sum", "--notebook", "{dir}/bad.ipynb"], "not a notebook"),
        (["show", "no-such"], None),
    ],
)
def test_unusable_input_exits_2(tiny_bank: Path, args: list[str], content: str | None) -> None:
    if content is not None:
        (tiny_bank / "bad.json").write_text(content)
        (tiny_bank / "bad.ipynb").write_text(content)
    r = runner.invoke(cli.app, [a.replace("{dir}", str(tiny_bank)) for a in args])
    assert r.exit_code == 2, r.output
    assert "error:" in r.stderr


def test_cli_persists_a_generated_course_secret(
    tiny_bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRADER_COURSE_SECRET")
    runs = [
        runner.invoke(cli.app, ["show", "tiny-sum", "--student", "zoe", "--json"]) for _ in range(2)
    ]
    assert runs[0].exit_code == 0, runs[0].output
    assert json.loads(runs[0].stdout)["statement"] == json.loads(runs[1].stdout)["statement"]
    assert (tiny_bank / "data" / "grader.db").exists()


def test_real_bank_grade_disc1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_COURSE_SECRET", "cli-secret")
    answers = {"a.i": "2/N*sum(theta - y)", "a.ii": "mean(y)", "b.i": "9**9**9**9"}
    path = _write(tmp_path / "a.json", answers)
    r = runner.invoke(cli.app, ["grade", "disc1-gd-mechanics", "--answers", str(path), "--json"])
    assert r.exit_code == 0, r.output
    parts = {p["part_id"]: p for p in json.loads(r.stdout)["parts"]}
    assert parts["a.i"]["status"] == "correct" and parts["a.ii"]["status"] == "correct"
    assert parts["b.i"]["status"] == "invalid"
    assert parts["b.vi"]["status"] == "incorrect"  # left out


def test_gradescope_results_match_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADER_COURSE_SECRET", "cli-secret")
    answers = _write(tmp_path / "a.json", {"a.i": "2/N*sum(theta - y)", "a.ii": "median(y)"})
    out = tmp_path / "results.json"
    args = ["grade", "disc1-gd-mechanics", "--answers", str(answers), "--student", "s1"]
    r = runner.invoke(cli.app, [*args, "--json", "--gradescope", str(out)])
    assert r.exit_code == 0, r.output
    report, results = json.loads(r.stdout), json.loads(out.read_text())
    assert results["score"] == report["score"] == 1.0
    tests = {t["number"]: t for t in results["tests"]}
    assert set(tests) == {p["part_id"] for p in report["parts"]}
    assert tests["a.i"]["status"] == "passed" and tests["a.i"]["max_score"] == 1.0
    assert tests["a.ii"]["status"] == "failed" and "[invalid]" in tests["a.ii"]["output"]
    assert results["execution_time"] >= 0


def test_notebook_grading_charges_only_code_and_text_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADER_COURSE_SECRET", "cli-secret")
    monkeypatch.setenv("GRADER_DATA_DIR", str(tmp_path / "data"))
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks" / "optim.py"
    r = runner.invoke(
        cli.app, ["grade", "hw2-optimizers-init", "--notebook", str(fixture), "--json"]
    )
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert {p["part_id"] for p in report["parts"]} == {"a", "b", "c", "d", "e"}  # no d.std
    assert report["kind"] == "notebook"


def test_course_secret_command_prints_the_persisted_secret(
    tiny_bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRADER_COURSE_SECRET")
    first = runner.invoke(cli.app, ["course-secret"])
    second = runner.invoke(cli.app, ["course-secret"])
    assert first.exit_code == 0 and len(first.stdout.strip()) == 64
    assert first.stdout == second.stdout  # generated once, then read back
    monkeypatch.setenv("GRADER_COURSE_SECRET", first.stdout.strip())
    shown = runner.invoke(cli.app, ["show", TINY.id, "--student", "s9", "--json"])
    monkeypatch.delenv("GRADER_COURSE_SECRET")
    stored = runner.invoke(cli.app, ["show", TINY.id, "--student", "s9", "--json"])
    assert json.loads(shown.stdout)["statement"] == json.loads(stored.stdout)["statement"]
