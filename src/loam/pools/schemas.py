"""Shapes of public pools, their members and the pool actions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator

from loam.kit.schemas import MAX_ID, OptShort, OptStr, name_str
from loam.pools.rules import LEVELS, RULE_KEYS


def _json_integer(value: object) -> object:
    """The API takes numbers as JSON integers, as its schema says: not ``true``, not ``"5"``.

    HTML forms go through PoolForm / ReleaseForm / DistributeForm, which turn their text into numbers first.
    """
    if isinstance(value, bool | str):
        raise ValueError("expected an integer")
    return value


NoBool = BeforeValidator(_json_integer)
Id = Annotated[int, NoBool, Field(ge=1, le=MAX_ID)]
FormId = Annotated[int, Field(ge=1, le=MAX_ID)]
Days = Annotated[int, NoBool, Field(ge=1, le=3650)]
DaysOrOff = Annotated[int, NoBool, Field(ge=0, le=3650)]  # 0: off
WarnDays = Annotated[int, NoBool, Field(ge=0, le=365)]
ClaimCap = Annotated[int, NoBool, Field(ge=1, le=10_000)]
OwnedCap = Annotated[int, NoBool, Field(ge=1, le=1_000_000)]
PoolName = name_str(100)
Level = Literal["key", "normal", "minor"]


class LevelRule(BaseModel):
    """Per-level override: empty = the pool's default, 0 = this rule is off for the level."""

    model_config = ConfigDict(extra="forbid")
    no_followup_days: DaysOrOff | None = None
    no_deal_days: DaysOrOff | None = None


class PoolMemberWrite(BaseModel):
    """A user, or a department (and its sub-departments when ``include_children``)."""

    model_config = ConfigDict(extra="forbid")
    user_id: Id | None = None
    department_id: Id | None = None
    include_children: StrictBool = True

    @model_validator(mode="after")
    def _one_of(self) -> PoolMemberWrite:
        if (self.user_id is None) == (self.department_id is None):
            raise ValueError("give either user_id or department_id")
        return self


class PoolFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: PoolName
    description: OptStr = None
    active: StrictBool = True
    no_followup_days: Days | None = None
    no_deal_days: Days | None = None
    level_rules: dict[Level, LevelRule] = Field(default_factory=dict)
    exempt_closed: StrictBool = True
    warn_days: WarnDays = 3
    daily_claim_cap: ClaimCap | None = None
    owned_cap: OwnedCap | None = None
    cooldown_days: DaysOrOff = 0
    members: list[PoolMemberWrite] = Field(default_factory=list, max_length=500)

    def level_rules_json(self) -> dict[str, dict[str, int]]:
        """Only the overrides that are set, as stored in ``Pool.level_rules``."""
        out: dict[str, dict[str, int]] = {}
        for level, rule in self.level_rules.items():
            values = {k: v for k, v in rule.model_dump().items() if v is not None}
            if values:
                out[level] = values
        return out


class PoolCreate(PoolFields):
    pass


class PoolUpdate(PoolFields):
    """A full edit; ``version`` must be the one read (409 otherwise)."""

    version: Id


def _number(value: str | None) -> int | str | None:
    """Form text → int when it is a whole number; anything else is passed on to fail validation by name."""
    if value is None:
        return None
    text = value.strip()
    return int(text) if text.lstrip("-").isdigit() and len(text) < 12 else text


class PoolForm(BaseModel):
    """The HTML form: flat fields (a 3-level rule table, two department pickers) turned into PoolCreate/Update."""

    model_config = ConfigDict(extra="ignore")
    name: str = ""
    description: str | None = None
    active: bool = False
    no_followup_days: str | None = None
    no_deal_days: str | None = None
    exempt_closed: bool = False
    warn_days: str | None = "0"
    daily_claim_cap: str | None = None
    owned_cap: str | None = None
    cooldown_days: str | None = "0"
    version: str | None = None
    member_users: list[str] = Field(default_factory=list, max_length=500)
    member_departments: list[str] = Field(default_factory=list, max_length=500)
    member_departments_only: list[str] = Field(default_factory=list, max_length=500)
    levels: dict[str, str | None] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _collect_levels(cls, data: Any) -> Any:
        """Inputs named ``lr.<level>.<rule>`` (the level table) are gathered under ``levels``."""
        if isinstance(data, dict):
            levels = {k[3:]: v for k, v in data.items() if isinstance(k, str) and k.startswith("lr.")}
            data = {k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("lr."))}
            data["levels"] = levels
        return data

    def payload(self) -> dict[str, Any]:
        """The dict to validate as PoolCreate / PoolUpdate (field errors then name the real fields)."""
        data = self.model_dump(exclude={"member_users", "member_departments", "member_departments_only", "levels"})
        for key in ("no_followup_days", "no_deal_days", "warn_days", "daily_claim_cap", "owned_cap", "cooldown_days"):
            data[key] = _number(data[key])
        data["warn_days"] = data["warn_days"] or 0
        data["cooldown_days"] = data["cooldown_days"] or 0
        data["version"] = _number(data["version"])
        if not data["version"]:
            data.pop("version")
        members: list[dict[str, Any]] = [{"user_id": _number(u)} for u in self.member_users]
        members += [{"department_id": _number(d), "include_children": True} for d in self.member_departments]
        members += [{"department_id": _number(d), "include_children": False} for d in self.member_departments_only]
        data["members"] = members
        rules: dict[str, dict[str, Any]] = {}
        for key, value in self.levels.items():
            level, _, rule_key = key.partition(".")
            if level in LEVELS and rule_key in RULE_KEYS:
                rules.setdefault(level, {})[rule_key] = _number(value)
        data["level_rules"] = rules
        return data


class PoolMemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int | None
    department_id: int | None
    include_children: bool


class PoolRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    description: str | None
    active: bool
    no_followup_days: int | None
    no_deal_days: int | None
    level_rules: dict[str, Any]
    exempt_closed: bool
    warn_days: int
    daily_claim_cap: int | None
    owned_cap: int | None
    cooldown_days: int
    version: int
    created_at: datetime
    updated_at: datetime
    members: list[PoolMemberRead] = Field(default_factory=list)
    customer_count: int = 0


class ReleaseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pool_id: Id | None = None
    reason: OptShort = None


class DistributeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: Id


class ReleaseForm(BaseModel):
    """The release form of the customer page (text inputs)."""

    pool_id: FormId | None = None
    reason: OptShort = None


class DistributeForm(BaseModel):
    """The assign form of the pool page (a select)."""

    user_id: FormId


class RuleResultRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    returned: int
    warned: int
    checked: int
