"""The method's settings (R23): stages and exit tests, key-score weights and expected contact frequency, coverage
window, level weights, grades and department templates, the organisational checklist, health weights and bands,
intelligence and executive-pairing rules.

Settings are versioned: :func:`save` never edits a version, it adds the next one; the highest is in force. Until a
first save the defaults below are version 1 (unsaved: reading never writes); the first save stores them as version 1
and the new settings as version 2, so every score can name the version it used.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Invalid
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.kit.schemas import name_str, opt_str
from loam.relationships.models import RelationshipSettings

ENTITY = "relationship_settings"
LEVELS = ("executive", "middle", "staff")

DEFAULTS: dict[str, Any] = {
    "stages": [
        {
            "n": 1,
            "zh": "认识",
            "en": "Acquainted",
            "exit_zh": "见过面；清楚其职责、汇报关系和联系方式",
            "exit_en": "Has met us; we know their role, reporting line and contact details",
        },
        {
            "n": 2,
            "zh": "认可",
            "en": "Recognises us",
            "exit_zh": "参加过技术交流或样板点参观；向我们讲过需求或痛点；态度中立或以上",
            "exit_en": "Attended a technical exchange or site visit; told us their needs; neutral or better",
        },
        {
            "n": 3,
            "zh": "信任",
            "en": "Trusts us",
            "exit_zh": "分享非公开信息；支持我们；在客户内部会议上为我们说过话",
            "exit_en": "Shares non-public information; supports us; has spoken for us in internal meetings",
        },
        {
            "n": 4,
            "zh": "支持",
            "en": "Advocates for us",
            "exit_zh": "指导我们的决策流程；提醒竞争对手动向；在决策者面前为我们争取",
            "exit_en": "Coaches us on the decision process; warns of competitor moves; champions us to the buyer",
        },
    ],
    # Key relationships: points per factor (they add up to 100).
    "key": {
        "weights": {"stage": 25, "support": 30, "coach": 10, "recency": 15, "frequency": 10, "breadth": 10},
        # Expected days between touches by level (executive monthly, middle fortnightly, staff monthly).
        "expected_days": {"executive": 30, "middle": 14, "staff": 30},
        "frequency_window_days": 90,
        "breadth_full": 3,  # this many of our people knowing the contact earns the full breadth points
        "influence_weights": {"high": 3, "medium": 2, "low": 1},
    },
    "coverage": {
        "window_days": 90,
        "level_weights": {"executive": 3, "middle": 2, "staff": 1},
        "grades": {"A": 80, "B": 60, "C": 40},
        "templates": {
            "default": ["技术部", "采购部", "财务部", "供应链", "工程部", "运维部", "办公室"],
            "telecom": [
                "网络部",
                "市场部",
                "政企客户部",
                "采购部",
                "财务部",
                "工程部",
                "运维部",
                "技术部",
                "云网运营部",
                "办公室",
            ],
            "government": ["信息中心", "规划处", "财务处", "采购办", "办公室"],
            "energy": ["生产技术部", "信息中心", "物资部", "财务部", "工程部", "办公室"],
            "finance": ["科技部", "运营部", "采购部", "财务部", "风险部", "办公室"],
        },
    },
    "org": {
        "items": [
            {
                "key": "strategic_agreement",
                "zh": "战略合作协议及其范围",
                "en": "Strategic agreement and its scope",
                "weight": 20,
            },
            {
                "key": "exec_meetings",
                "zh": "定期高层会晤（每年 ≥ 2 次）",
                "en": "Regular executive meetings (≥ 2 a year)",
                "weight": 15,
            },
            {
                "key": "exec_pairing",
                "zh": "高层对口（6 个月内有接触）",
                "en": "Executive pairing touched in 6 months",
                "weight": 15,
            },
            {
                "key": "joint_innovation",
                "zh": "联合创新中心 / 联合项目",
                "en": "Joint innovation centre / joint project",
                "weight": 15,
            },
            {"key": "joint_plan", "zh": "联合经营计划", "en": "Joint business plan", "weight": 10},
            {"key": "summit", "zh": "峰会 / 年会", "en": "Summit / annual meeting", "weight": 10},
            {
                "key": "satisfaction",
                "zh": "满意度调查并闭环",
                "en": "Satisfaction survey with a closed loop",
                "weight": 10,
            },
            {"key": "crisis", "zh": "危机处理的正面先例", "en": "Positive crisis precedent", "weight": 5},
        ],
        "grades": {"A": 70, "B": 40},
    },
    "health": {
        "weights": {"key": 45, "broad": 30, "org": 25},
        "bands": {"healthy": 80, "sub_healthy": 60, "at_risk": 40},
    },
    "intel": {"verify_sources": 2, "source_stale_days": 90},
    "exec": {"default_days": 90},
}

Weight = Annotated[float, Field(ge=0, le=1000)]
Days = Annotated[int, Field(ge=1, le=3650)]
Threshold = Annotated[float, Field(ge=0, le=100)]


class StageDef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: Annotated[int, Field(ge=1, le=4)]
    zh: name_str(40)  # type: ignore[valid-type]
    en: name_str(40)  # type: ignore[valid-type]
    exit_zh: opt_str(500)  # type: ignore[valid-type]
    exit_en: opt_str(500)  # type: ignore[valid-type]


class KeySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weights: dict[str, Weight]
    expected_days: dict[str, Days]
    frequency_window_days: Days
    breadth_full: Annotated[int, Field(ge=1, le=50)]
    influence_weights: dict[str, Weight]

    @model_validator(mode="after")
    def _complete(self) -> KeySettings:
        _require_keys(self.weights, ("stage", "support", "coach", "recency", "frequency", "breadth"), "key.weights")
        _require_keys(self.expected_days, LEVELS, "key.expected_days")
        _require_keys(self.influence_weights, ("high", "medium", "low"), "key.influence_weights")
        return self


class CoverageSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_days: Days
    level_weights: dict[str, Weight]
    grades: dict[str, Threshold]
    templates: dict[str, list[name_str(100)]]  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _complete(self) -> CoverageSettings:
        _require_keys(self.level_weights, LEVELS, "coverage.level_weights")
        _require_keys(self.grades, ("A", "B", "C"), "coverage.grades")
        if "default" not in self.templates:
            raise ValueError("coverage.templates needs a 'default' template")
        return self


class OrgItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    zh: name_str(100)  # type: ignore[valid-type]
    en: name_str(100)  # type: ignore[valid-type]
    weight: Weight


class OrgSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[OrgItem] = Field(min_length=1, max_length=50)
    grades: dict[str, Threshold]

    @model_validator(mode="after")
    def _complete(self) -> OrgSettings:
        _require_keys(self.grades, ("A", "B"), "org.grades")
        if len({i.key for i in self.items}) != len(self.items):
            raise ValueError("org.items: every key must be unique")
        return self


class HealthSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weights: dict[str, Weight]
    bands: dict[str, Threshold]

    @model_validator(mode="after")
    def _complete(self) -> HealthSettings:
        _require_keys(self.weights, ("key", "broad", "org"), "health.weights")
        if sum(self.weights.values()) <= 0:
            raise ValueError("health.weights must not all be 0")
        _require_keys(self.bands, ("healthy", "sub_healthy", "at_risk"), "health.bands")
        return self


class IntelSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    verify_sources: Annotated[int, Field(ge=1, le=10)]
    source_stale_days: Days


class ExecSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default_days: Days


class MethodSettings(BaseModel):
    """The whole settings document, as stored and as the API accepts it."""

    model_config = ConfigDict(extra="forbid")
    stages: list[StageDef] = Field(min_length=4, max_length=4)
    key: KeySettings
    coverage: CoverageSettings
    org: OrgSettings
    health: HealthSettings
    intel: IntelSettings
    exec: ExecSettings

    @model_validator(mode="after")
    def _stages_in_order(self) -> MethodSettings:
        if [s.n for s in self.stages] != [1, 2, 3, 4]:
            raise ValueError("stages must be S1, S2, S3, S4 in order")
        return self


class SettingsVersion(BaseModel):
    """One stored version (API shape)."""

    model_config = ConfigDict(from_attributes=True)
    version: int
    data: MethodSettings
    note: str | None
    created_by: int | None


class SettingsWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data: MethodSettings
    note: opt_str(500) = None  # type: ignore[valid-type]


def _require_keys(values: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if k not in values]
    extra = [k for k in values if k not in keys]
    if missing or extra:
        raise ValueError(f"{where} must have exactly the keys {', '.join(keys)}")


def defaults() -> dict[str, Any]:
    """A fresh copy of the built-in defaults."""
    return copy.deepcopy(DEFAULTS)


def current_row(session: Session) -> RelationshipSettings:
    """The version in force. While no version was ever saved, the defaults are version 1 (returned unsaved, so
    reading never writes: pages and jobs may read the settings concurrently)."""
    row = session.scalars(select(RelationshipSettings).order_by(RelationshipSettings.version.desc()).limit(1)).first()
    if row is not None:
        return row
    return RelationshipSettings(version=1, data=defaults(), note="defaults", created_at=utcnow())


def current(session: Session) -> dict[str, Any]:
    """The settings in force, as a plain dict (see :data:`DEFAULTS` for the shape)."""
    return current_row(session).data


def version_row(session: Session, number: int) -> RelationshipSettings | None:
    """One version, or None if there is no such version (before the first save, version 1 is the unsaved
    defaults, as :func:`current_row` and :func:`history` show it)."""
    row = session.scalars(select(RelationshipSettings).where(RelationshipSettings.version == number)).first()
    if row is None and number == 1 and not session.scalar(select(func.count()).select_from(RelationshipSettings)):
        return current_row(session)
    return row


def version(session: Session, number: int) -> dict[str, Any] | None:
    """The settings of one past version (to explain an old snapshot), or None if there is no such version."""
    row = version_row(session, number)
    return row.data if row is not None else None


def history(session: Session, scope: Scope) -> list[RelationshipSettings]:
    """Every version, newest first (needs relationships.manage)."""
    authz_service.require(scope, Permission.relationships_manage)
    rows = list(session.scalars(select(RelationshipSettings).order_by(RelationshipSettings.version.desc())))
    return rows or [current_row(session)]


def save(session: Session, scope: Scope, data: SettingsWrite) -> RelationshipSettings:
    """Store ``data`` as the next version (needs relationships.manage); past versions stay as they were."""
    authz_service.require(scope, Permission.relationships_manage)
    latest = current_row(session)
    new = data.data.model_dump(mode="json")
    if new == latest.data:
        raise Invalid(_("Nothing changed: the settings are the same as version %(n)s.") % {"n": latest.version})
    if latest.id is None:  # the first save stores the defaults as version 1, so past scores stay explained
        session.add(latest)
        session.flush()
    number = (session.scalar(select(func.max(RelationshipSettings.version))) or 0) + 1
    row = RelationshipSettings(version=number, data=new, note=data.note, created_by=scope.user_id)
    session.add(row)
    session.flush()
    audit.record(session, scope, ENTITY, row.id, "update", {"version": [latest.version, number]})
    return row
