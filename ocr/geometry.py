"""Plane transforms that track how a prepared image maps back to the original page pixels.

`Affine` covers the affine maps of the pipeline (crop, rotation, scaling) and, with `g`/`h` set, the
projective map of a perspective correction; composition and inversion work on the 3x3 matrix. `Bend` and
`Unbend` are the non-linear vertical shifts of straightening bent rows (`ocr.dewarp`); a pipeline holding
one composes into a `Chain`. Every transform offers `apply`, `apply_box`, `then` and `inverse`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, Union

from ocr.model import Box

_UNBEND_ITERATIONS = 6


class Transform(Protocol):
    """A map of the plane, composable and invertible."""

    def apply(self, x: float, y: float) -> tuple[float, float]: ...  # noqa: D102 - see Affine

    def apply_box(self, box: Box) -> Box: ...  # noqa: D102

    def then(self, other: Transform) -> Transform: ...  # noqa: D102

    def inverse(self) -> Transform: ...  # noqa: D102


def _box_points(box: Box) -> list[tuple[float, float]]:
    """Return the corners, the mid-points of the sides and the centre of a box."""
    xs = (box.x, box.x + box.w / 2, box.right)
    ys = (box.y, box.y + box.h / 2, box.bottom)
    return [(x, y) for x in xs for y in ys]


def _bounding(points: list[tuple[float, float]]) -> Box:
    """Return the axis-aligned box around points."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))

_Matrix = tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]


@dataclass(frozen=True)
class Affine:
    """2-D map (x', y') = ((a*x + b*y + c) / w, (d*x + e*y + f) / w) with w = g*x + h*y + 1 (affine: g = h = 0)."""

    a: float = 1.0
    b: float = 0.0
    c: float = 0.0
    d: float = 0.0
    e: float = 1.0
    f: float = 0.0
    g: float = 0.0
    h: float = 0.0

    @classmethod
    def translation(cls, dx: float, dy: float) -> Affine:
        """Return a pure translation."""
        return cls(c=dx, f=dy)

    @classmethod
    def scaling(cls, sx: float, sy: float | None = None) -> Affine:
        """Return a scaling about the origin."""
        return cls(a=sx, e=sx if sy is None else sy)

    @classmethod
    def from_matrix(cls, m: object) -> Affine:
        """Build from a 2x3 matrix (OpenCV's warpAffine) or a 3x3 one (getPerspectiveTransform)."""
        rows = [[float(v) for v in row] for row in m]  # type: ignore[attr-defined]
        if len(rows) == 2:
            return cls(rows[0][0], rows[0][1], rows[0][2], rows[1][0], rows[1][1], rows[1][2])
        return cls._from_rows(tuple(tuple(row) for row in rows))  # type: ignore[arg-type]

    @classmethod
    def _from_rows(cls, m: _Matrix) -> Affine:
        """Build from a 3x3 matrix, normalising its bottom-right entry to 1."""
        scale = m[2][2]
        if math.isclose(scale, 0.0, abs_tol=1e-15):
            raise ValueError("degenerate projective transform")
        (a, b, c), (d, e, f), (g, h, _) = ((v / scale for v in row) for row in m)
        return cls(a, b, c, d, e, f, g, h)

    def _rows(self) -> _Matrix:
        """Return the 3x3 matrix."""
        return (self.a, self.b, self.c), (self.d, self.e, self.f), (self.g, self.h, 1.0)

    @property
    def is_affine(self) -> bool:
        """Tell whether the map has no perspective part."""
        return self.g == 0.0 and self.h == 0.0

    def then(self, other: Transform) -> Transform:
        """Return the map that applies `self` first and `other` second (an `Affine` when both are)."""
        if not isinstance(other, Affine):
            return Chain((self,)).then(other)
        first, second = self._rows(), other._rows()
        product = tuple(
            tuple(sum(second[i][k] * first[k][j] for k in range(3)) for j in range(3)) for i in range(3)
        )
        return Affine._from_rows(product)  # type: ignore[arg-type]

    def inverse(self) -> Affine:  # type: ignore[override]
        """Return the inverse map."""
        (a, b, c), (d, e, f), (g, h, i) = self._rows()
        cofactors = (
            (e * i - f * h, c * h - b * i, b * f - c * e),
            (f * g - d * i, a * i - c * g, c * d - a * f),
            (d * h - e * g, b * g - a * h, a * e - b * d),
        )
        det = a * cofactors[0][0] + b * cofactors[1][0] + c * cofactors[2][0]
        if math.isclose(det, 0.0, abs_tol=1e-12):
            raise ValueError("singular transform")
        return Affine._from_rows(tuple(tuple(v / det for v in row) for row in cofactors))  # type: ignore[arg-type]

    def apply(self, x: float, y: float) -> tuple[float, float]:
        """Map one point."""
        w = self.g * x + self.h * y + 1.0
        return (self.a * x + self.b * y + self.c) / w, (self.d * x + self.e * y + self.f) / w

    def apply_box(self, box: Box) -> Box:
        """Map a box and return the axis-aligned box around its four mapped corners."""
        return _bounding([self.apply(x, y) for x in (box.x, box.right) for y in (box.y, box.bottom)])


class _PointMap:
    """What maps defined point by point share: boxes through sample points, composition into a chain."""

    def apply(self, x: float, y: float) -> tuple[float, float]:  # pragma: no cover - every subclass has one
        """Map one point."""
        raise NotImplementedError

    def apply_box(self, box: Box) -> Box:
        """Map a box and return the axis-aligned box around its mapped corners, side mid-points and centre."""
        return _bounding([self.apply(x, y) for x, y in _box_points(box)])

    def then(self, other: Transform) -> Transform:
        """Return the map that applies `self` first and `other` second."""
        return Chain((self,)).then(other)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Bend(_PointMap):
    """(x, y) -> (x, y + shift(x, y)): where a straightened row's pixel came from in the bent image."""

    shift: Callable[[float, float], float]

    def apply(self, x: float, y: float) -> tuple[float, float]:
        """Map one point."""
        return x, y + float(self.shift(x, y))

    def inverse(self) -> Unbend:
        """Return the straightening map."""
        return Unbend(self.shift)


@dataclass(frozen=True)
class Unbend(_PointMap):
    """The inverse of `Bend`: the straightened position y' of a point, where y' + shift(x, y') = y.

    Solved by fixed-point iteration, which converges because the fitted shift changes slowly with y.
    """

    shift: Callable[[float, float], float]

    def apply(self, x: float, y: float) -> tuple[float, float]:
        """Map one point."""
        straight = y - float(self.shift(x, y))
        for _ in range(_UNBEND_ITERATIONS):
            straight = y - float(self.shift(x, straight))
        return x, straight

    def inverse(self) -> Bend:
        """Return the bending map."""
        return Bend(self.shift)


Step = Union[Affine, Bend, Unbend]  # noqa: UP007 - a runtime alias


@dataclass(frozen=True)
class Chain(_PointMap):
    """Transforms applied in order; neighbouring affine steps are kept multiplied into one.

    A box goes through as its corners, side mid-points and centre, mapped through every step at once.
    """

    steps: tuple[Step, ...]

    def apply(self, x: float, y: float) -> tuple[float, float]:
        """Map one point through every step."""
        for step in self.steps:
            x, y = step.apply(x, y)
        return x, y

    def then(self, other: Transform) -> Transform:
        """Return the chain followed by `other`."""
        added = other.steps if isinstance(other, Chain) else (other,)
        steps = list(self.steps)
        for step in added:
            if steps and isinstance(steps[-1], Affine) and isinstance(step, Affine):
                steps[-1] = steps[-1].then(step)  # type: ignore[assignment]
            else:
                steps.append(step)  # type: ignore[arg-type]
        return steps[0] if len(steps) == 1 else Chain(tuple(steps))  # type: ignore[return-value]

    def inverse(self) -> Chain:
        """Return the chain of inverse steps in reverse order."""
        return Chain(tuple(step.inverse() for step in reversed(self.steps)))
