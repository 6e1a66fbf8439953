"""Key relationships (关键客户关系) per contact: the only writer of relationship profiles, stage changes, competitor
preferences and relationship owners; departures and the succession check (避免青黄不接); rising stars (明日之星).

Every write: the contact in scope (404) → relationships.update (403) → validation → write → audit row (entity
``contact_profile``, entity id = the contact's id). A contact without a stored profile has the default one
(S1, neutral, medium influence); the row is created by the first edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.contacts.models import Contact
from loam.errors import Conflict, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.kit.i18n import pick
from loam.relationships import access, keyscore
from loam.relationships import profiles_repository as repo
from loam.relationships import settings as method_settings
from loam.relationships.models import ContactCompetitorPreference, ContactProfile, ContactStageChange
from loam.relationships.profiles_repository import ScoreInput
from loam.relationships.schemas_profiles import (
    KEY_ROLES,
    CompetitorPreferencesWrite,
    ProfileUpdate,
    RelationOwnersWrite,
    StageChange,
)
from loam.relationships.scores import LayerScore

ENTITY = "contact_profile"
PROFILE_FIELDS = (
    "support",
    "coach",
    "influence",
    "decision_role",
    "chain",
    "orientation",
    "expected_days",
    "rising_star",
    "rising_reasons",
    "rising_owner_id",
    "rising_plan",
)
CONTACT_FIELDS = ("personality", "preferences")
SUCCESSION = "relationship_succession"


def default(contact_id: int) -> ContactProfile:
    """The profile of a contact nobody has described yet (not stored: ``version`` is None)."""
    return ContactProfile(
        contact_id=contact_id,
        stage=1,
        support=0,
        coach=False,
        influence="medium",
        decision_role=None,
        chain=None,
        orientation=None,
        expected_days=None,
        rising_star=False,
        rising_reasons=[],
        rising_owner_id=None,
        rising_plan=None,
        departed_on=None,
        updated_by=None,
        version=None,
    )


def is_saved(profile: ContactProfile) -> bool:
    return profile.version is not None


def get(session: Session, scope: Scope, contact_id: int) -> ContactProfile:
    """The relationship profile of a visible contact (404) for a holder of relationships.view (403); the default
    unsaved profile when none is stored."""
    access.contact(session, scope, contact_id)
    return repo.get(session, contact_id) or default(contact_id)


def _create(session: Session, scope: Scope, contact_id: int, **values: Any) -> ContactProfile:
    """Store the contact's profile: the defaults with ``values`` (one INSERT, version 1)."""
    profile = default(contact_id)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.version = 1
    profile.updated_by = scope.user_id
    try:
        with session.begin_nested():
            session.add(profile)
            session.flush()
    except IntegrityError as exc:  # someone else created it at the same moment
        raise Conflict(_("Someone else changed this relationship profile. Reload and try again.")) from exc
    return profile


def _check_version(profile: ContactProfile | None, version: int | None, required: bool) -> None:
    """A stored profile needs the version the client saw (409 when stale, or when it saw no profile)."""
    if profile is None:
        return
    if (version is None and required) or (version is not None and version != profile.version):
        raise Conflict(_("Someone else changed this relationship profile. Reload and try again."))


def _require_active_user(session: Session, user_id: int, field: str) -> None:
    from loam.org import service as org_service

    try:
        active = org_service.get_user(session, user_id).is_active
    except NotFound:
        active = False
    if not active:
        message = _("Choose an active user.")
        raise Invalid(message, detail={field: message})


def _check_rising(session: Session, profile: ContactProfile, values: dict[str, Any]) -> None:
    """A rising star names at least one reason and an owner on our side (an active user when newly chosen)."""
    merged = {f: values.get(f, getattr(profile, f)) for f in ("rising_star", "rising_reasons", "rising_owner_id")}
    if "rising_owner_id" in values and values["rising_owner_id"] not in (None, profile.rising_owner_id):
        _require_active_user(session, values["rising_owner_id"], "rising_owner_id")
    if not merged["rising_star"]:
        return
    errors = {}
    if not merged["rising_reasons"]:
        errors["rising_reasons"] = _("Give at least one reason for a rising star.")
    if merged["rising_owner_id"] is None:
        errors["rising_owner_id"] = _("Name the person on our side who owns this rising star.")
    if errors:
        raise Invalid(next(iter(errors.values())), detail=errors)


def _update_contact(session: Session, scope: Scope, contact: Contact, values: dict[str, Any]) -> None:
    """Personality and preferences are the contact's: saved through the contacts service (its rules apply)."""
    from loam.contacts import service as contact_service
    from loam.contacts.schemas import ContactUpdate

    changed = {k: v for k, v in values.items() if getattr(contact, k) != v}
    if not changed:
        return
    current = {k: getattr(contact, k) for k in ContactUpdate.model_fields if k != "custom"}
    try:
        data = ContactUpdate.model_validate(current | changed | {"custom": {}})
    except ValidationError as exc:
        raise Invalid(_("Some of this contact's details are not valid: edit the contact first.")) from exc
    contact_service.update(session, scope, contact.id, data)


def update(session: Session, scope: Scope, contact_id: int, data: ProfileUpdate) -> ContactProfile:
    """Change the fields sent (partial update); creates the profile on its first real change. A stored profile
    needs ``version`` (409 when stale or missing); audited with old and new values."""
    contact = access.contact(session, scope, contact_id, write=True)
    stored = repo.get(session, contact_id)
    _check_version(stored, data.version, required=True)
    sent = data.model_fields_set
    values = {f: getattr(data, f) for f in PROFILE_FIELDS if f in sent}
    profile = stored or default(contact_id)
    _check_rising(session, profile, values)
    _update_contact(session, scope, contact, {f: getattr(data, f) for f in CONTACT_FIELDS if f in sent})
    changes = {f: [getattr(profile, f), v] for f, v in values.items() if getattr(profile, f) != v}
    if not changes:
        return profile
    if stored is None:
        profile = _create(session, scope, contact_id, **values)
    else:
        audit.apply_changes(profile, values)
        profile.updated_by = scope.user_id
        session.flush()
    audit.record(session, scope, ENTITY, contact_id, "create" if stored is None else "update", changes)
    return profile


def change_stage(session: Session, scope: Scope, contact_id: int, data: StageChange) -> ContactProfile:
    """Move the relationship to ``to_stage`` (any other stage); moving up needs the evidence that the exit test
    was passed. Recorded in the stage history (who, when, evidence) and audited."""
    access.contact(session, scope, contact_id, write=True)
    stored = repo.get(session, contact_id)
    _check_version(stored, data.version, required=False)
    current = stored.stage if stored else 1
    if data.to_stage == current:
        message = _("The relationship is already at S%(n)s.", n=current)
        raise Conflict(message, detail={"to_stage": message})
    if data.to_stage > current and not data.evidence:
        message = _("Describe the evidence that the exit test was passed.")
        raise Invalid(message, detail={"evidence": message})
    if stored is None:
        profile = _create(session, scope, contact_id, stage=data.to_stage)
    else:
        profile = stored
        profile.stage = data.to_stage
        profile.updated_by = scope.user_id
    session.add(
        ContactStageChange(
            contact_id=contact_id,
            from_stage=current,
            to_stage=data.to_stage,
            evidence=data.evidence,
            changed_by=scope.user_id,
        )
    )
    session.flush()
    audit.record(session, scope, ENTITY, contact_id, "update", {"stage": [current, data.to_stage]}, data.evidence)
    return profile


def history(session: Session, scope: Scope, contact_id: int) -> list[ContactStageChange]:
    """The stage changes of a visible contact, newest first."""
    access.contact(session, scope, contact_id)
    return repo.stage_history(session, contact_id)


def competitor_preferences(session: Session, scope: Scope, contact_id: int) -> list[ContactCompetitorPreference]:
    access.contact(session, scope, contact_id)
    return repo.competitors(session, contact_id)


def set_competitor_preferences(
    session: Session, scope: Scope, contact_id: int, data: CompetitorPreferencesWrite
) -> list[ContactCompetitorPreference]:
    """Replace the contact's preference per competitor (each competitor once, case-insensitively); audited."""
    access.contact(session, scope, contact_id, write=True)
    seen: set[str] = set()
    for item in data.items:
        if str(item.competitor).casefold() in seen:
            message = _("%(name)s is listed twice.", name=item.competitor)
            raise Invalid(message, detail={"items": message})
        seen.add(str(item.competitor).casefold())
    old = sorted(f"{p.competitor}: {p.preference}" for p in repo.competitors(session, contact_id))
    new = sorted(f"{i.competitor}: {i.preference}" for i in data.items)
    if old != new:
        repo.replace_competitors(session, contact_id, [(i.competitor, i.preference) for i in data.items])
        audit.record(session, scope, ENTITY, contact_id, "update", {"competitors": [old, new]})
    return repo.competitors(session, contact_id)


def relation_owner_ids(session: Session, scope: Scope, contact_id: int) -> list[int]:
    access.contact(session, scope, contact_id)
    return repo.owner_ids(session, contact_id)


def set_relation_owners(session: Session, scope: Scope, contact_id: int, data: RelationOwnersWrite) -> list[int]:
    """Replace the people on our side who own the relationship (any user; newly added ones must be active)."""
    access.contact(session, scope, contact_id, write=True)
    old = repo.owner_ids(session, contact_id)
    for user_id in data.user_ids:
        if user_id not in old:
            _require_active_user(session, user_id, "user_ids")
    if sorted(old) != sorted(data.user_ids):
        repo.replace_owners(session, contact_id, data.user_ids)
        audit.record(session, scope, ENTITY, contact_id, "update", {"owners": [sorted(old), sorted(data.user_ids)]})
    return repo.owner_ids(session, contact_id)


def is_key_position(contact: Contact, profile: ContactProfile) -> bool:
    """High influence, a decision maker or approver on the account map, or an executive."""
    return profile.influence == "high" or profile.decision_role in KEY_ROLES or contact.level == "executive"


def mark_departed(session: Session, scope: Scope, contact_id: int, on: date, role_changed: bool = False) -> list[int]:
    """Record that the contact left the customer on ``on`` (or, with ``role_changed``, changed role: no departure
    date), then run the succession check: when the contact held a key position and no other current contact of
    the same customer and department is at S3 or above, alert the customer's owner and the contact's
    relationship owners. Returns the ids of the users alerted (empty when there is no gap)."""
    contact = access.contact(session, scope, contact_id, write=True)
    profile = repo.get(session, contact_id)
    if role_changed:
        audit.record(session, scope, ENTITY, contact_id, "update", {"role_changed": [None, on]})
    elif profile is None or profile.departed_on != on:
        old = profile.departed_on if profile else None
        if profile is None:
            profile = _create(session, scope, contact_id, departed_on=on)
        else:
            profile.departed_on, profile.updated_by = on, scope.user_id
            session.flush()
        audit.record(session, scope, ENTITY, contact_id, "update", {"departed_on": [old, on]})
    profile = profile or default(contact_id)
    return succession_check(session, contact, profile, on, role_changed)


def succession_check(
    session: Session, contact: Contact, profile: ContactProfile, on: date, role_changed: bool = False
) -> list[int]:
    """Alert (notification ``relationship_succession``) when a key position is left with no one at S3+."""
    if not is_key_position(contact, profile):
        return []
    if repo.successor_exists(session, contact.customer_id, contact.dept_name, contact.id, on):
        return []
    from loam.customers import service as customer_service
    from loam.notifications import service as notification_service

    customer = customer_service.get(session, Scope.system(), contact.customer_id)
    recipients = sorted({u for u in [customer.owner_id, *repo.owner_ids(session, contact.id)] if u is not None})
    params = {"contact": contact.name, "customer": customer.name, "department": contact.dept_name or "—"}
    key = f"{SUCCESSION}:{contact.id}:{on.isoformat()}:{'role' if role_changed else 'left'}"
    for user_id in recipients:
        notification_service.notify(session, user_id, SUCCESSION, params, "relationships", customer.id, key)
    return recipients


# --- what the pages and the API show ---


def stages(settings: dict[str, Any]) -> list[dict[str, Any]]:
    """S1–S4 with name and exit test in the current language."""
    return [
        {"n": s["n"], "name": pick(s.get("zh"), s.get("en")), "exit": pick(s.get("exit_zh"), s.get("exit_en"))}
        for s in settings["stages"]
    ]


@dataclass
class Card:
    """Everything the contact's relationship card and the API show."""

    contact: Contact
    profile: ContactProfile
    score: LayerScore
    competitors: list[ContactCompetitorPreference]
    owner_ids: list[int]
    history: list[ContactStageChange]
    stages: list[dict[str, Any]]
    expected_days: int  # in force: the profile's own or the level's default
    default_days: int  # the level's default
    can_edit: bool = False
    can_edit_contact: bool = False


def card(session: Session, scope: Scope, contact_id: int, as_of: date | None = None) -> Card:
    """A visible contact's profile with its score on ``as_of`` (default today), preferences, owners and history."""
    from loam.contacts import service as contact_service

    contact = access.contact(session, scope, contact_id)
    profile = repo.get(session, contact_id) or default(contact_id)
    data = method_settings.current(session)
    day = as_of or keyscore.today()
    score = keyscore.contact_scores(session, [contact_id], data, day).get(contact_id) or LayerScore(0, "")
    return Card(
        contact=contact,
        profile=profile,
        score=score,
        competitors=repo.competitors(session, contact_id),
        owner_ids=repo.owner_ids(session, contact_id),
        history=repo.stage_history(session, contact_id),
        stages=stages(data),
        expected_days=keyscore.expected_days(data["key"], contact.level, profile.expected_days),
        default_days=keyscore.expected_days(data["key"], contact.level, None),
        can_edit=scope.can(Permission.relationships_update),
        can_edit_contact=contact_service.can_change(session, scope, contact, Permission.contacts_update),
    )


@dataclass
class KeyRow:
    contact: Contact
    inputs: ScoreInput
    score: LayerScore


@dataclass
class CustomerKey:
    customer: Any
    score: LayerScore
    rows: list[KeyRow] = field(default_factory=list)


def customer_key(session: Session, scope: Scope, customer_id: int, as_of: date | None = None) -> CustomerKey:
    """A visible customer's key-relationship score and its visible contacts' scores, best first (departed last)."""
    from loam.contacts import service as contact_service

    customer = access.customer(session, scope, customer_id)
    data = method_settings.current(session)
    scores, contacts = keyscore.breakdown(session, [customer_id], data, as_of or keyscore.today())
    visible = contact_service.for_customer(session, scope, customer_id)
    rows = [KeyRow(c, *contacts[c.id]) for c in visible if c.id in contacts]
    rows.sort(key=lambda r: (r.inputs.departed_on is not None, -r.score.score, r.contact.name))
    return CustomerKey(customer, scores[customer_id], rows)


@dataclass
class RisingStar:
    profile: ContactProfile
    contact: Contact
    customer_name: str
    owner_name: str | None
    stages: list[tuple[int, date]]


def rising_stars(session: Session, scope: Scope, page: int = 1, size: int = 50) -> tuple[list[RisingStar], int]:
    """The rising stars among the contacts the caller sees, with their stage over time (from the history)."""
    from loam.contacts import service as contact_service
    from loam.org import service as org_service

    access.require_view(scope)
    rows, total = repo.rising_stars(session, contact_service.visible_ids(scope), page, size)
    contacts = [c for _p, c in rows]
    histories = repo.stage_histories(session, [c.id for c in contacts])
    customers = contact_service.customer_names(session, contacts)
    owners = org_service.names_by_id(session, {p.rising_owner_id for p, _c in rows})
    out = []
    for p, c in rows:
        changes = histories.get(c.id, [])
        first = (changes[0].from_stage or 1) if changes else p.stage
        path = [(first, keyscore.local_date(c.created_at))]
        path += [(h.to_stage, keyscore.local_date(h.changed_at)) for h in changes]
        owner = owners.get(p.rising_owner_id) if p.rising_owner_id else None
        out.append(RisingStar(p, c, customers.get(c.customer_id, ""), owner, path))
    return out, total
