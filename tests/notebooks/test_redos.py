"""Hostile lines (50-100 KB of spaces, '#', '>', punctuation) are read in linear time.

Every case runs under a generous deadline (a runaway regex is interrupted and fails the test)
and asserts what was read. The rewritten regexes are also checked against the previous
definitions on short random lines, where those are fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

import nbformat
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat import v4

from service.grading.model import Part, Problem
from service.grading.notebook import answers_from_upload, parse_upload
from service.grading.notebook_extract import _PART_HEADING, MAX_HEADING_CHARS, heading_stack
from service.grading.notebook_source import _HELP, _SHELL_OR_MAGIC, analyse, writefile_module
from service.grading.notebook_text import (
    _MARKER,
    _PLACEHOLDER,
    MarkdownCell,
    _answer_in,
    _is_placeholder,
    part_label_pattern,
    text_answer,
)
from tests.grading.deadline import deadline

N = 80_000

# The definitions these replaced: polynomial on long lines, trusted on short ones.
OLD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
OLD_MARKER = re.compile(
    r"^[ \t>]*[*_]{0,2}\s*(?:your\s+)?answers?\s*[*_]{0,2}\s*:\s*[*_]{0,2}", re.I
)
OLD_PLACEHOLDER = re.compile(
    r"^\W*(?:your\s+answer(?:\s+here)?|todo|write\s+your\s+answer\s+here|\.\.\.)?\W*$", re.I
)
OLD_PART_HEADING = re.compile(r"^\W*(?:part\s+|question\s+\d*\s*)?\(?[a-z](?:\.[ivx]+)?\)", re.I)


def test_heading_with_a_long_run_of_spaces() -> None:
    with deadline():
        stack = heading_stack((), "# a" + " " * N + "x")
        assert stack == ((1, ("a" + " " * N + "x")[:MAX_HEADING_CHARS]),)
        assert _PART_HEADING.match("question" + " " * N + "(e)") is not None
        assert _PART_HEADING.match("question" + " " * N + "x") is None
        assert heading_stack((), "##  title " + " " * N + "#" * N) == ((2, "title"),)


def test_lines_of_hashes() -> None:
    with deadline():
        assert heading_stack(((1, "kept"),), "#" * N) == ((1, "kept"),)  # 7+ '#': no heading
        assert heading_stack((), "# " + "#" * N) == ((1, ""),)
        assert heading_stack((), "# " + "# " * (N // 2) + "x")[0][1].startswith("# # #")
        assert _answer_in("#" * N + " answer") is None
        assert _answer_in("### Answer" + "#" * N + "\nmine") == "mine"


def test_quoted_and_marker_lines() -> None:
    with deadline():
        assert _answer_in(">" * N + "**Answer:** yes") == "yes"
        assert _answer_in("> " * (N // 2) + "x") is None
        assert _answer_in("**Answer" + " " * N + "x") is None  # no colon
        assert _answer_in("**Answer" + " " * N + ": ok") == "ok"
        assert _answer_in(" " * N + "\n" * N + "Answer: late") == "late"


def test_punctuation_lines() -> None:
    with deadline():
        assert _is_placeholder("!?" * N)
        assert _is_placeholder("*" * N + "Your answer here" + "*" * N)
        assert not _is_placeholder("!" * N + "x")
        assert part_label_pattern("e").search("!" * N + "(e) loss") is not None
        assert part_label_pattern("e").search("(" * N + "x") is None
        cells = [MarkdownCell(0, "**Answer:** " + "-" * N + " because", ("(e) why",))]
        got = text_answer(cells, part_label_pattern("e"))
        assert got is not None and got.endswith(" because")


def test_code_lines() -> None:
    with deadline():
        assert analyse(0, 0, None, "a" + " " * N + "= ?").defines == {"a"}
        assert analyse(0, 0, None, "a" + " " * N + "x ?").defines == frozenset()
        assert analyse(0, 0, None, "a:\n" * (N // 3)).defines == frozenset()
        names = analyse(0, 0, None, "a" + ", b" * (N // 3) + " , = ?").defines
        assert names == {"a", "b"}
        assert analyse(0, 0, None, "def" + " " * N + "f(?").defines == {"f"}
        assert _HELP.fullmatch(" " * N + "x?") is not None
        assert _SHELL_OR_MAGIC.match("a" * N + " = !ls") is not None
        assert _SHELL_OR_MAGIC.match("a" * N + " " * N + "x") is None
        assert writefile_module("%%writefile " + "a" * N + ".py") == "a" * N
        assert writefile_module("%%writefile " + "a.py" * (N // 4) + " x") is None


@dataclass(frozen=True)
class _Stub:
    functions: tuple[str, ...]
    name: ClassVar[str] = "code"

    def check(self, answer: Any, expected: Any, ctx: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover
        return "stub"

    def public_spec(self) -> dict[str, Any]:  # pragma: no cover
        return {}


@dataclass(frozen=True)
class _Text(_Stub):
    functions: tuple[str, ...] = ()
    name: ClassVar[str] = "text"


def test_a_hostile_notebook_is_read_whole() -> None:
    shapes = [
        "# a" + " " * N + "x",
        "#" * N,
        ">" * N,
        "!*_:" * (N // 4),
        "**Answer" + " " * N,
        "> " * (N // 2),
        "# (a) " + "\t" * N,
    ]
    cells = [v4.new_markdown_cell(s) for s in shapes]
    cells += [v4.new_markdown_cell("**Answer:** the loss is convex")]
    cells += [v4.new_code_cell("def f(x):\n    return x  " + " " * N + "\n")]
    nb = v4.new_notebook(cells=cells)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    data = nbformat.writes(nb).encode()
    assert len(data) > 500_000
    problem = Problem(
        id="p", title="p", source="test", statement="",
        parts=(
            Part(id="a", kind=_Text(), points=1, prompt=""),
            Part(id="b", kind=_Stub(("f",)), points=1, prompt=""),
        ),
    )
    with deadline():
        answers = answers_from_upload(problem, parse_upload(data, "hw.ipynb"))
    assert answers["a"] == "the loss is convex"
    assert answers["b"] == "def f(x):\n    return x\n"


LINE = st.text(alphabet=" \t#>*_:!.()eaq0", max_size=40) | st.builds(
    "".join,
    st.lists(
        st.sampled_from(
            [" ", "\t", "#", "##", "> ", "**", "_", ":", "!", "(e)", "e)", "answer", "Answers",
             "your ", "question ", "part ", "2", "todo", "...", "Your answer here", "x", "C#"]
        ),
        max_size=10,
    ),
)


@settings(max_examples=300, deadline=None)
@given(LINE)
def test_rewritten_regexes_read_short_lines_as_before(line: str) -> None:
    old = OLD_HEADING.match(line)
    new = heading_stack((), line)
    assert new == (((len(old.group(1)), old.group(2)),) if old else ())
    old_marker, new_marker = OLD_MARKER.match(line), _MARKER.match(line)
    assert (old_marker and old_marker.end()) == (new_marker and new_marker.end())
    stripped = line.strip()
    assert bool(OLD_PLACEHOLDER.match(stripped)) == bool(_PLACEHOLDER.fullmatch(stripped))
    assert bool(OLD_PART_HEADING.match(line)) == bool(_PART_HEADING.match(line))
