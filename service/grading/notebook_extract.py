"""Extract a self-contained source for named functions from a notebook's code, statically.

For each needed name take its last definition (within a section when asked), then the dependency
closure over top-level statements: a def/class/assignment/import is kept when it binds a name a
kept statement reads. Plots, widgets, top-level loops and calls, and Colab-only imports are left
out. Nothing is executed.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from service.grading.notebook_source import Statement, analyse, parse_cell, writefile_module

# Imports that only make sense in Colab/Jupyter or only draw: never kept.
DROPPED_MODULES = (
    "google.colab", "torchviz", "graphviz", "ipywidgets", "IPython", "matplotlib",
    "mpl_toolkits", "seaborn", "plotly", "tqdm",
)
_BUILTINS = frozenset(dir(builtins))
# A heading that names a part: "(e) ...", "e) ...", "Part e", "Question 2(b)".
# Every quantifier that could hand characters to its neighbour is possessive (``*+``): these run on
# student text, and backtracking between overlapping runs is polynomial (ReDoS).
_PART_HEADING = re.compile(
    r"\W*+(?:part\s++|question\s++\d*+\s*+)?\(?[a-z](?:\.[ivx]++)?\)", re.I
)
# ATX heading line: up to 3 spaces, 1-6 '#', blanks, text (trailing '#'s are stripped in Python).
_HEADING = re.compile(r"[ \t]{0,3}+(#{1,6}+)[ \t]++(.*)")
MAX_HEADING_CHARS = 300  # headings are matched against problem patterns: keep them short
# tqdm only draws progress bars: a kept function may wrap its loop in it, so it becomes identity.
_TQDM_SHIM = "def tqdm(iterable=None, *args, **kwargs):\n    return iterable"


@dataclass(frozen=True, slots=True)
class CodeCell:
    """A code cell with its position and the markdown headings it sits under (outermost first)."""

    index: int
    source: str
    headings: tuple[str, ...] = ()


@dataclass(slots=True)
class Extraction:
    """Result for one set of names: the source (None when nothing usable) and notes for feedback."""

    source: str | None
    found: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    broken: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    kept: tuple[Statement, ...] = ()


def heading_stack(stack: tuple[tuple[int, str], ...], markdown: str) -> tuple[tuple[int, str], ...]:
    """Update the (level, text) heading stack with the headings of one markdown cell."""
    items = list(stack)
    for line in markdown.split("\n"):
        match = _HEADING.match(line)
        if match is None:
            continue
        level = len(match.group(1))
        while items and items[-1][0] >= level:
            items.pop()
        items.append((level, heading_text(match.group(2))))
    return tuple(items)


def heading_text(raw: str) -> str:
    """A heading's text without its closing ``#`` sequence, capped at MAX_HEADING_CHARS."""
    return raw.rstrip().rstrip("#").rstrip()[:MAX_HEADING_CHARS]


def _is_dropped_module(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in DROPPED_MODULES)


def _imports_dropped(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        return all(_is_dropped_module(a.name) for a in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and _is_dropped_module(node.module or "")
    return False


def _keepable(stmt: Statement) -> bool:
    """Only definitions are kept: no loops, bare calls/plots, `if __name__ == ...` script blocks."""
    node = stmt.node
    if node is None or isinstance(node, ast.Expr | ast.For | ast.AsyncFor | ast.While | ast.Pass):
        return False
    if isinstance(node, ast.If) and "__name__" in ast.unparse(node.test):
        return False
    return not _imports_dropped(node)


class _StripDrawing(ast.NodeTransformer):
    """Remove bare calls rooted at plotting/widget names (``plt.plot(...)``, ``display(x)``)."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def _root(self, expr: ast.expr) -> str | None:
        while isinstance(expr, ast.Call | ast.Attribute | ast.Subscript):
            expr = expr.func if isinstance(expr, ast.Call) else expr.value
        return expr.id if isinstance(expr, ast.Name) else None

    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if not isinstance(body, list) or not body or not isinstance(body[0], ast.stmt):
                continue
            kept = [
                s for s in body
                if not (isinstance(s, ast.Expr) and self._root(s.value) in self.names)
            ]
            if not kept and name == "body":
                kept = [ast.Pass()]
            setattr(node, name, kept)
        return node


def _imports_local(node: ast.stmt | None, modules: set[str]) -> bool:
    if isinstance(node, ast.Import):
        return all(a.name in modules for a in node.names)
    return isinstance(node, ast.ImportFrom) and (node.module or "") in modules


def statements_of(cells: Sequence[CodeCell]) -> list[Statement]:
    """Every top-level statement of the code cells, in notebook order.

    Imports from a module the notebook writes itself (``%%writefile helper.py``) bind nothing
    here: the written cell's own definitions are used instead.
    """
    local = {m for c in cells if (m := writefile_module(c.source)) is not None}
    for module in list(local):
        local.add(module.rsplit(".", 1)[-1])
    out: list[Statement] = []
    for cell in cells:
        for node, text in parse_cell(cell.source):
            stmt = analyse(len(out), cell.index, node, text)
            if _imports_local(node, local):
                stmt = Statement(stmt.order, stmt.cell, None, text, frozenset())
            out.append(stmt)
    return out


class Extractor:
    """Resolves names over a notebook's statements and emits self-contained sources."""

    def __init__(self, cells: Sequence[CodeCell]) -> None:
        self.cells = list(cells)
        self.statements = statements_of(self.cells)
        self.cell_headings = {c.index: c.headings for c in self.cells}
        self.section_end = self._section_ends()
        drawing: set[str] = set()
        for stmt in self.statements:
            if stmt.node is not None and _imports_dropped(stmt.node):
                drawing |= stmt.defines
        self.drawing = frozenset((drawing - {"tqdm"}) | {"display"})
        stripper = _StripDrawing(self.drawing)
        for i, stmt in enumerate(self.statements):
            if stmt.node is not None and stmt.uses_later & self.drawing:
                node = stripper.visit(ast.parse(stmt.text).body[0])
                self.statements[i] = analyse(stmt.order, stmt.cell, node, ast.unparse(node))

    def _section_ends(self) -> dict[int, int]:
        """For each cell, the position just after the last statement of its part section."""
        key_of = {
            c.index: next((h for h in c.headings if _PART_HEADING.match(h)), None)
            for c in self.cells
        }
        last: dict[str | None, int] = {}
        for stmt in self.statements:
            last[key_of[stmt.cell]] = stmt.order + 1
        total = len(self.statements)
        return {i: last[k] if k is not None else total for i, k in key_of.items() if k in last}

    def section_cells(self, pattern: str) -> set[int]:
        """Indices of code cells under a heading matching ``pattern`` (regex, case-insensitive)."""
        rx = re.compile(pattern, re.IGNORECASE)
        return {c.index for c in self.cells if any(rx.search(h) for h in c.headings)}

    def _resolve(self, name: str, before: int) -> list[Statement] | None:
        """The statements that give ``name`` its value just before position ``before``.

        The last complete definition plus later augmentations; [] if never bound, None if the last
        binding does not parse.
        """
        chain: list[Statement] = []
        for stmt in reversed(self.statements[:before]):
            if name in stmt.defines:
                if stmt.broken:
                    return None
                if not _keepable(stmt):
                    return []
                return [stmt, *chain]
            if name in stmt.augments and _keepable(stmt):
                chain.insert(0, stmt)
        return []

    def extract(self, names: Sequence[str], section: str | None = None) -> Extraction:
        """Self-contained source defining ``names`` (their last definitions, within ``section``)."""
        result = Extraction(source=None)
        allowed = set(self.cell_headings)
        end = len(self.statements)
        where = "in the upload"
        if section is not None:
            cells = self.section_cells(section)
            if cells:
                allowed, where = cells, "in this part's section"
                end = max((s.order + 1 for s in self.statements if s.cell in cells), default=0)
            else:
                result.notes.append(
                    f"No heading matching {section!r} was found; the last definitions in the "
                    "file were used."
                )
        kept: dict[int, Statement] = {}
        found, missing, broken = [], [], []
        for name in names:
            chain = self._resolve(name, end)
            if chain is None:
                broken.append(name)
                result.notes.append(f"{name!r} is defined in a cell that does not parse.")
            elif not chain or chain[0].cell not in allowed or _is_placeholder(chain[0]):
                missing.append(name)
                result.notes.append(
                    f"{name!r} is still the starter's placeholder (not answered)."
                    if chain and chain[0].cell in allowed
                    else f"{name!r} is not defined (by a def, class, import or assignment) {where}."
                )
            else:
                found.append(name)
                kept.update((s.order, s) for s in chain)
        if found:
            # Globals inside the graded functions are looked up when the student's notebook
            # calls them: at the end of the section that defines them.
            root = max(kept.values(), key=lambda s: s.order)
            end = min(end, self.section_end.get(root.cell, end)) if section is None else end
            self._close(kept, end, result.notes)
            result.source = self._emit(kept)
            result.kept = tuple(kept[k] for k in sorted(kept))
        result.found, result.missing, result.broken = tuple(found), tuple(missing), tuple(broken)
        return result

    def _close(self, kept: dict[int, Statement], end: int, notes: list[str]) -> None:
        """Add every statement the kept ones depend on (their reads resolved by position)."""
        todo = list(kept.values())
        reported: set[str] = set()
        while todo:
            stmt = todo.pop()
            reads = [(n, stmt.order) for n in stmt.uses_now]
            reads += [(n, max(end, stmt.order + 1)) for n in stmt.uses_later]
            for name, before in reads:
                if name in self.drawing:
                    if name not in reported:
                        reported.add(name)
                        notes.append(f"{name!r} (plotting/widgets) is not available when grading.")
                    continue
                chain = self._resolve(name, before)
                if chain == [] and stmt.order < end <= before < len(self.statements):
                    chain = self._resolve(name, len(self.statements))  # defined later only
                if not chain and name not in reported and name not in _BUILTINS | {"tqdm"}:
                    reported.add(name)
                    notes.append(
                        f"{name!r} is defined in a cell that does not parse." if chain is None
                        else f"{name!r} is not defined by a kept statement (top-level loops, calls "
                        "and plots are not run when grading)."
                    )
                for dep in chain or ():
                    if dep.order not in kept:
                        kept[dep.order] = dep
                        todo.append(dep)

    def _emit(self, kept: dict[int, Statement]) -> str:
        lines: list[str] = []
        uses_tqdm = False
        for order in sorted(kept):
            stmt = kept[order]
            uses_tqdm |= "tqdm" in stmt.uses_now | stmt.uses_later
            lines.append(stmt.text)
        if uses_tqdm and not any("tqdm" in kept[k].defines for k in kept):
            lines.insert(0, _TQDM_SHIM)
        return "\n\n".join(lines) + "\n"


def _is_stub_statement(node: ast.stmt) -> bool:
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True  # docstring or `...`
    if isinstance(node, ast.Return):
        return node.value is None or (
            isinstance(node.value, ast.Constant) and node.value.value is None
        )
    if isinstance(node, ast.Raise) and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def _is_placeholder(stmt: Statement) -> bool:
    """An unanswered starter TODO: ``name = None``/``...`` or a def whose body does nothing."""
    node = stmt.node
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return all(_is_stub_statement(s) for s in node.body)
    return (
        isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and node.value.value in (None, Ellipsis)
    )
