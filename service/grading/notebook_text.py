"""Free-text answers written in a notebook's markdown cells (for manual grading)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Student text: every run that could trade characters with its neighbour is possessive (``*+``)
# and blanks stay on one line, so matching is linear in the cell's length (no ReDoS).
# "**Answer:** ...", "Answer: ...", "_Your answer:_ ..." (bold/italic markers optional).
_MARKER = re.compile(
    r"^[ \t>]*+[*_]{0,2}+[ \t]*+(?:your[ \t]++)?answers?[ \t]*+[*_]{0,2}+[ \t]*+:[ \t]*+[*_]{0,2}+",
    re.I | re.M,
)
_ANSWER_HEADING = re.compile(
    r"^[ \t]{0,3}+#{1,6}+[ \t]*+(?:your[ \t]++)?answers?\b.*$", re.I | re.M
)
_PLACEHOLDER = re.compile(
    r"\W*+(?:your\s++answer(?:\s++here)?|todo|write\s++your\s++answer\s++here)?\W*+", re.I
)


@dataclass(frozen=True, slots=True)
class MarkdownCell:
    """A markdown cell with the headings it sits under (outermost first)."""

    index: int
    source: str
    headings: tuple[str, ...] = ()


def _answer_in(cell: str) -> str | None:
    """The text after an answer marker or an ``### Answer`` heading, if the cell has one."""
    for rx in (_MARKER, _ANSWER_HEADING):
        match = rx.search(cell)
        if match:
            return cell[match.end():].strip()
    return None


def _is_placeholder(text: str) -> bool:
    return not text.strip() or bool(_PLACEHOLDER.fullmatch(text.strip()))


def part_label_pattern(part_id: str) -> re.Pattern[str]:
    """Heading pattern for a part: ``(c)``, ``c)``, ``Part c`` or ``Question c`` at its start."""
    label = re.escape(part_id.split(".")[0])
    return re.compile(rf"^\W*+(?:part\s++|question\s++|problem\s++)?\(?{label}\)(?:\W|$)", re.I)


def text_answer(
    cells: Sequence[MarkdownCell],
    section: re.Pattern[str],
    *,
    only_text_part: bool = False,
) -> str | None:
    """The student's markdown answer under a heading matching ``section``, or None.

    Answers are marked by ``**Answer:**`` (or an ``### Answer`` heading) with the starter's
    placeholder replaced. When the problem has a single text part and no heading matches, a lone
    marked answer anywhere in the notebook is taken.
    """
    in_section = [c for c in cells if any(section.search(h) for h in c.headings)]
    pool = in_section or (list(cells) if only_text_part else [])
    answers = [a for a in (_answer_in(c.source) for c in pool) if a is not None]
    if not in_section and len(answers) != 1:
        return None
    texts = [a for a in answers if not _is_placeholder(a)]
    return "\n\n".join(texts) if texts else None
