"""The shape every relationship score takes: a number and the points that make it up, each explained.

A :class:`Point` keeps its explanation as a gettext msgid with named parameters, so the same explanation is shown
in the reader's language today and, stored in a snapshot's JSON, a year from now.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from loam.kit.i18n import gettext as _


@dataclass(frozen=True)
class Point:
    """``points`` added (or, when negative, taken away) for one reason: ``msgid % params``."""

    points: float
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """The reason in the current language, e.g. "met 3 times in 30 days"."""
        return _(self.msgid) % self.params if self.params else _(self.msgid)

    def signed(self) -> str:
        """ "+12" / "−10" / "0" — how the page shows the points (rounded to whole points)."""
        n = round(self.points)
        return f"+{n}" if n > 0 else ("0" if n == 0 else f"−{-n}")


@dataclass(frozen=True)
class LayerScore:
    """A score 0–100 with its grade (or band) and the points behind it; ``details`` carries layer-specific data
    (a coverage grid, a checklist) for the page and the snapshot."""

    score: int
    grade: str
    points: list[Point] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"score": self.score, "grade": self.grade, "points": [asdict(p) for p in self.points], **self.details}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LayerScore:
        rest = {k: v for k, v in data.items() if k not in ("score", "grade", "points")}
        points = [Point(p["points"], p["msgid"], p.get("params") or {}) for p in data.get("points", [])]
        return cls(int(data["score"]), str(data["grade"]), points, rest)


def clamp_score(value: float) -> int:
    """Round half up into 0–100."""
    return max(0, min(100, int(value + 0.5)))


def grade_of(score: float, thresholds: dict[str, float], lowest: str) -> str:
    """The first grade whose threshold the score reaches, highest threshold first; else ``lowest``."""
    for grade, floor in sorted(thresholds.items(), key=lambda kv: -kv[1]):
        if score >= floor:
            return grade
    return lowest
