"""Shapes of the broad (coverage grid) and organisational (checklist) layers."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from loam.kit.schemas import Id, IsoDate, opt_str
from loam.relationships.scores import LayerScore, Point

MAX_EVIDENCE_FOLLOWUPS = 20
# The strategic agreement's scope (kam_methodology §3.3): group 1, region 0.7, project 0.4.
AGREEMENT_KEY = "strategic_agreement"
AGREEMENT_SCOPES = (("1.00", "group"), ("0.70", "region"), ("0.40", "project"))


def _link(value: str | None) -> str | None:
    """An evidence link is an http(s) address or a path inside Loam (never ``javascript:`` and the like)."""
    if value is None:
        return None
    if re.match(r"^https?://[^\s]+$", value, re.IGNORECASE) or re.match(r"^/(?!/)[^\s]*$", value):
        return value
    raise ValueError("expected an http(s) address or a path starting with /")


EvidenceUrl = Annotated[opt_str(500), AfterValidator(_link)]  # type: ignore[valid-type]
Factor = Annotated[Decimal, Field(gt=0, le=1, max_digits=3, decimal_places=2)]


class OrgMarkWrite(BaseModel):
    """Set one checklist item as in place (PUT creates or replaces the mark). ``version`` is the mark's current
    version when it exists (a missing or stale one is refused with 409) and absent when creating it.
    ``followup_ids`` must be live follow-ups of the same customer."""

    model_config = ConfigDict(extra="forbid")
    factor: Factor = Decimal("1")
    achieved_on: IsoDate | None = None
    evidence: opt_str(2000) = None  # type: ignore[valid-type]
    evidence_url: EvidenceUrl = None  # type: ignore[valid-type]
    followup_ids: list[Id] = Field(default_factory=list, max_length=MAX_EVIDENCE_FOLLOWUPS)
    version: int | None = Field(default=None, ge=1, le=2_147_483_647)


class PointRead(BaseModel):
    """One reason behind a score: ``points`` and the explanation in the caller's language (``text``), with the
    untranslated ``msgid`` and ``params`` it is made from."""

    points: float
    text: str
    msgid: str
    params: dict[str, Any]

    @classmethod
    def of(cls, point: Point) -> PointRead:
        return cls(points=point.points, text=point.text(), msgid=point.msgid, params=dict(point.params))


class CoverageContact(BaseModel):
    id: int
    name: str
    support: int
    touched: bool
    counts: bool


class CoverageCell(BaseModel):
    dept: str
    level: str
    weight: float
    covered: bool
    contacts: list[CoverageContact]
    coverers: list[int]
    single_thread: bool


class UnassignedContact(BaseModel):
    id: int
    name: str
    level: str


class Person(BaseModel):
    id: int
    name: str


class CoverageRead(BaseModel):
    """A customer's coverage grid on ``as_of``: score (the coverage % rounded), grade A–D and the points that
    explain it; ``people`` names everyone in ``coverers``."""

    customer_id: int
    as_of: date
    settings_version: int
    score: int
    grade: str
    percent: float
    template: str
    window_days: int
    points: list[PointRead]
    rows: list[str]
    levels: list[str]
    cells: list[CoverageCell]
    unassigned: list[UnassignedContact]
    people: list[Person]


class OrgItemRead(BaseModel):
    """One checklist item with the customer's mark (``mark_id`` null when not in place). ``factor`` is what
    counts on ``as_of`` (0 when unmarked or achieved later: ``pending``); ``mark_factor`` is the stored one."""

    key: str
    label_zh: str
    label_en: str
    weight: float
    factor: float
    counted: bool
    pending: bool
    points: int
    mark_id: int | None
    version: int | None
    mark_factor: Decimal | None
    achieved_on: date | None
    evidence: str | None
    evidence_url: str | None
    followup_ids: list[int]


class RetiredMark(BaseModel):
    """A mark on an item that is no longer in the settings: kept, shown, not scored."""

    key: str
    mark_id: int
    version: int
    mark_factor: Decimal
    achieved_on: date | None
    evidence: str | None
    evidence_url: str | None
    followup_ids: list[int]


class OrgRead(BaseModel):
    """A customer's organisational checklist on ``as_of``: score 0–100, grade A–C, points, items."""

    customer_id: int
    as_of: date
    settings_version: int
    score: int
    grade: str
    percent: float
    points: list[PointRead]
    items: list[OrgItemRead]
    retired: list[RetiredMark]


def layer_read(score: LayerScore) -> dict[str, Any]:
    """The common part of a read: score, grade, points (translated now) and the details."""
    return {
        "score": score.score,
        "grade": score.grade,
        "points": [PointRead.of(p) for p in score.points],
        **score.details,
    }
