"""parse_upload: what is accepted, and what is rejected with which message."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat import v3, v4

from service.grading.notebook import NotebookRejected, parse_upload

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


def _notebook(*cells: nbformat.NotebookNode) -> bytes:
    nb = v4.new_notebook(cells=list(cells))
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    return nbformat.writes(nb).encode()


def _rejected(data: bytes, filename: str = "hw.ipynb", status: int = 400, **kwargs: int) -> str:
    with pytest.raises(NotebookRejected) as info:
        parse_upload(data, filename, **kwargs)
    assert info.value.status == status
    return str(info.value)


def test_too_large_is_rejected_before_parsing() -> None:
    message = _rejected(b"x" * 2000, "hw.txt", status=413, max_bytes=1000)
    assert "limit" in message and "Clear the outputs" in message
    assert parse_upload(b"x = 1", "a.py", max_bytes=5).cells[0].source == "x = 1"  # at the limit
    _rejected(b"x = 1", "a.py", status=413, max_bytes=4)


def test_not_utf8_is_rejected() -> None:
    message = _rejected('{"cells": "é"}'.encode("latin-1"))
    assert "not UTF-8" in message


def test_corrupt_json_is_rejected() -> None:
    good = (FIXTURES / "color_organ_complete.ipynb").read_bytes()
    message = _rejected(good[: len(good) // 2])
    assert "not valid notebook JSON" in message


def test_json_that_is_not_a_notebook_is_rejected() -> None:
    message = _rejected(json.dumps({"answers": {"a": 1}}).encode())
    assert "not a Jupyter notebook" in message


def test_nbformat_3_asks_to_convert_to_v4() -> None:
    nb = v3.new_notebook(worksheets=[v3.new_worksheet(cells=[v3.new_code_cell("x = 1")])])
    message = _rejected(nbformat.writes(nb, version=3).encode())
    assert "format 3" in message and "v4" in message


def test_invalid_v4_notebook_is_rejected() -> None:
    data = json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": []}).encode()
    assert "not a valid notebook" in _rejected(data)


def test_notebook_without_code_cells_is_rejected() -> None:
    data = _notebook(v4.new_markdown_cell("# Only prose"), v4.new_code_cell("   "))
    assert "no code cells" in _rejected(data)


def test_other_extensions_and_empty_files_are_rejected() -> None:
    for name in ("answers.txt", "hw.ipynb.zip", "ipynb", "hw.", ""):
        assert "expected a Jupyter notebook (.ipynb) or a Python file (.py)" in _rejected(
            b"x = 1", name, status=415
        )
    assert parse_upload(b"x = 1", "dir/HW.PY").filename == "HW.PY"  # suffix case-insensitive
    assert "is empty" in _rejected(b"  \n", "optim.py")


def test_py_file_becomes_one_code_cell() -> None:
    data = (FIXTURES / "optim.py").read_bytes()
    upload = parse_upload(data, "deeplearning/optim.py")
    assert upload.kind == "py" and upload.filename == "optim.py"
    assert len(upload.cells) == 1 and upload.cells[0].cell_type == "code"
    assert upload.cells[0].source == data.decode()


def test_notebook_cells_carry_their_headings() -> None:
    data = (FIXTURES / "color_organ_complete.ipynb").read_bytes()
    upload = parse_upload(data, "color_organ.ipynb")
    assert upload.kind == "ipynb" and upload.size == len(data)
    loss_cells = [c for c in upload.code_cells if c.source.startswith("def loss_fn")]
    assert [c.headings[-1][:3] for c in loss_cells] == ["(c)", "(e)", "(h)"]
    assert loss_cells[0].headings[0] == "Learning the Color Organ with PyTorch"


def test_utf8_bom_is_accepted() -> None:
    data = b"\xef\xbb\xbf" + _notebook(v4.new_code_cell("x = 1"))
    assert parse_upload(data, "hw.ipynb").code_cells[0].source == "x = 1"
