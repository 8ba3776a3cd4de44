"""Affine transforms that track how a prepared image maps back to the original page pixels."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ocr.model import Box


@dataclass(frozen=True)
class Affine:
    """2-D affine map (x', y') = (a*x + b*y + c, d*x + e*y + f)."""

    a: float = 1.0
    b: float = 0.0
    c: float = 0.0
    d: float = 0.0
    e: float = 1.0
    f: float = 0.0

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
        """Build from a 2x3 matrix such as the one OpenCV's warpAffine takes."""
        rows = [[float(v) for v in row] for row in m]  # type: ignore[attr-defined]
        return cls(rows[0][0], rows[0][1], rows[0][2], rows[1][0], rows[1][1], rows[1][2])

    def then(self, other: Affine) -> Affine:
        """Return the map that applies `self` first and `other` second."""
        o = other
        return Affine(
            a=o.a * self.a + o.b * self.d,
            b=o.a * self.b + o.b * self.e,
            c=o.a * self.c + o.b * self.f + o.c,
            d=o.d * self.a + o.e * self.d,
            e=o.d * self.b + o.e * self.e,
            f=o.d * self.c + o.e * self.f + o.f,
        )

    def inverse(self) -> Affine:
        """Return the inverse map."""
        det = self.a * self.e - self.b * self.d
        if math.isclose(det, 0.0, abs_tol=1e-12):
            raise ValueError("singular affine transform")
        a, b, d, e = self.e / det, -self.b / det, -self.d / det, self.a / det
        return Affine(a=a, b=b, c=-(a * self.c + b * self.f), d=d, e=e, f=-(d * self.c + e * self.f))

    def apply(self, x: float, y: float) -> tuple[float, float]:
        """Map one point."""
        return self.a * x + self.b * y + self.c, self.d * x + self.e * y + self.f

    def apply_box(self, box: Box) -> Box:
        """Map a box and return the axis-aligned box around its four mapped corners."""
        corners = [self.apply(x, y) for x in (box.x, box.right) for y in (box.y, box.bottom)]
        xs = [p[0] for p in corners]
        ys = [p[1] for p in corners]
        return Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
