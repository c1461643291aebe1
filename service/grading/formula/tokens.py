"""Pre-tokenizer: Greek aliases, ``^`` as power, implicit multiplication, character whitelist.

It turns student notation into Python expression text that ``ast.parse`` understands; it never
executes anything. Characters outside the whitelist are rejected here, so strings, subscripts,
lambdas' colons, semicolons and the like never reach the parser.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Collection
from dataclasses import dataclass

from service.grading.formula.errors import invalid
from service.grading.formula.tree import CONSTANTS, FUNCTIONS

MAX_CHARS = 2000
MAX_TOKENS = 1000
MAX_PAREN_DEPTH = 60

GREEK: dict[str, str] = {
    "θ": "theta", "α": "alpha", "σ": "sigma", "η": "eta", "λ": "lam", "φ": "phi", "ϕ": "phi",
    "ε": "eps", "ϵ": "eps", "β": "beta", "γ": "gamma", "δ": "delta", "μ": "mu", "ω": "omega",
    "τ": "tau", "ρ": "rho", "Σ": "Sigma", "Γ": "Gamma", "π": "pi",
}
WORD_ALIASES: dict[str, str] = {"lambda": "lam", "epsilon": "eps"}
_SYMBOLS = {"−": "-", "–": "-", "×": "*", "·": "*", "⋅": "*", "÷": "/", "≤": "<=", "≥": ">="}
_SUPERSCRIPTS = {"²": "2", "³": "3"}

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<greek>[\u0370-\u03ff](?:_[A-Za-z0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|<=|>=|==|!=|[-+*/^@<>(),.])
  | (?P<sup>[²³])
  | (?P<symbol>[−–×·⋅÷≤≥])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    """One token: kind is number, name, op."""

    kind: str
    text: str


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, mapping aliases; InvalidAnswer on anything unexpected."""
    if len(text) > MAX_CHARS:
        raise invalid(f"The formula is {len(text)} characters long; the limit is {MAX_CHARS}.")
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            char = text[pos]
            hint = " (use == for equality)" if char == "=" else ""
            raise invalid(f"Unexpected character {char!r} at position {pos + 1}{hint}.")
        pos = match.end()
        kind = match.lastgroup or ""
        piece = match.group()
        if kind == "space":
            continue
        if kind == "greek":
            letter, _, sub = piece.partition("_")
            if letter not in GREEK:
                raise invalid(f"Unexpected character {letter!r} at position {match.start() + 1}.")
            tokens.append(Token("name", GREEK[letter] + (f"_{sub}" if sub else "")))
        elif kind == "name":
            tokens.append(Token("name", WORD_ALIASES.get(piece, piece)))
        elif kind == "sup":
            tokens += [Token("op", "**"), Token("number", _SUPERSCRIPTS[piece])]
        elif kind == "symbol":
            tokens.append(Token("op", _SYMBOLS[piece]))
        elif kind == "op":
            tokens.append(Token("op", "**" if piece == "^" else piece))
        else:
            tokens.append(Token(kind, piece))
        if len(tokens) > MAX_TOKENS:
            raise invalid(f"The formula has more than {MAX_TOKENS} tokens.")
    _check_parens(tokens)
    return tokens


def _check_parens(tokens: list[Token]) -> None:
    depth = 0
    for token in tokens:
        if token.text == "(":
            depth += 1
            if depth > MAX_PAREN_DEPTH:
                raise invalid(f"Parentheses are nested more than {MAX_PAREN_DEPTH} deep.")
        elif token.text == ")":
            depth -= 1
            if depth < 0:
                raise invalid("A ')' has no matching '('.")
    if depth > 0:
        raise invalid("A '(' is never closed.")


def _ends_operand(prev: Token, before: Token | None) -> bool:
    if prev.kind == "number" or prev.text == ")":
        return True
    if prev.kind != "name" or keyword.iskeyword(prev.text):
        return False
    # after "." the name is an attribute (x.T), which ends an operand too
    return (before is not None and before.text == ".") or prev.text not in FUNCTIONS


def _starts_operand(token: Token) -> bool:
    if token.kind == "number" or token.text == "(":
        return True
    return token.kind == "name" and not keyword.iskeyword(token.text)


def insert_products(tokens: list[Token], names: Collection[str]) -> list[Token]:
    """Insert ``*`` for implicit multiplication: ``2x``, ``2(a+b)``, ``(a)(b)``, ``x y``."""
    out: list[Token] = []
    for token in tokens:
        if out and _starts_operand(token):
            prev = out[-1]
            before = out[-2] if len(out) > 1 else None
            if _ends_operand(prev, before) and not (prev.kind == token.kind == "number"):
                callable_name = prev.kind == "name" and prev.text not in names and (
                    prev.text not in CONSTANTS
                )
                after_dot = before is not None and before.text == "."
                if not (token.text == "(" and callable_name and not after_dot):
                    out.append(Token("op", "*"))
        out.append(token)
    return out


def to_python(text: str, names: Collection[str]) -> str:
    """Python expression text for ``text`` (tokens joined by spaces)."""
    return " ".join(t.text for t in insert_products(tokenize(text), names))
