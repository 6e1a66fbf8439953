"""The 12+1 contact scenarios (场景标准化): the catalogue, and the scenario a follow-up followed.

The catalogue (``relationships.manage``) is data with defaults (R23): names, the relationship layer a scenario
builds, its checklist, quality standard, typical budget and, for the "+1" hospitality scenario, the compliance limit
per guest. A scenario that follow-ups name is never deleted, only deactivated; editing its checklist moves the ticks
past follow-ups put on its items along with them.

On a follow-up: whoever may edit the follow-up (its author, or someone who can edit its customer or lead) and holds
``relationships.update`` picks a scenario, ticks its checklist, records guests and money spent (a hospitality
scenario refuses more than its limit per guest) and afterwards rates it: quality 1–5 and the effect on support and
stage, which are *suggestions* for the contacts of the follow-up — the account manager confirms stage and support
changes on each contact's profile. :func:`ratings` rolls the ratings up per customer for planning and evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from loam.activities import service as followup_service
from loam.activities.models import FollowUp
from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.config import settings
from loam.contacts import service as contact_service
from loam.db import utcnow
from loam.errors import Conflict, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.relationships import access
from loam.relationships import scenarios_repository as repo
from loam.relationships.models import ContactScenario, FollowUpScenario
from loam.relationships.schemas_scenarios import (
    LAYERS,
    ChecklistItem,
    FollowUpScenarioWrite,
    RatingWrite,
    ScenarioCreate,
    ScenarioOrder,
    ScenarioUpdate,
)

CATALOGUE = "contact_scenario"
RECORD = "followup_scenario"
CENT = Decimal("0.01")


# --- the catalogue ---


def list_scenarios(session: Session, active_only: bool = True) -> list[ContactScenario]:
    """The catalogue in display order (only the active scenarios unless asked otherwise)."""
    return repo.scenarios(session, active_only)


def get_scenario(session: Session, scenario_id: int) -> ContactScenario:
    found = repo.scenario(session, scenario_id)
    if found is None:
        raise NotFound(_("Scenario not found."))
    return found


def usage(session: Session) -> dict[int, int]:
    """How many follow-ups name each scenario (the admin page shows it; a used scenario cannot be deleted)."""
    return repo.usage(session)


def _items(checklist: list[ChecklistItem]) -> list[dict[str, str]]:
    return [{"zh": item.zh or "", "en": item.en or ""} for item in checklist]


def _check_limit(hospitality: bool, limit: Decimal | None) -> None:
    if hospitality and limit is None:
        msg = _("A hospitality scenario needs its compliance limit per guest.")
        raise Invalid(msg, detail={"limit_per_head": msg})


def _new_code(session: Session) -> str:
    taken = repo.codes(session)
    n = len(taken) + 1
    while f"custom_{n}" in taken:
        n += 1
    return f"custom_{n}"


def create_scenario(session: Session, scope: Scope, data: ScenarioCreate) -> ContactScenario:
    """Add a scenario at the end of the catalogue (``relationships.manage``); a taken code is a 409; audited."""
    access.require_manage(scope)
    _check_limit(data.hospitality, data.limit_per_head)
    code = data.code or _new_code(session)
    if repo.by_code(session, code) is not None:
        msg = _("A scenario with this code already exists.")
        raise Conflict(msg, detail={"code": msg})
    values = data.model_dump(exclude={"code", "checklist"})
    scenario = ContactScenario(
        **values, code=code, checklist=_items(data.checklist), position=repo.next_position(session)
    )
    session.add(scenario)
    session.flush()
    audit.record(session, scope, CATALOGUE, scenario.id, "create", {"code": [None, code], "name": [None, data.name_zh]})
    return scenario


def _tick_map(old: list[dict[str, str]], new: list[ChecklistItem]) -> dict[int, int]:
    """Old index → new index of each item that stays: by ``was``, else by identical text."""
    mapping: dict[int, int] = {}
    for j, item in enumerate(new):
        if item.was is not None and item.was < len(old) and item.was not in mapping:
            mapping[item.was] = j
    claimed = set(mapping.values())
    for j, item in enumerate(new):
        if j in claimed or item.was is not None:
            continue
        for i, o in enumerate(old):
            if i not in mapping and (o.get("zh"), o.get("en")) == (item.zh or "", item.en or ""):
                mapping[i] = j
                break
    return mapping


def _move_ticks(session: Session, scenario: ContactScenario, new: list[ChecklistItem]) -> None:
    """The checklist changes: past follow-ups' ticks follow their items; ticks on removed items go."""
    mapping = _tick_map(list(scenario.checklist or []), new)
    if all(mapping.get(i) == i for i in range(len(scenario.checklist or []))):
        return
    rows = []
    for followup_id, checked in repo.ticks_of(session, scenario.id):
        moved = sorted(mapping[i] for i in checked if i in mapping)
        if moved != sorted(checked):
            rows.append({"followup_id": followup_id, "checked": moved})
    repo.set_ticks(session, rows)


def update_scenario(session: Session, scope: Scope, scenario_id: int, data: ScenarioUpdate) -> ContactScenario:
    """Change the fields sent (``relationships.manage``); a stale ``version`` is a 409 and nothing changes. A new
    checklist keeps past follow-ups' ticks on the items that stay; audited."""
    access.require_manage(scope)
    scenario = get_scenario(session, scenario_id)
    if data.version != scenario.version:
        raise Conflict(_("Someone else changed this scenario. Reload and try again."))
    sent = data.model_fields_set - {"version"}
    values: dict[str, Any] = {k: getattr(data, k) for k in sent if k != "checklist"}
    _check_limit(
        values.get("hospitality", scenario.hospitality),
        values.get("limit_per_head", scenario.limit_per_head),
    )
    if data.checklist is not None:
        _move_ticks(session, scenario, data.checklist)
        values["checklist"] = _items(data.checklist)
    changes = audit.apply_changes(scenario, values)
    if changes:
        session.flush()
        action = "update"
        if set(changes) == {"active"}:
            action = "activate" if scenario.active else "deactivate"
        audit.record(session, scope, CATALOGUE, scenario.id, action, changes)
    return scenario


def set_active(session: Session, scope: Scope, scenario_id: int, active: bool) -> ContactScenario:
    """Deactivate (no longer offered to follow-ups; those that name it keep it) or reactivate a scenario."""
    access.require_manage(scope)
    scenario = get_scenario(session, scenario_id)
    data = ScenarioUpdate.model_validate({"active": active, "version": scenario.version})
    return update_scenario(session, scope, scenario_id, data)


def delete_scenario(session: Session, scope: Scope, scenario_id: int) -> None:
    """Delete a scenario no follow-up ever named (409 otherwise: deactivate it instead); audited."""
    access.require_manage(scope)
    scenario = get_scenario(session, scenario_id)
    if repo.used(session, scenario.id):
        raise Conflict(_("Follow-ups use this scenario: deactivate it instead."))
    audit.record(session, scope, CATALOGUE, scenario.id, "purge", {"code": [scenario.code, None]})
    session.delete(scenario)
    session.flush()


def reorder(session: Session, scope: Scope, data: ScenarioOrder) -> list[ContactScenario]:
    """Put the catalogue in the given order (every scenario exactly once, 422 otherwise); each scenario whose place
    changed gets an audit row."""
    access.require_manage(scope)
    found = repo.scenarios(session)
    by_id = {s.id: s for s in found}
    if sorted(data.ids) != sorted(by_id):
        raise Invalid(_("List every scenario of the catalogue exactly once."))
    for position, sid in enumerate(data.ids, start=1):
        scenario = by_id[sid]
        if scenario.position != position:
            audit.record(session, scope, CATALOGUE, sid, "move", {"position": [scenario.position, position]})
            scenario.position = position
    session.flush()
    return sorted(found, key=lambda s: s.position)


def move(session: Session, scope: Scope, scenario_id: int, offset: int) -> None:
    """Swap a scenario with its neighbour (−1 up, +1 down)."""
    access.require_manage(scope)
    ids = [s.id for s in repo.scenarios(session)]
    if scenario_id not in ids:
        raise NotFound(_("Scenario not found."))
    i = ids.index(scenario_id)
    j = max(0, min(len(ids) - 1, i + offset))
    ids[i], ids[j] = ids[j], ids[i]
    reorder(session, scope, ScenarioOrder(ids=ids))


# --- the scenario of a follow-up ---


def _followup(session: Session, scope: Scope, followup_id: int, write: bool) -> FollowUp:
    """A visible follow-up (404), then the permissions (403): to write, the follow-up's own edit rule (author or
    writer of its customer/lead, ``followups.update``) plus ``relationships.update``; to read, ``.view``."""
    if write:
        followup = followup_service.get_for_update(session, scope, followup_id)
        authz_service.require(scope, Permission.relationships_update)
    else:
        followup = followup_service.get(session, scope, followup_id)
        authz_service.require(scope, Permission.relationships_view)
    return followup


def can_edit(session: Session, scope: Scope, followup: FollowUp) -> bool:
    """Whether the caller may pick, tick and rate the scenario of a follow-up they see."""
    return scope.can(Permission.relationships_update) and followup_service.can_change(
        session, scope, followup, Permission.followups_update
    )


def of_followup(session: Session, scope: Scope, followup_id: int) -> tuple[FollowUp, FollowUpScenario | None]:
    """A visible follow-up (404) and its scenario record, if any (``relationships.view``, 403)."""
    followup = _followup(session, scope, followup_id, write=False)
    return followup, repo.record(session, followup.id)


def _usable(session: Session, scenario_id: int, current: FollowUpScenario | None) -> ContactScenario:
    """An active scenario — or the one the follow-up already names, even if deactivated since."""
    found = repo.scenario(session, scenario_id)
    if found is None or not (found.active or (current is not None and current.scenario_id == found.id)):
        msg = _("Choose one of the active scenarios.")
        raise Invalid(msg, detail={"scenario_id": msg})
    return found


def _ticks(scenario: ContactScenario, checked: list[int]) -> list[int]:
    size = len(scenario.checklist or [])
    bad = [i for i in checked if i >= size]
    if bad:
        msg = _("Checklist item %(n)s does not exist: this scenario has %(count)s items.", n=bad[0] + 1, count=size)
        raise Invalid(msg, detail={"checked": msg})
    return sorted(set(checked))


def _check_spend(scenario: ContactScenario, guests: int | None, spent: Decimal | None) -> None:
    """The compliance limit of a hospitality scenario: money spent per guest at most ``limit_per_head``."""
    limit = scenario.limit_per_head
    if not scenario.hospitality or limit is None or not spent:
        return
    params = {"limit": f"{limit:,.2f}", "currency": scenario.currency}
    if not guests:
        msg = _("Enter the number of guests: hospitality is limited to %(limit)s %(currency)s per guest.", **params)
        raise Invalid(msg, detail={"guests": msg})
    if spent > limit * guests:
        per_head = (spent / guests).quantize(CENT, ROUND_HALF_UP)
        msg = _(
            "%(per_head)s %(currency)s per guest is above the compliance limit of %(limit)s %(currency)s per guest.",
            per_head=f"{per_head:,.2f}",
            **params,
        )
        raise Invalid(msg, detail={"spent": msg})


def _save(
    session: Session, scope: Scope, followup: FollowUp, record: FollowUpScenario | None, values: dict[str, Any]
) -> FollowUpScenario:
    if record is None:
        record = FollowUpScenario(followup_id=followup.id, **values)
        session.add(record)
        session.flush()
        audit.record(session, scope, RECORD, followup.id, "create", {k: [None, v] for k, v in values.items()})
        return record
    changes = audit.apply_changes(record, values)
    if changes:
        session.flush()
        audit.record(session, scope, RECORD, followup.id, "update", changes)
    return record


def _check_version(record: FollowUpScenario | None, version: int | None) -> None:
    """409 when the client read another version than the stored one (or a record that has since gone)."""
    if version is not None and (record is None or record.version != version):
        raise Conflict(_("Someone else changed this follow-up's scenario. Reload and try again."))


def choose(session: Session, scope: Scope, followup_id: int, data: FollowUpScenarioWrite) -> FollowUpScenario:
    """Set the scenario of a follow-up with its ticked checklist, guests and money spent (a full replace; the
    rating is kept). 422 for an inactive scenario, a checklist index out of range, or spending above a hospitality
    scenario's limit per guest; 409 for a stale ``version``; nothing is written then."""
    followup = _followup(session, scope, followup_id, write=True)
    record = repo.record(session, followup.id)
    _check_version(record, data.version)
    scenario = _usable(session, data.scenario_id, record)
    checked = _ticks(scenario, data.checked)
    _check_spend(scenario, data.guests, data.spent)
    values = {"scenario_id": scenario.id, "checked": checked, "guests": data.guests, "spent": data.spent}
    return _save(session, scope, followup, record, values)


def change_scenario(
    session: Session, scope: Scope, followup_id: int, scenario_id: int | None, version: int | None = None
) -> FollowUpScenario | None:
    """The scenario select (follow-up form, panel): switch to another scenario — ticks cleared, as they were on the
    old checklist; guests, money and rating kept (the limit is checked again) — or to none (the record goes);
    409 for a stale ``version``."""
    followup = _followup(session, scope, followup_id, write=True)
    record = repo.record(session, followup.id)
    _check_version(record, version)
    if scenario_id is None:
        if record is not None:
            _remove(session, scope, record)
        return None
    if record is not None and record.scenario_id == scenario_id:
        return record
    scenario = _usable(session, scenario_id, record)
    if record is not None:
        _check_spend(scenario, record.guests, record.spent)
    return _save(session, scope, followup, record, {"scenario_id": scenario.id, "checked": []})


def _remove(session: Session, scope: Scope, record: FollowUpScenario) -> None:
    audit.record(session, scope, RECORD, record.followup_id, "purge", {"scenario_id": [record.scenario_id, None]})
    session.delete(record)
    session.flush()


def remove(session: Session, scope: Scope, followup_id: int) -> None:
    """Take the scenario (with its ticks and rating) off a follow-up; 404 when it has none."""
    followup = _followup(session, scope, followup_id, write=True)
    record = repo.record(session, followup.id)
    if record is None:
        raise NotFound(_("No scenario is recorded for this follow-up."))
    _remove(session, scope, record)


def rate(session: Session, scope: Scope, followup_id: int, data: RatingWrite) -> FollowUpScenario:
    """Rate the activity once it has taken place: quality 1–5, effect on support −2…+2 and on stage −1…+1 (shown as
    suggestions, never applied to the contacts); records who rated it and when; audited."""
    followup = _followup(session, scope, followup_id, write=True)
    record = repo.record(session, followup.id)
    if record is None:
        raise Invalid(_("Choose the follow-up's scenario before rating it."))
    _check_version(record, data.version)
    if followup.occurred_at > utcnow():
        raise Invalid(_("Rate the activity after it has taken place."))
    values = data.model_dump(exclude={"version"}) | {"rated_by": scope.user_id, "rated_at": utcnow()}
    changes = audit.apply_changes(record, values)
    session.flush()
    audit.record(session, scope, RECORD, followup.id, "rate", changes)
    return record


@dataclass(frozen=True)
class Suggestion:
    """What a rating suggests for one contact: ``field`` ("support" or "stage") from ``current`` to ``proposed``."""

    contact_id: int
    contact_name: str
    field: str
    effect: int
    current: int
    proposed: int


def suggestions(session: Session, followup: FollowUp, record: FollowUpScenario | None) -> list[Suggestion]:
    """The rating's effect on each contact of the follow-up (its relationship profile, or stage 1 / neutral when it
    has none), within the scales (support −2…+2, stage 1…4); contacts it would not change are left out."""
    contact_ids: list[int] = list(getattr(followup, "contact_ids", []))
    if record is None or record.quality is None or not contact_ids:
        return []
    profiles = repo.profiles(session, contact_ids)
    names = contact_service.names_by_id(session, contact_ids)
    out: list[Suggestion] = []
    for cid in contact_ids:
        stage, support = profiles.get(cid, (1, 0))
        for name, effect, current, low, high in (
            ("support", record.support_effect or 0, support, -2, 2),
            ("stage", record.stage_effect or 0, stage, 1, 4),
        ):
            proposed = max(low, min(high, current + effect))
            if proposed != current:
                out.append(Suggestion(cid, names.get(cid, ""), name, effect, current, proposed))
    return out


# --- the rollup for planning and evaluation ---


@dataclass(frozen=True)
class LayerRatings:
    count: int = 0  # follow-ups with a scenario
    rated: int = 0  # of which rated
    mean_quality: float | None = None  # mean of the ratings, 2 decimals


@dataclass(frozen=True)
class ScenarioRatings:
    """One customer's scenario activity since a date: totals and per relationship layer (key / broad / org)."""

    count: int = 0
    rated: int = 0
    mean_quality: float | None = None
    by_layer: dict[str, LayerRatings] = field(default_factory=dict)


def _mean(total: int, n: int) -> float | None:
    return float((Decimal(total) / n).quantize(CENT, ROUND_HALF_UP)) if n else None


def ratings(session: Session, customer_ids: list[int], since: date) -> dict[int, ScenarioRatings]:
    """Per customer: the live follow-ups since ``since`` (a day in company time) that followed a scenario, how many
    were rated and their mean quality, in total and by the layer each scenario builds (its layer today). Every id
    asked for is in the answer (zeros when none). One grouped query per 10,000 customers; no scope — the caller has
    decided which customers it may see."""
    start = datetime.combine(since, time.min, tzinfo=ZoneInfo(settings.timezone))
    sums: dict[int, dict[str, tuple[int, int, int]]] = {}
    for cid, layer, n, rated, total in repo.rollup_rows(session, sorted(set(customer_ids)), start):
        sums.setdefault(cid, {})[layer] = (n, rated, int(total or 0))
    out: dict[int, ScenarioRatings] = {}
    for cid in customer_ids:
        layers = sums.get(cid, {})
        n = sum(v[0] for v in layers.values())
        rated = sum(v[1] for v in layers.values())
        total = sum(v[2] for v in layers.values())
        by_layer = {k: LayerRatings(*layers[k][:2], _mean(layers[k][2], layers[k][1])) for k in LAYERS if k in layers}
        out[cid] = ScenarioRatings(n, rated, _mean(total, rated), by_layer)
    return out
