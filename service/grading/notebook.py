"""Notebook and .py submissions: validate the upload, then extract each part's answer statically.

``parse_upload`` turns bytes into cells (nbformat v4 notebooks, or a .py file as one code cell);
``answers_from_upload`` maps a problem's code parts to self-contained sources (the graded names and
what they depend on, nothing else) and its text parts to the student's markdown answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import nbformat
from nbformat.validator import ValidationError

from service.grading.kinds.code import MAX_NOTE_CHARS, MAX_NOTES
from service.grading.model import Part, Problem
from service.grading.notebook_extract import CodeCell, Extraction, Extractor, heading_stack
from service.grading.notebook_text import MarkdownCell, part_label_pattern, text_answer

MAX_UPLOAD_BYTES = 5_000_000  # default only: the service passes its setting as ``max_bytes``


class NotebookRejected(ValueError):
    """The upload is not a usable notebook or Python file; the message is shown to the user.

    ``status`` is the HTTP status it deserves: 413 too large, 415 not .ipynb/.py, 400 otherwise.
    """

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: its position, type, source and the markdown headings it sits under."""

    index: int
    cell_type: Literal["code", "markdown"]
    source: str
    headings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Upload:
    """A validated submission file: code and markdown cells in order."""

    filename: str
    kind: Literal["ipynb", "py"]
    cells: tuple[Cell, ...]
    size: int = 0

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        """Only the code cells."""
        return tuple(c for c in self.cells if c.cell_type == "code")


def _decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotebookRejected(
            f"{filename} is not UTF-8 text (byte {exc.start} is invalid); "
            "upload the .ipynb or .py file itself, saved as UTF-8."
        ) from None


def _notebook_cells(text: str, filename: str) -> tuple[Cell, ...]:
    try:
        nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    except ValidationError as exc:
        raise NotebookRejected(f"{filename} is not a valid notebook: {exc.message}") from None
    except Exception as exc:  # nbformat raises NotJSONError, ValueError, KeyError... on junk
        raise NotebookRejected(
            f"{filename} is not a Jupyter notebook: its content is not valid notebook JSON "
            f"({type(exc).__name__}). Download it again with File > Download > .ipynb."
        ) from None
    major = nb.get("nbformat") if isinstance(nb, dict) else None
    if not isinstance(major, int):
        raise NotebookRejected(
            f"{filename} is JSON but not a Jupyter notebook (it has no 'nbformat' version)."
        )
    if major != 4:
        raise NotebookRejected(
            f"{filename} is in notebook format {major}; only format 4 is accepted. "
            "Convert it to v4 (open and save it in Jupyter or Colab, or run "
            "`jupyter nbconvert --to notebook --nbformat 4`)."
        )
    try:
        nbformat.validate(nb)
    except ValidationError as exc:
        raise NotebookRejected(
            f"{filename} is not a valid notebook (format 4): {exc.message}"
        ) from None
    cells: list[Cell] = []
    stack: tuple[tuple[int, str], ...] = ()
    for index, cell in enumerate(nb.cells):
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        if cell.cell_type == "markdown":
            stack = heading_stack(stack, source)
            cells.append(Cell(index, "markdown", source, tuple(h for _, h in stack)))
        elif cell.cell_type == "code":
            cells.append(Cell(index, "code", source, tuple(h for _, h in stack)))
    return tuple(cells)


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def parse_upload(data: bytes, filename: str, max_bytes: int = MAX_UPLOAD_BYTES) -> Upload:
    """Validate an uploaded .ipynb (nbformat 4) or .py file; NotebookRejected says what is wrong."""
    name = filename.rsplit("/", 1)[-1] or "upload"
    if len(data) > max_bytes:
        raise NotebookRejected(
            f"{name} is {_size(len(data))}; the limit is {_size(max_bytes)}. "
            "Clear the outputs (Edit > Clear all outputs) and upload again.",
            status=413,
        )
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in ("ipynb", "py"):
        raise NotebookRejected(
            f"{name}: expected a Jupyter notebook (.ipynb) or a Python file (.py).",
            status=415,
        )
    if not data.strip():
        raise NotebookRejected(f"{name} is empty.")
    text = _decode(data, name)
    if suffix == "py":
        return Upload(name, "py", (Cell(0, "code", text),), len(data))
    cells = _notebook_cells(text, name)
    if not any(c.cell_type == "code" and c.source.strip() for c in cells):
        raise NotebookRejected(f"{name} has no code cells with code in them.")
    return Upload(name, "ipynb", cells, len(data))


def _code_names(part: Part) -> tuple[str, ...]:
    return tuple(getattr(part.kind, "functions", ()) or ())


def _extractor(upload: Upload) -> Extractor:
    return Extractor([CodeCell(c.index, c.source, c.headings) for c in upload.code_cells])


def extract_parts(problem: Problem, upload: Upload) -> dict[str, Extraction]:
    """Per code part, the extraction (source, names found/missing/broken, notes for feedback)."""
    extractor = _extractor(upload)
    out: dict[str, Extraction] = {}
    for part in problem.parts:
        names = _code_names(part)
        if part.kind.name == "code" and names:
            out[part.id] = extractor.extract(names, part.notebook_section)
    return out


def _text_answers(problem: Problem, upload: Upload) -> dict[str, str]:
    text_parts = [p for p in problem.parts if p.kind.name == "text"]
    markdown = [
        MarkdownCell(c.index, c.source, c.headings)
        for c in upload.cells
        if c.cell_type == "markdown"
    ]
    answers: dict[str, str] = {}
    for part in text_parts:
        pattern = part.notebook_section
        section = re.compile(pattern, re.I) if pattern else part_label_pattern(part.id)
        answer = text_answer(markdown, section, only_text_part=len(text_parts) == 1)
        if answer is not None:
            answers[part.id] = answer
    return answers


def _code_answer(ex: Extraction) -> str | dict[str, Any]:
    """The source alone, or ``{"source", "notes"}`` when the reading has something to say."""
    notes = [n[:MAX_NOTE_CHARS] for n in dict.fromkeys(ex.notes)]
    if len(notes) > MAX_NOTES:
        notes = [*notes[: MAX_NOTES - 1], f"... and {len(notes) - MAX_NOTES + 1} more."]
    if not notes and ex.source is not None:
        return ex.source
    return {"source": ex.source, "notes": notes}


def answers_from_upload(problem: Problem, upload: Upload) -> dict[str, Any]:
    """{part_id: answer} for the parts the upload says anything about.

    Code parts: the extracted source, or ``{"source": str | None, "notes": [str, ...]}`` when
    the reading left notes for the student (a name not found, a cell that does not parse...);
    the code kind shows them. Text parts: the student's markdown answer; unanswered omitted.
    """
    answers: dict[str, Any] = {
        part_id: _code_answer(ex)
        for part_id, ex in extract_parts(problem, upload).items()
        if ex.source is not None or ex.notes
    }
    answers.update(_text_answers(problem, upload))
    return answers
