"""The static extractor: what is kept, what is dropped, sections, broken cells, text answers."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import nbformat
from nbformat import v4

from problems import get_problem
from service.grading.model import Part, Problem
from service.grading.notebook import (
    Upload,
    answers_from_upload,
    extract_parts,
    parse_upload,
)
from service.grading.notebook_extract import CodeCell, Extractor
from service.grading.notebook_source import clean_ipython, parse_cell

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
SECTION_E = get_problem("hw0-color-organ").part("e").notebook_section


@dataclass(frozen=True)
class StubCode:
    """Stands in for CodeAnswer: the extractor only reads ``name`` and ``functions``."""

    functions: tuple[str, ...]
    name: ClassVar[str] = "code"

    def check(self, answer: Any, expected: Any, ctx: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover
        return "code"

    def public_spec(self) -> dict[str, Any]:  # pragma: no cover
        return {}


@dataclass(frozen=True)
class StubText(StubCode):
    functions: tuple[str, ...] = ()
    name: ClassVar[str] = "text"


def _problem(pid: str, sections: dict[str, str] | None = None, **parts: Any) -> Problem:
    sections = sections or {}
    return Problem(
        id=pid, title=pid, source="test", statement="",
        parts=tuple(
            Part(id=k, kind=v, points=1, prompt="", notebook_section=sections.get(k))
            for k, v in parts.items()
        ),
    )


COLOR_ORGAN = _problem(
    "hw0-color-organ",
    {"e": SECTION_E or ""},
    e=StubCode(("loss_fn",)),
    f=StubCode(("evaluate_hp_circuit",)),
    g=StubCode(("evaluate_bp_circuit",)),
    **{"f.train": StubCode(("train_hp_circuit_binary",))},
)


def _upload(name: str) -> Upload:
    return parse_upload((FIXTURES / name).read_bytes(), name)


def _extractor(name: str) -> Extractor:
    upload = _upload(name)
    return Extractor([CodeCell(c.index, c.source, c.headings) for c in upload.code_cells])


def _top_level(source: str) -> list[str]:
    """First line of each top-level statement of an extracted source."""
    return [ast.unparse(node).split("\n")[0] for node in ast.parse(source).body]


def test_messy_notebook_keeps_exactly_the_closure_of_the_graded_name() -> None:
    result = _extractor("color_organ_complete.ipynb").extract(["evaluate_bp_circuit"])
    assert result.source is not None and result.notes == []
    assert _top_level(result.source) == [
        "import numpy as np",
        "import torch",
        "C = 1e-06",
        "def evaluate_lp_circuit(freqs, R_low):",
        "def evaluate_hp_circuit(freqs, R_high):",
        "def evaluate_bp_circuit(freqs, R_low, R_high):",
    ]
    for dropped in ("pip", "matplotlib", "plt", "widgets", "colab", "make_dot", "100000",
                    "train_", "manual_seed", "freqs = "):
        assert dropped not in result.source


def test_training_function_keeps_its_update_lines_and_the_loss_of_its_section() -> None:
    result = _extractor("color_organ_complete.ipynb").extract(["train_hp_circuit_binary"])
    assert result.source is not None
    assert "R_high -= lr * R_high.grad" in result.source
    # (f) runs after (e): the loss in force there is (e)'s, not (h)'s log loss defined later.
    assert "0.3 + 0.7 * y" in result.source and "torch.log" not in result.source
    assert "hp_labels" not in result.source  # the top-level 100,000-step call is not kept


def test_loss_fn_comes_from_section_e_although_reassigned_in_c_d_and_h() -> None:
    extractor = _extractor("color_organ_complete.ipynb")
    result = extractor.extract(["loss_fn"], SECTION_E)
    assert result.source is not None
    assert _top_level(result.source) == ["def loss_fn(x, y):"]
    assert "0.3 + 0.7 * y" in result.source
    latest = extractor.extract(["loss_fn"])
    assert latest.source is not None and "torch.log" in latest.source


def test_question_mark_cell_costs_only_its_own_part() -> None:
    answers = answers_from_upload(COLOR_ORGAN, _upload("color_organ_blank.ipynb"))
    # every graded name is a TODO (`?` or None) in the starter: no source, but the reason
    assert answers == {
        "e": {"source": None, "notes": ["'loss_fn' is defined in a cell that does not parse."]},
        "f": {
            "source": None,
            "notes": ["'evaluate_hp_circuit' is still the starter's placeholder (not answered)."],
        },
        "f.train": {
            "source": None,
            "notes": ["'train_hp_circuit_binary' is defined in a cell that does not parse."],
        },
        "g": {
            "source": None,
            "notes": ["'evaluate_bp_circuit' is still the starter's placeholder (not answered)."],
        },
    }
    ex = extract_parts(COLOR_ORGAN, _upload("color_organ_blank.ipynb"))
    assert ex["e"].broken == ("loss_fn",) and ex["f.train"].broken == ("train_hp_circuit_binary",)
    assert ex["f"].missing == ("evaluate_hp_circuit",) and ex["g"].missing == (
        "evaluate_bp_circuit",
    )
    partial = answers_from_upload(COLOR_ORGAN, _upload("color_organ_partial.ipynb"))
    assert {k for k, v in partial.items() if isinstance(v, str)} == {"e", "f", "f.train"}
    assert partial["g"] == answers["g"]


def test_a_cell_that_partly_parses_keeps_its_good_statements() -> None:
    cell = "import numpy as np\ndef bad(x):\n    return ?\n\ndef good(x):\n    return np.sin(x)\n"
    parsed = parse_cell(cell)
    assert [node is None for node, _ in parsed] == [False, True, False]
    extractor = Extractor([CodeCell(0, cell)])
    good, bad = extractor.extract(["good"]), extractor.extract(["bad"])
    assert good.source == "import numpy as np\n\ndef good(x):\n    return np.sin(x)\n"
    assert bad.source is None and bad.broken == ("bad",)


def test_ipython_syntax_is_dropped_but_a_todo_question_mark_is_not() -> None:
    cleaned = clean_ipython("!pip install x\nfiles = !ls\n%time y = 1\nnp.sum?\nz = ?\n")
    assert cleaned.split("\n") == ["pass", "pass", "pass", "pass", "z = ?"]
    assert clean_ipython("%%bash\nrm -rf /\n") == ""
    assert clean_ipython("%%time\nx = 1") == "\nx = 1"
    assert clean_ipython("if True:\n    !pip install y\n") == "if True:\n    pass"


def test_plot_calls_inside_kept_functions_are_stripped() -> None:
    cells = [
        CodeCell(0, "import matplotlib.pyplot as plt\nimport numpy as np\n"
                    "from tqdm.auto import tqdm"),
        CodeCell(1, "def fit(xs):\n    total = 0.0\n    for x in tqdm(xs):\n"
                    "        plt.plot(x)\n        total += np.abs(x)\n    plt.show()\n"
                    "    return total"),
    ]
    result = Extractor(cells).extract(["fit"])
    assert result.source is not None and "plt" not in result.source
    assert "matplotlib" not in result.source and result.notes == []
    assert result.source.startswith("def tqdm(iterable=None, *args, **kwargs):")
    compile(result.source, "<extracted>", "exec")


def test_hostile_top_level_code_is_not_extracted() -> None:
    ex = extract_parts(COLOR_ORGAN, _upload("color_organ_hostile.ipynb"))
    for part in ("e", "f", "g"):
        source = ex[part].source
        assert source is not None and "secrets" not in source and "s.connect" not in source
    bp = ex["g"].source
    assert bp is not None and "create_connection" in bp  # inside the graded function: sandboxed


def test_extraction_never_executes_student_code(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    cells = [
        v4.new_code_cell(f"import pathlib\npathlib.Path({str(marker)!r}).touch()"),
        v4.new_code_cell(f"def f(x=open({str(marker)!r}, 'w')):\n    return x\n"
                         f"class K:\n    open({str(marker)!r}, 'w')"),
    ]
    nb = v4.new_notebook(cells=cells)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    upload = parse_upload(nbformat.writes(nb).encode(), "evil.ipynb")
    problem = _problem("p", a=StubCode(("f",)), b=StubCode(("K",)))
    answers = answers_from_upload(problem, upload)
    assert set(answers) == {"a", "b"} and not marker.exists()


def test_writefile_helper_and_star_import_resolve_to_the_written_code() -> None:
    problem = _problem(
        "hw2-step-size", a=StubText(),
        e=StubCode(("compute_gradient", "compute_update", "compute_updates")),
    )
    answers = answers_from_upload(problem, _upload("step_size.ipynb"))
    code = answers["e"]
    assert "def step_at" in code and "def compute_updates" in code and "import numpy" in code
    assert "plot_iterates" not in code and "__main__" not in code
    assert answers["a"].startswith("For $0 \\le \\lambda \\le 1$")
    from_py = answers_from_upload(problem, _upload("step_size_helper.py"))
    assert set(from_py) == {"e"} and "def compute_gradient" in from_py["e"]


def test_text_answers_come_from_marked_markdown_and_placeholders_do_not_count() -> None:
    problem = _problem("hw2-step-size", a=StubText(), b=StubText())
    answers = answers_from_upload(problem, _upload("step_size.ipynb"))
    assert set(answers) == {"a"}  # (b) still says "Your answer here"
    lin = _problem("hw2-linearized-features", c=StubText(), a=StubCode(("linearized_features",)))
    got = answers_from_upload(lin, _upload("linearized_features.ipynb"))
    assert got["c"].startswith("The principal features barely change")
    assert "100000" not in got["a"] and "nn.Sequential" not in got["a"]


def test_hostile_nesting_only_breaks_its_own_statement() -> None:
    deep = "x = " + "+".join(["1"] * 100_000)  # the parser raises RecursionError on this
    cells = [
        CodeCell(0, deep + "\n\ndef f():\n    return x\n"),
        CodeCell(1, "def g():\n    return 2"),
    ]
    extractor = Extractor(cells)
    f, g = extractor.extract(["f"]), extractor.extract(["g"])
    assert f.source == "def f():\n    return x\n"
    assert f.notes == ["'x' is defined in a cell that does not parse."]
    assert g.source == "def g():\n    return 2\n"
