"""Shapes of opportunities, their contacts, competitors, team, stage moves and batch actions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from loam.kit.choices import Source
from loam.kit.i18n import N_
from loam.kit.schemas import Id, IsoDate, LocalDatetime, Name, OptText, opt_str
from loam.products.schemas import Currency, Money, ProductLineRead, ProductLineWrite

STATUSES = {"open": N_("Open"), "won": N_("Won"), "lost": N_("Lost"), "invalid": N_("Invalid")}
STAGE_KINDS = {"open": N_("Open stage"), "won": N_("Won"), "lost": N_("Lost"), "invalid": N_("Invalid")}
# The decision chain (决策链): a contact's role in this deal.
CONTACT_ROLES = {
    "decision_maker": N_("Decision maker"),
    "approver": N_("Approver"),
    "evaluator": N_("Evaluator"),
    "influencer": N_("Influencer"),
    "user": N_("User"),
    "initiator": N_("Initiator"),
    "gatekeeper": N_("Gatekeeper"),
}
# The iron triangle (铁三角) and its support roles.
TEAM_ROLES = {
    "AR": N_("AR account responsible"),
    "SR": N_("SR solution responsible"),
    "FR": N_("FR fulfilment responsible"),
    "finance": N_("Finance"),
    "bid": N_("Bid"),
    "commercial": N_("Commercial"),
    "legal": N_("Legal"),
    "other": N_("Other"),
}
# The chain of the decision a contact sits in (权力地图: 技术链 / 商务链 / 综合链 / 隐形链).
CHAINS = {
    "technical": N_("Technical chain"),
    "commercial": N_("Commercial chain"),
    "overall": N_("Overall decision"),
    "hidden": N_("Hidden chain"),
}
COMPETITOR_STATUSES = {"active": N_("In the running"), "eliminated": N_("Eliminated"), "won": N_("Won the deal")}
# The project approval (立项) of the major-opportunity gate (loam.opportunities.gate).
GATE_STATUSES = {
    "none": N_("Not submitted"),
    "pending": N_("In approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
}

Status = Literal["open", "won", "lost", "invalid"]
ContactRole = Literal["decision_maker", "approver", "evaluator", "influencer", "user", "initiator", "gatekeeper"]
Chain = Literal["technical", "commercial", "overall", "hidden"]
TeamRole = Literal["AR", "SR", "FR", "finance", "bid", "commercial", "legal", "other"]
CompetitorStatus = Literal["active", "eliminated", "won"]
Note = opt_str(500)
Remark = opt_str(500)
# JSON bodies are strict (no "1" for 1, no 0 for false); money and dates arrive as text, so those fields are lax.
# Pages parse their forms with a lax twin (loam.web.forms.lax).
STRICT = ConfigDict(extra="forbid", strict=True)


class OpportunityFields(BaseModel):
    name: Name
    customer_id: Id
    amount: Money = Field(Decimal("0.00"), strict=False)
    currency: Currency = "CNY"
    amount_from_lines: bool = False
    expected_close: IsoDate | None = Field(None, strict=False)
    probability_override: int | None = Field(None, ge=0, le=100)
    source: Source | None = None
    remark: OptText = None
    custom: dict[str, Any] = Field(default_factory=dict)
    lines: list[ProductLineWrite] | None = Field(
        None, max_length=200, description="Product lines; omitted (null) leaves the lines as they are."
    )


class OpportunityCreate(OpportunityFields):
    """A new opportunity owned by the caller. Without ``pipeline_id`` the default pipeline that applies to
    the caller's department is used; without ``stage_id`` its first open stage. A later start stage must have
    its required fields filled in and its checklist ticked (``checklist``)."""

    model_config = STRICT
    pipeline_id: Id | None = None
    stage_id: Id | None = None
    checklist: list[str] = Field(
        default_factory=list, max_length=50, description="Checklist items of the start stage ticked at creation."
    )


class OpportunityUpdate(OpportunityFields):
    """A full edit (the stage changes only through a move); ``version`` must be the one read (409)."""

    model_config = STRICT
    version: int = Field(ge=1, le=2_147_483_647)


class OpportunityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    customer_id: int
    pipeline_id: int
    stage_id: int
    status: str
    amount: Decimal
    currency: str
    amount_from_lines: bool
    expected_close: date | None
    probability: int
    probability_override: int | None
    computed_probability: int | None
    source: str | None
    remark: str | None
    lost_reason_id: int | None
    lost_note: str | None
    closed_at: datetime | None
    stage_entered_at: datetime
    checklist_done: dict[str, Any]
    owner_id: int | None
    department_id: int | None
    custom: dict[str, Any]
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class OpportunityDetail(OpportunityRead):
    lines: list[ProductLineRead] = Field(default_factory=list)


class OpportunityFilters(BaseModel):
    """Filters shared by the list page, the kanban, the API and the CLI (R17)."""

    q: str | None = Field(None, max_length=100)
    pipeline_id: Id | None = None
    stage_id: Id | None = None
    status: Status | None = None
    owner_id: Id | None = None
    mine: bool = False
    customer_id: Id | None = None
    close_from: IsoDate | None = None
    close_to: IsoDate | None = None
    amount_min: Money | None = None
    amount_max: Money | None = None
    custom: dict[str, str] = Field(default_factory=dict)


class MoveRequest(BaseModel):
    """Move to a stage. Won/lost/invalid need a reason: ``note`` for won, ``lost_reason_id`` (from the list of
    that kind) for lost/invalid. ``checklist`` ticks items of the target stage on the way; ``probability``
    overrides the stage default (open stages only); ``version``, when sent, must be the one read (409)."""

    model_config = STRICT
    stage_id: Id
    lost_reason_id: Id | None = None
    note: Note = None  # type: ignore[valid-type]
    probability: int | None = Field(None, ge=0, le=100)
    checklist: list[str] = Field(default_factory=list, max_length=50)
    version: int | None = Field(None, ge=1, le=2_147_483_647)


class ChecklistTick(BaseModel):
    model_config = STRICT
    stage_id: Id
    items: list[str] = Field(default_factory=list, max_length=50)


class TransferRequest(BaseModel):
    model_config = STRICT
    owner_id: Id
    keep_as_member: bool = True


class BatchRequest(BaseModel):
    """One action on many opportunities; each record succeeds or fails on its own (reported per id)."""

    model_config = STRICT
    ids: list[Id] = Field(min_length=1, max_length=500)
    action: Literal["transfer", "move", "delete"]
    owner_id: Id | None = None
    stage_id: Id | None = None
    lost_reason_id: Id | None = None
    note: Note = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _needs(self) -> BatchRequest:
        if self.action == "transfer" and self.owner_id is None:
            raise ValueError("owner_id is required to transfer")
        if self.action == "move" and self.stage_id is None:
            raise ValueError("stage_id is required to move")
        return self


class BatchItem(BaseModel):
    id: int
    ok: bool
    error: str | None = None
    status: int | None = None


class BatchResult(BaseModel):
    results: list[BatchItem]
    done: int
    failed: int


class ContactLinkWrite(BaseModel):
    model_config = STRICT
    contact_id: Id
    role: ContactRole | None = None
    remark: Remark = None  # type: ignore[valid-type]
    chain: Chain | None = None  # the power-map chain in this deal; left as it is when not sent


class ContactLinkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    opportunity_id: int
    contact_id: int
    role: str | None
    chain: str | None = None
    remark: str | None


class CompetitorWrite(BaseModel):
    model_config = STRICT
    name: Name
    quoted_price: Money | None = Field(None, strict=False)
    currency: Currency = "CNY"
    status: CompetitorStatus = "active"
    remark: OptText = None


class CompetitorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    opportunity_id: int
    name: str
    quoted_price: Decimal | None
    currency: str
    status: str
    remark: str | None
    updated_at: datetime


class TeamMemberWrite(BaseModel):
    model_config = STRICT
    user_id: Id
    access: Literal["read", "write"] = "read"
    role: TeamRole | None = None
    expires_at: LocalDatetime = Field(None, strict=False)


class TeamMemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int
    access: str
    role: str | None
    expires_at: datetime | None


class StageMoveRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    opportunity_id: int
    from_stage_id: int | None
    to_stage_id: int
    user_id: int | None
    at: datetime
    duration_seconds: int | None
    note: str | None


class StageMoveFilters(BaseModel):
    """Filters of :func:`loam.opportunities.moves.stage_moves` (the reports read stage history with them)."""

    pipeline_id: Id | None = None
    opportunity_id: Id | None = None
    owner_id: Id | None = None
    department_id: Id | None = None
    since: LocalDatetime = None
    until: LocalDatetime = None


# --- the major-opportunity gate (立项) ---

GateStatus = Literal["none", "pending", "approved", "rejected"]


class GateSubmit(BaseModel):
    """Submit the project approval; ``chosen_approvers`` (step position → user ids) for steps whose approvers the
    submitter picks."""

    model_config = ConfigDict(extra="forbid")
    comment: opt_str(2000) = None  # type: ignore[valid-type]
    chosen_approvers: dict[int, list[Id]] | None = None


class GateInputsWrite(BaseModel):
    """Inputs of the gate kept on the opportunity itself: the explicit "no competitor known" tick."""

    model_config = STRICT
    no_competitor: bool


class GateInputRead(BaseModel):
    key: str
    label: str
    ok: bool


class GateRead(BaseModel):
    """The gate of one opportunity: whether it applies (amount ≥ the pipeline's gate amount and the pipeline has a
    gate stage), its status, each required input and whether the caller may submit now."""

    opportunity_id: int
    required: bool
    gate_amount: Decimal
    currency: str
    gate_stage_id: int | None
    gate_stage_name: str | None
    status: GateStatus
    decided_at: datetime | None
    no_competitor: bool
    inputs: list[GateInputRead]
    ready: bool
    can_submit: bool
    locked: bool
    approval_id: int | None


# --- the learned win probability ---


class ScoringSettings(BaseModel):
    """The company's win-probability model: the features it learns from (keys of
    ``loam.opportunities.scoring.FEATURES``), the amount band limits (ascending) and the minimum number of closed
    (won + lost) opportunities before it computes anything; ``version`` as read (409 when stale)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    features: list[Annotated[str, Field(max_length=30)]] = Field(min_length=1, max_length=20)
    amount_bands: list[Annotated[Money, Field(strict=False)]] = Field(default_factory=list, max_length=10)
    min_closed: int = Field(20, ge=2, le=1_000_000)
    version: int = Field(ge=1, le=2_147_483_647)

    @model_validator(mode="after")
    def _check(self) -> ScoringSettings:
        from loam.opportunities.scoring import FEATURES

        unknown = [f for f in self.features if f not in FEATURES]
        if unknown:
            raise ValueError(f"unknown feature {unknown[0]!r}")
        self.features = list(dict.fromkeys(self.features))
        if any(b <= 0 for b in self.amount_bands) or sorted(set(self.amount_bands)) != self.amount_bands:
            raise ValueError("amount bands must be positive and ascending")
        return self


class FeatureOption(BaseModel):
    key: str
    label: str


class ScoringModelRead(BaseModel):
    """The model's settings and its last training: ``status`` never (not run yet), ok, or insufficient (fewer
    closed opportunities than ``min_closed``, or no won or no lost one: nothing computed)."""

    features: list[str]
    amount_bands: list[Decimal]
    min_closed: int
    status: Literal["never", "ok", "insufficient"]
    trained_at: datetime | None
    closed_count: int
    won_count: int
    lost_count: int
    scored_count: int
    duration_ms: int
    version: int
    available: list[FeatureOption] = Field(default_factory=list)


class FactorRead(BaseModel):
    """One factor: the opportunity's value of a feature, how many closed opportunities with that value were won and
    lost, and the likelihood ratio P(value | won) / P(value | lost) it multiplies the odds by."""

    feature: str
    feature_label: str
    value: Any
    value_label: str
    won: int
    lost: int
    ratio: float


class ProbabilityRead(BaseModel):
    opportunity_id: int
    computed_probability: int | None
    trained_at: datetime | None
    size: int | None
    won: int | None
    lost: int | None
    factors: list[FactorRead]
    note: str | None = None
