"""Template placeholders and interval brackets are read in linear time on hostile text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.grading.formula.tokens import tokenize
from service.grading.kinds.base import InvalidAnswer
from service.grading.kinds.interval import _bracketed, parse_interval
from service.grading.render import render_template
from tests.grading.deadline import deadline

N = 80_000
OLD_BRACKETS = re.compile(r"^\s*([\[(])(.*),(.*)([\])])\s*$", re.DOTALL)  # quadratic, replaced


def test_placeholders_are_still_rendered() -> None:
    assert render_template("{{ a:.3g  }} and {{b}} in $\\frac{1}{2}$", {"a": 1.23456, "b": 2}) == (
        "1.23 and 2 in $\\frac{1}{2}$"
    )
    assert render_template("{{a:}}|{{ a : }}", {"a": 0.5}) == "0.5|0.5"


def test_unclosed_placeholders_are_linear() -> None:
    with deadline():
        for text in ("{{a:" + " " * N, "{{a:" * (N // 4), "{{" + " " * N + "a" + " " * N):
            assert render_template(text, {"a": 1}) == text


def test_interval_brackets_are_linear() -> None:
    with deadline():
        assert _bracketed("[" + "," * N + "x") is None
        assert _bracketed("(" + "," * N + "]") == ("(", "," * (N - 1), "", "]")
        with pytest.raises(InvalidAnswer):
            parse_interval("[" + "0," * N + "1)", "x", frozenset({"x"}))
        with pytest.raises(InvalidAnswer):
            tokenize("1" * N)
    got = parse_interval(" (0, 1] ", "x", frozenset({"x"}))
    assert got.lower is not None and got.lower.strict and got.upper is not None
    assert not got.upper.strict


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\n[](),0x-", max_size=30))
def test_brackets_split_as_before(text: str) -> None:
    old = OLD_BRACKETS.match(text)
    assert _bracketed(text) == (old.groups() if old else None)
