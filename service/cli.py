"""The ``grader`` command: list and show problems, grade answers or notebooks, serve the API."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from service.app.errors import AppError
from service.settings import Settings, load_settings

app = typer.Typer(help="Homework grader of the deep-learning course.", no_args_is_help=True)

EXIT_UNUSABLE = 2


def _settings() -> Settings:
    return load_settings()


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_UNUSABLE)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@app.command()
def problems(as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False) -> None:
    """List the problems of the bank."""
    from service.app.bank import ProblemBank
    from service.app.problems_view import summaries

    rows = summaries(ProblemBank())
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        parts = ", ".join(p["id"] for p in row["parts"])
        typer.echo(f"{row['id']:<28} {row['max_score']:>5g} pts  {row['title']}  [{parts}]")


@app.command()
def show(
    problem_id: str,
    student: Annotated[str | None, typer.Option("--student", help="student id")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """Show a student's variant of a problem (the base variant without --student)."""
    from service.app.bank import ProblemBank
    from service.app.grading import PartGrader
    from service.app.offline import secret_for
    from service.app.problems_view import statement

    bank = ProblemBank()
    try:
        grader = PartGrader(secret_for(_settings(), student), cache_size=0)
        view = statement(bank, grader, problem_id, student)
    except AppError as exc:
        raise _fail(exc.detail) from None
    if as_json:
        _print_json(view)
        return
    typer.echo(f"# {view['title']}  ({view['id']}, {view['source']})\n")
    typer.echo(view["statement"])
    for part in view["parts"]:
        typer.echo(f"\n## Part {part['id']} ({part['points']:g} pts, {part['kind']})")
        typer.echo(part["prompt"])
        typer.echo(f"Answer: {part['answer_format']}")


def _load_answers(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {path}: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise _fail(f"{path} is not valid JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("answers"), dict):
        data = data["answers"]  # a whole submission body is fine too
    if not isinstance(data, dict):
        raise _fail(f"{path} must hold a JSON object {{part_id: answer}}")
    return data


@app.command()
def grade(
    problem_id: str,
    answers: Annotated[Path | None, typer.Option("--answers", help="JSON {part: answer}")] = None,
    notebook: Annotated[Path | None, typer.Option("--notebook", help=".ipynb file")] = None,
    student: Annotated[str | None, typer.Option("--student", help="student id")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON report")] = False,
    gradescope: Annotated[
        Path | None, typer.Option("--gradescope", help="also write Gradescope results.json here")
    ] = None,
) -> None:
    """Grade answers or a notebook now; exit 0 with a report, 2 on unusable input."""
    from service.app import offline

    started = time.perf_counter()
    if (answers is None) == (notebook is None):
        raise _fail("give exactly one of --answers FILE.json or --notebook FILE.ipynb")
    settings = _settings()
    try:
        if answers is not None:
            data = _load_answers(answers)
        else:
            assert notebook is not None
            try:
                raw = notebook.read_bytes()
            except OSError as exc:
                raise _fail(f"cannot read {notebook}: {exc}") from None
            data = offline.notebook_to_answers(settings, problem_id, raw, notebook.name)
        kind = "json" if notebook is None else "notebook"
        report = offline.grade_answers(settings, problem_id, student, data, kind=kind)
    except AppError as exc:
        raise _fail(exc.detail) from None
    if gradescope is not None:
        _write_gradescope(gradescope, report, time.perf_counter() - started)
    if as_json:
        _print_json(report)
        return
    typer.echo(f"{report['problem_id']}  student={report['student_id'] or '(base variant)'}")
    for part in report["parts"]:
        typer.echo(
            f"  {part['part_id']:<16} {part['score']:>6g}/{part['max_score']:<4g} "
            f"{part['status']:<10} {part['feedback']}"
        )
    typer.echo(f"  total {report['score']:g}/{report['max_score']:g}")


def _write_gradescope(path: Path, report: dict[str, Any], seconds: float) -> None:
    from service.grading.gradescope import to_gradescope

    try:
        path.write_text(json.dumps(to_gradescope(report, execution_time_s=seconds), indent=2))
    except OSError as exc:
        raise _fail(f"cannot write {path}: {exc}") from None


@app.command()
def token(student_id: str) -> None:
    """Issue a bearer token for a student (printed once, stored hashed)."""
    from service.app.auth import issue_student_token
    from service.app.context import open_database

    db = open_database(_settings())
    try:
        typer.echo(issue_student_token(db, student_id, "cli"))
    except AppError as exc:
        raise _fail(exc.detail) from None
    finally:
        db.dispose()


@app.command("course-secret")
def course_secret_command() -> None:
    """Print the course secret the variants derive from (to configure Gradescope or a 2nd host)."""
    from service.app.offline import secret_for

    typer.echo(secret_for(_settings(), "any-student").decode())


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host")] = None,
    port: Annotated[int | None, typer.Option("--port")] = None,
) -> None:
    """Run the HTTP API (migrates the database, starts the grading workers)."""
    import uvicorn

    from service.api.main import create_app

    settings = _settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
        access_log=False,
    )


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
