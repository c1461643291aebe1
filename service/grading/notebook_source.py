"""Static reading of notebook code cells: IPython lines dropped, top-level statements parsed one
by one (a cell that only partly parses keeps its good statements), and what each statement binds
and reads, from Python's own scope analysis (``symtable``). Nothing here executes student code."""

from __future__ import annotations

import ast
import re
import symtable
from dataclasses import dataclass

# These run on student text: runs that could trade characters with a neighbour are possessive
# (``*+``) and nothing spans lines, so matching stays linear (no ReDoS).
# IPython syntax that is not Python: shell escapes, line magics, `x = !cmd`, `obj?` help.
_SHELL_OR_MAGIC = re.compile(r"\s*+(?:!|%(?!%)|[A-Za-z_][\w.]*+\s*+=\s*+[!%])")
_HELP = re.compile(r"\s*+(?:\?{1,2}+[A-Za-z_][\w.]*+|[A-Za-z_][\w.]*+\?{1,2}+)\s*+")
# Cell magics whose body is still Python; any other `%%magic` makes the whole cell non-Python.
_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug"}
_WRITEFILE = re.compile(r"\s*+%%writefile\s++(?:-a\s++)?(\S+)\.py\s*+")
_CONTINUATION = re.compile(r"^(?:else\b|elif\b|except\b|finally\b|[)\]}])")
# Names a line that does not parse seems to bind: `def f`, `class C`, `a, b = ...`, `x: int = ...`.
_BROKEN_DEF = re.compile(
    r"^(?:(?:async[ \t]++def|def|class)[ \t]++([A-Za-z_]\w*+)"
    r"|([A-Za-z_]\w*+(?:[ \t]*+,[ \t]*+[A-Za-z_]\w*+)*+)[ \t]*+,?+[ \t]*+(?::[^=\n]*+)?=(?!=))",
    re.MULTILINE,
)
_SCOPED_EXPRESSIONS = {"listcomp", "setcomp", "dictcomp", "genexpr"}
_MAX_CHUNKS = 300
_MERGE_WINDOW = 40  # a statement spans at most this many top-level-looking pieces


@dataclass(frozen=True, slots=True)
class Statement:
    """One top-level statement of a code cell (``node`` is None when its text does not parse).

    ``defines``: names it (re)binds completely; ``augments``: names it only modifies (``x += 1``,
    ``x.attr = v``, ``x[i] = v``); ``uses_now``: names read when it runs; ``uses_later``: globals
    read inside the function, lambda or class bodies it creates (looked up at call time).
    """

    order: int
    cell: int
    node: ast.stmt | None
    text: str
    defines: frozenset[str]
    augments: frozenset[str] = frozenset()
    uses_now: frozenset[str] = frozenset()
    uses_later: frozenset[str] = frozenset()

    @property
    def broken(self) -> bool:
        """True when this piece of the cell is not valid Python (e.g. a TODO left as `?`)."""
        return self.node is None


def clean_ipython(source: str) -> str:
    """Replace IPython-only lines (`!cmd`, `%magic`, `obj?`) with `pass`, keeping line numbers."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split(maxsplit=1)
        python_body = bool(magic) and magic[0] in _PYTHON_CELL_MAGICS
        if not python_body and writefile_module(source) is None:
            return ""
        lines[0] = ""
    out: list[str] = []
    continued = False
    for line in lines:
        if continued or _SHELL_OR_MAGIC.match(line) or _HELP.fullmatch(line):
            indent = line[: len(line) - len(line.lstrip())]
            out.append("" if continued else indent + "pass")
            continued = line.rstrip().endswith("\\")
            continue
        out.append(line)
    return "\n".join(out)


def writefile_module(source: str) -> str | None:
    """The module a ``%%writefile name.py`` cell writes (its body is then Python), else None."""
    first = source.lstrip("\n").split("\n", 1)[0]
    match = _WRITEFILE.fullmatch(first)
    return match.group(1).replace("/", ".") if match else None


def _chunks(source: str) -> list[str]:
    """Split cell text into top-level pieces, each starting at an unindented statement line."""
    chunks: list[list[str]] = []
    previous = ""
    for line in source.splitlines():
        starts = (
            bool(line)
            and not line[0].isspace()
            and not line.startswith("#")
            and not _CONTINUATION.match(line)
            and not previous.rstrip().endswith("\\")
            and not previous.startswith("@")
        )
        if starts or not chunks:
            chunks.append([])
        chunks[-1].append(line)
        if line.strip() and not line.lstrip().startswith("#"):
            previous = line
    return ["\n".join(c) for c in chunks]


def _try_parse(text: str) -> list[tuple[ast.stmt | None, str]] | None:
    """Statements with their normalised text; None if the text does not parse (or nests too
    deeply for the parser, which raises RecursionError on hostile input)."""
    try:
        return [(node, ast.unparse(node)) for node in ast.parse(text).body]
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def parse_cell(source: str) -> list[tuple[ast.stmt | None, str]]:
    """Top-level statements of a cell; pieces that do not parse come back as (None, text)."""
    cleaned = clean_ipython(source)
    body = _try_parse(cleaned)
    if body is not None:
        return body
    pieces = _chunks(cleaned)
    if len(pieces) > _MAX_CHUNKS:
        return [(None, cleaned)]
    result: list[tuple[ast.stmt | None, str]] = []
    i = 0
    while i < len(pieces):
        for j in range(i + 1, min(len(pieces), i + _MERGE_WINDOW) + 1):
            parsed = _try_parse("\n".join(pieces[i:j]))
            if parsed is not None:
                result.extend(parsed)
                i = j
                break
        else:
            if pieces[i].strip():
                result.append((None, pieces[i]))
            i += 1
    return result


def _walk_tables(table: symtable.SymbolTable, now: set[str], later: set[str]) -> None:
    for child in table.get_children():
        deferred = child.get_name() not in _SCOPED_EXPRESSIONS
        for sym in child.get_symbols():
            if sym.is_global() and sym.is_referenced():
                (later if deferred else now).add(sym.get_name())
        _walk_tables(child, now, later)


def _augmented(node: ast.stmt) -> set[str]:
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    names: set[str] = set()
    for target in targets:
        if isinstance(node, ast.AugAssign) and isinstance(target, ast.Name):
            names.add(target.id)
        base = target
        while isinstance(base, ast.Attribute | ast.Subscript):
            base = base.value
        if base is not target and isinstance(base, ast.Name):
            names.add(base.id)
    return names


def analyse(order: int, cell: int, node: ast.stmt | None, text: str) -> Statement:
    """Bindings and reads of one statement, from ``symtable`` (static; nothing is executed)."""
    if node is None:
        names = {m.group(1) or m.group(2) for m in _BROKEN_DEF.finditer(text)}
        flat = {n.strip() for group in names for n in group.split(",") if n.strip()}
        return Statement(order, cell, None, text, frozenset(flat))
    try:
        table = symtable.symtable(text, f"<cell {cell}>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return Statement(order, cell, None, text, frozenset())
    augments = _augmented(node)
    defines: set[str] = set()
    now: set[str] = set()
    later: set[str] = set()
    for sym in table.get_symbols():
        name = sym.get_name()
        if (sym.is_assigned() or sym.is_imported()) and name not in augments:
            defines.add(name)
        if sym.is_referenced():
            now.add(name)
    _walk_tables(table, now, later)
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        now.add(node.target.id)
    return Statement(
        order, cell, node, text, frozenset(defines), frozenset(augments),
        frozenset(now), frozenset(later),
    )
