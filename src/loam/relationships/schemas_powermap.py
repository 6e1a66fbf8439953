"""Shapes of the power map (权力地图): nodes, edges, the map with its status, informal links and the node edit."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from loam.kit.i18n import N_
from loam.kit.schemas import Id, opt_str
from loam.opportunities.schemas import CHAINS, CONTACT_ROLES, Chain, ContactRole

__all__ = ["CHAINS", "CONTACT_ROLES", "Chain", "ContactRole"]

LINK_KINDS = {"influences": N_("Influences"), "conflicts": N_("Conflicts with"), "personal": N_("Personal tie")}
# Formal lines come from the contacts' reporting lines; they are drawn, never stored as power links.
EDGE_KINDS = {"reports_to": N_("Reports to"), **LINK_KINDS}
STATUSES = {"red": N_("Red"), "amber": N_("Amber"), "green": N_("Green")}
STATUS_HELP = {
    "red": N_("No supportive key player."),
    "amber": N_("A supportive key player, but no supportive decision maker or approver with a coach."),
    "green": N_("A supportive decision maker or approver, and a coach among the key players."),
}
SUPPORT = {
    -2: N_("Opposes us"),
    -1: N_("Not supportive"),
    0: N_("Neutral"),
    1: N_("Supportive"),
    2: N_("Strong supporter"),
}
INFLUENCE = {"high": N_("High influence"), "medium": N_("Medium influence"), "low": N_("Low influence")}

LinkKind = Literal["influences", "conflicts", "personal"]
Influence = Literal["high", "medium", "low"]
Status = Literal["red", "amber", "green"]
Remark = opt_str(500)
STRICT = ConfigDict(extra="forbid", strict=True)


class PowerLinkCreate(BaseModel):
    """An informal link between two contacts of the same customer (both visible, never a contact to itself)."""

    model_config = STRICT
    from_contact_id: Id
    to_contact_id: Id
    kind: LinkKind
    strength: int = Field(2, ge=1, le=3)
    remark: Remark = None  # type: ignore[valid-type]


class PowerLinkUpdate(BaseModel):
    """A partial change of a link: only the fields sent change."""

    model_config = STRICT
    kind: LinkKind | None = None
    strength: int | None = Field(None, ge=1, le=3)
    remark: Remark = None  # type: ignore[valid-type]


class PowerLinkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    from_contact_id: int
    to_contact_id: int
    kind: str
    strength: int
    remark: str | None
    created_at: datetime
    created_by: int | None


class NodeEdit(BaseModel):
    """The edit panel of one node. ``decision_role`` and ``chain`` go to the account-level profile, or — with an
    opportunity — to the contact's link to that opportunity; support, influence and coach always go to the
    profile (``version``: the profile's, when it exists). ``reports_to_id`` changes the formal line only when
    ``set_reports_to`` is true (the form always sends it; a JSON client may leave the line alone)."""

    model_config = STRICT
    decision_role: ContactRole | None = None
    chain: Chain | None = None
    support: int = Field(0, ge=-2, le=2)
    influence: Influence = "medium"
    coach: bool = False
    version: int | None = Field(None, ge=1)
    set_reports_to: bool = False
    reports_to_id: Id | None = None


class PowerMapNode(BaseModel):
    """One contact on the map: its effective role and chain (the opportunity's overlay wins over the account's)."""

    id: int
    name: str
    title: str | None
    dept_name: str | None
    level: str
    reports_to_id: int | None
    decision_role: str | None
    chain: str | None
    account_role: str | None
    account_chain: str | None
    deal_role: str | None
    deal_chain: str | None
    linked: bool  # linked to the opportunity (always true on an account map)
    support: int
    influence: str
    coach: bool
    key_player: bool
    supportive: bool
    departed: bool
    profile_version: int | None


class PowerMapEdge(BaseModel):
    """A formal reporting line (``reports_to``: source reports to target; no ``link_id``) or an informal link."""

    kind: str
    source: int
    target: int
    strength: int
    link_id: int | None = None
    remark: str | None = None


class PowerMapChecks(BaseModel):
    """What the status and the gate are decided on."""

    supportive_key_player: bool
    supportive_decider: bool
    coach: bool
    decision_maker: bool
    approver: bool


class PowerMapRead(BaseModel):
    customer_id: int
    opportunity_id: int | None
    status: Status
    status_label: str
    status_help: str
    checks: PowerMapChecks
    nodes: list[PowerMapNode]
    edges: list[PowerMapEdge]
