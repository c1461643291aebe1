"""Variable domains: where random evaluation points of an expression part are drawn from.

A domain knows its shape (possibly in terms of an Integer variable's value) and samples a batch
of ``k`` values with a leading batch axis from a seeded numpy Generator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

Dim = str | int


def _size(dim: Dim, dims: Mapping[str, int]) -> int:
    return dim if isinstance(dim, int) else int(dims[dim])


def _dim_text(dim: Dim) -> str:
    return str(dim)


@dataclass(frozen=True, slots=True)
class Real:
    """A real scalar, uniform in [lo, hi]."""

    lo: float = -3.0
    hi: float = 3.0

    def shape(self) -> tuple[Dim, ...]:
        """Shape after the batch axis (names refer to Integer variables)."""
        return ()

    def sample(self, rng: np.random.Generator, k: int, dims: Mapping[str, int]) -> np.ndarray:
        """``k`` values, batch axis first."""
        return rng.uniform(self.lo, self.hi, size=k)

    def describe(self) -> str:
        """Short description for clients."""
        return "scalar"


@dataclass(frozen=True, slots=True)
class Positive(Real):
    """A positive scalar, uniform in [lo, hi]."""

    lo: float = 0.1
    hi: float = 3.0

    def describe(self) -> str:
        """Short description for clients."""
        return "positive scalar"


@dataclass(frozen=True, slots=True)
class NonZero(Real):
    """A scalar of either sign with magnitude uniform in [lo, hi]."""

    lo: float = 0.2
    hi: float = 3.0

    def sample(self, rng: np.random.Generator, k: int, dims: Mapping[str, int]) -> np.ndarray:
        """``k`` values, batch axis first."""
        return rng.uniform(self.lo, self.hi, size=k) * rng.choice((-1.0, 1.0), size=k)

    def describe(self) -> str:
        """Short description for clients."""
        return "nonzero scalar"


@dataclass(frozen=True, slots=True)
class Integer:
    """An integer in [lo, hi] (inclusive); may give the length of vectors and matrices."""

    lo: int = 2
    hi: int = 12

    def shape(self) -> tuple[Dim, ...]:
        """Shape after the batch axis."""
        return ()

    def sample(self, rng: np.random.Generator, k: int, dims: Mapping[str, int]) -> np.ndarray:
        """``k`` values (as floats), batch axis first."""
        return rng.integers(self.lo, self.hi + 1, size=k).astype(float)

    def describe(self) -> str:
        """Short description for clients."""
        return "integer"


@dataclass(frozen=True, slots=True)
class Vector:
    """A 1-D array; ``length`` is an int or the name of an Integer variable."""

    length: Dim
    lo: float = -3.0
    hi: float = 3.0

    def shape(self) -> tuple[Dim, ...]:
        """Shape after the batch axis."""
        return (self.length,)

    def sample(self, rng: np.random.Generator, k: int, dims: Mapping[str, int]) -> np.ndarray:
        """``k`` vectors, batch axis first."""
        return rng.uniform(self.lo, self.hi, size=(k, _size(self.length, dims)))

    def describe(self) -> str:
        """Short description for clients."""
        return f"vector of length {_dim_text(self.length)}"


@dataclass(frozen=True, slots=True)
class Matrix:
    """A rows×cols array; structure "general", "symmetric" or "spd" (symmetric positive
    definite, square)."""

    rows: Dim
    cols: Dim
    structure: str = "general"
    lo: float = -3.0
    hi: float = 3.0

    def __post_init__(self) -> None:
        if self.structure not in ("general", "symmetric", "spd"):
            raise ValueError(f"unknown matrix structure {self.structure!r}")
        if self.structure != "general" and self.rows != self.cols:
            raise ValueError(f"a {self.structure} matrix must be square")

    def shape(self) -> tuple[Dim, ...]:
        """Shape after the batch axis."""
        return (self.rows, self.cols)

    def sample(self, rng: np.random.Generator, k: int, dims: Mapping[str, int]) -> np.ndarray:
        """``k`` matrices, batch axis first."""
        r, c = _size(self.rows, dims), _size(self.cols, dims)
        a = rng.uniform(self.lo, self.hi, size=(k, r, c))
        if self.structure == "symmetric":
            return (a + a.transpose(0, 2, 1)) / 2
        if self.structure == "spd":
            scale = max(abs(self.lo), abs(self.hi)) or 1.0
            return a @ a.transpose(0, 2, 1) / (c * scale) + 0.5 * np.eye(r)
        return a

    def describe(self) -> str:
        """Short description for clients."""
        if self.cols == 1 and self.structure == "general":
            return f"{_dim_text(self.rows)}×1 column"
        kind = {"general": "matrix", "symmetric": "symmetric matrix", "spd": "SPD matrix"}
        return f"{_dim_text(self.rows)}×{_dim_text(self.cols)} {kind[self.structure]}"


def Column(n: Dim, lo: float = -3.0, hi: float = 3.0) -> Matrix:
    """An n×1 column vector."""
    return Matrix(n, 1, "general", lo, hi)


@dataclass(frozen=True, slots=True)
class Derived:
    """A variable defined by a formula in the other variables, e.g. ``max(0, w*x + b)``."""

    formula: str

    def describe(self) -> str:
        """Short description for clients."""
        return f"defined as {self.formula}"


Domain = Real | Integer | Vector | Matrix | Derived
"""Any domain a variable may have (Positive and NonZero are Reals)."""

Sampled = Real | Integer | Vector | Matrix
