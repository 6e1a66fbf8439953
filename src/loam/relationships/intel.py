"""The intelligence network (情报网络): intel items about a customer, who reported them, and whether they hold.

Rules:
- An item belongs to one customer; its related contacts, contact sources and subject contact are contacts of that
  customer, its opportunity one of that customer's. Sources are contacts of the customer or users on our side, each
  confirming or contradicting the item.
- **Verified** (多点获取、交叉验证): at least ``intel.verify_sources`` distinct people confirm it — the same contact or
  user reporting twice counts once. **Conflicting**: someone confirms it and someone contradicts it. The first time
  an item is conflicting its author and the customer's owner are notified (``intel_conflict``, once each).
- An organisation change naming a contact who left or changed role records the departure on the contact's profile
  (``profiles.mark_departed``), which raises the succession alert where a key position is left uncovered.
- **Active sources** per department: live contacts, not departed, who were a source within a year; those without a
  live follow-up for ``intel.source_stale_days`` need maintenance.
Who: seeing a customer and ``relationships.view`` shows its items; ``relationships.update`` records them (404 before
403, R11). Soft delete → recycle bin entity "intel_item"; purge needs ``recycle.purge``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.config import settings as app_settings
from loam.contacts import service as contact_service
from loam.db import utcnow
from loam.errors import Conflict, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.relationships import access
from loam.relationships import network_repository as repo
from loam.relationships import settings as method_settings
from loam.relationships.models import IntelItem, IntelSource
from loam.relationships.schemas_network import (
    INTEL_KINDS,
    CompetitorTimeline,
    DepartmentSources,
    IntelCreate,
    IntelFilters,
    IntelUpdate,
    SourceContact,
    SourcesReport,
    SourceWrite,
    TimelineItem,
    intel_rule_errors,
)

ENTITY = "intel_item"
FIELDS = (
    "kind",
    "content",
    "occurred_on",
    "confidence",
    "competitor",
    "opportunity_id",
    "subject_contact_id",
    "change",
)
REQUIRED = ("kind", "content", "occurred_on", "confidence")
ACTIVE_DAYS = 365  # a contact who was a source within a year is an active source
TIMELINE_LIMIT = 500


def today() -> date:
    """Today in the company's time zone."""
    return datetime.now(ZoneInfo(app_settings.timezone)).date()


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(app_settings.timezone))


def rules(session: Session) -> dict[str, int]:
    """The intelligence settings in force: ``verify_sources`` and ``source_stale_days``."""
    return dict(method_settings.current(session)["intel"])


def snippet(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def attach(session: Session, items: Sequence[IntelItem]) -> None:
    """Set ``sources``, ``contact_ids``, ``confirms``, ``contradicts``, ``verified`` and ``conflicting`` on each
    item (three queries for the whole list)."""
    ids = [i.id for i in items]
    sources, contacts, counts = repo.sources_of(session, ids), repo.contacts_of(session, ids), repo.stats(session, ids)
    need = rules(session)["verify_sources"]
    for it in items:
        n = counts.get(it.id, {"confirms": 0, "contradicts": 0})
        it.sources = sources.get(it.id, [])  # type: ignore[attr-defined]
        it.contact_ids = sorted(contacts.get(it.id, []))  # type: ignore[attr-defined]
        it.confirms, it.contradicts = n["confirms"], n["contradicts"]  # type: ignore[attr-defined]
        it.verified = n["confirms"] >= need  # type: ignore[attr-defined]
        it.conflicting = n["confirms"] > 0 and n["contradicts"] > 0  # type: ignore[attr-defined]


def _found(session: Session, scope: Scope, item_id: int, deleted: bool = False) -> IntelItem:
    found = repo.item(session, scope, item_id, deleted)
    if found is None:
        raise NotFound(_("Intel item not found."))
    return found


def get(session: Session, scope: Scope, item_id: int) -> IntelItem:
    """A live item of a customer the caller sees (404), with ``relationships.view`` (403); sources attached."""
    found = _found(session, scope, item_id)
    access.require_view(scope)
    attach(session, [found])
    return found


def list_page(
    session: Session, scope: Scope, filters: IntelFilters, page: int = 1, size: int = 25
) -> tuple[list[IntelItem], int]:
    """One page of the visible items, newest first, filtered (verified / conflicting are evaluated in SQL)."""
    access.require_view(scope)
    items, total = repo.item_page(session, scope, filters, rules(session)["verify_sources"], page, size)
    attach(session, items)
    return items, total


def latest_for_customer(session: Session, scope: Scope, customer_id: int, limit: int = 10) -> list[IntelItem]:
    """The newest items of a visible customer (404 / 403 as :func:`access.customer`)."""
    access.customer(session, scope, customer_id)
    items = repo.latest_items(session, scope, customer_id, limit)
    attach(session, items)
    return items


def _fail(errors: dict[str, str]) -> None:
    if errors:
        raise Invalid(next(iter(errors.values())), detail=errors)


def _check_refs(session: Session, scope: Scope, customer_id: int, values: dict[str, Any]) -> None:
    """422 unless every contact named is a live contact of the customer, every user exists, and the opportunity
    is a visible opportunity of the customer."""
    from loam.opportunities import service as opportunity_service

    errors: dict[str, str] = {}
    sources: list[dict[str, Any]] = values.get("sources") or []
    related = set(values.get("contact_ids") or [])
    subject = values.get("subject_contact_id")
    source_contacts = {s["contact_id"] for s in sources if s.get("contact_id")}
    wanted = related | source_contacts | ({subject} if subject else set())
    found = contact_service.ids_of_customer(session, customer_id, wanted) if wanted else set()
    if related - found:
        errors["contact_ids"] = _("Choose contacts of this customer.")
    if subject and subject not in found:
        errors["subject_contact_id"] = _("Choose a contact of this customer.")
    users = {s["user_id"] for s in sources if s.get("user_id")}
    if source_contacts - found or users - repo.users_active(session, users):
        errors["sources"] = _("A source is a contact of this customer or an active user on our side.")
    if values.get("opportunity_id"):
        try:
            opportunity = opportunity_service.get(session, scope, values["opportunity_id"])
        except NotFound:
            opportunity = None
        if opportunity is None or opportunity.customer_id != customer_id:
            errors["opportunity_id"] = _("Choose an opportunity of this customer.")
    _fail(errors)


def _labels(session: Session, rows: Sequence[Any]) -> list[str]:
    """Sources as the history shows them: "+name" confirms, "−name" contradicts."""
    contacts = contact_service.names_by_id(session, {r.contact_id for r in rows if r.contact_id})
    from loam.org import service as org_service

    users = org_service.names_by_id(session, {r.user_id for r in rows if r.user_id})
    return [
        ("+" if r.stance == "confirms" else "−")
        + (contacts.get(r.contact_id, f"#{r.contact_id}") if r.contact_id else users.get(r.user_id, f"#{r.user_id}"))
        for r in rows
    ]


def _key(row: Any) -> tuple[int | None, int | None, str]:
    return (row.contact_id, row.user_id, row.stance)


def _replace_sources(session: Session, item: IntelItem, wanted: Sequence[SourceWrite]) -> list[Any] | None:
    """Make the item's sources the ``wanted`` people and stances: rows of a wanted person and stance stay as noted
    (repeated reports too), others go, new ones are noted now. Returns ``[old labels, new labels]`` or None when
    nothing changed."""
    existing = repo.sources_of(session, [item.id]).get(item.id, [])
    keys = list(dict.fromkeys(_key(s) for s in wanted))
    kept = [row for row in existing if _key(row) in keys]
    gone = [row for row in existing if _key(row) not in keys]
    have = {_key(row) for row in kept}
    added = [
        IntelSource(item_id=item.id, contact_id=c, user_id=u, stance=st) for c, u, st in keys if (c, u, st) not in have
    ]
    if not gone and not added:
        return None
    before = _labels(session, existing)
    repo.delete_sources(session, [r.id for r in gone])
    session.add_all(added)
    session.flush()
    return [before, _labels(session, kept + added)]


def _note_departure(session: Session, scope: Scope, item: IntelItem) -> None:
    """An organisation change about a contact who left or changed role: record it on the contact's profile."""
    if item.kind != "org_change" or item.subject_contact_id is None or item.change is None:
        return
    from loam.relationships import profiles

    profiles.mark_departed(
        session, scope, item.subject_contact_id, item.occurred_on, role_changed=item.change == "role_changed"
    )


def _check_conflict(session: Session, item: IntelItem) -> None:
    """Notify the author and the customer's owner the first time the item is conflicting (once each, ever)."""
    from loam.notifications import service as notification_service

    attach(session, [item])
    if not item.conflicting:  # type: ignore[attr-defined]
        return
    customer = repo.customer_of(session, item.customer_id)
    if customer is None:
        return
    params = {"customer": customer.name, "item": snippet(item.content)}
    for user_id in sorted({u for u in (item.created_by, customer.owner_id) if u is not None}):
        notification_service.notify(
            session,
            user_id,
            "intel_conflict",
            params,
            "relationships",
            customer.id,
            dedupe_key=f"intel_conflict:{item.id}",
        )


def create(session: Session, scope: Scope, data: IntelCreate) -> IntelItem:
    """Record an item about a visible customer (404) with ``relationships.update`` (403); its contacts, opportunity
    and sources are checked (422) before anything is written. Returns the item with its verification."""
    customer = access.customer(session, scope, data.customer_id, write=True)
    values = data.model_dump()
    _check_refs(session, scope, customer.id, values)
    item = IntelItem(customer_id=customer.id, created_by=scope.user_id, **{f: values[f] for f in FIELDS})
    session.add(item)
    session.flush()
    repo.set_contacts(session, item.id, data.contact_ids)
    sources = _replace_sources(session, item, data.sources)
    changes: dict[str, Any] = {f: [None, values[f]] for f in FIELDS if values[f] is not None}
    if data.contact_ids:
        changes["contacts"] = [None, sorted(set(data.contact_ids))]
    if sources:
        changes["sources"] = [None, sources[1]]
    audit.record(session, scope, ENTITY, item.id, "create", changes)
    _note_departure(session, scope, item)
    _check_conflict(session, item)
    return item


def _merged(item: IntelItem, data: IntelUpdate) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(changed scalar fields, the record as it would be)``; 422 for a required field set to null or a broken
    field combination."""
    given = data.model_dump(exclude_unset=True, include=set(FIELDS))
    nulls = {f: _("This field is required.") for f in REQUIRED if f in given and given[f] is None}
    _fail(nulls)
    merged = {f: getattr(item, f) for f in FIELDS} | given
    _fail(intel_rule_errors(merged))
    return given, merged


def update(session: Session, scope: Scope, item_id: int, data: IntelUpdate) -> IntelItem:
    """PATCH an item: only the fields given change; ``contact_ids`` / ``sources`` replace the lists. A stale
    ``version`` is a 409; nothing is written on refusal."""
    item = _found(session, scope, item_id)
    access.customer(session, scope, item.customer_id, write=True)
    if item.version != data.version:
        raise Conflict(_("Someone else changed this record. Reload and try again."))
    given, merged = _merged(item, data)
    sent = data.model_dump(exclude_unset=True)
    refs = merged | {"contact_ids": sent.get("contact_ids") or [], "sources": sent.get("sources") or []}
    _check_refs(session, scope, item.customer_id, refs)
    departure = (item.subject_contact_id, item.change, item.occurred_on)
    changes = audit.apply_changes(item, given)
    if data.contact_ids is not None:
        old = sorted(repo.contacts_of(session, [item.id]).get(item.id, []))
        if old != sorted(set(data.contact_ids)):
            repo.set_contacts(session, item.id, data.contact_ids)
            changes["contacts"] = [old, sorted(set(data.contact_ids))]
    if data.sources is not None and (replaced := _replace_sources(session, item, data.sources)):
        changes["sources"] = replaced
    if changes:
        item.updated_at = utcnow()  # a change of the lists alone is a new version of the item too
        session.flush()
        audit.record(session, scope, ENTITY, item.id, "update", changes)
    if departure != (item.subject_contact_id, item.change, item.occurred_on):
        _note_departure(session, scope, item)
    _check_conflict(session, item)
    return item


def add_source(session: Session, scope: Scope, item_id: int, data: SourceWrite) -> IntelItem:
    """Note one more report on an item (a contact of its customer or a user; confirms or contradicts). The same
    person reporting again is kept as a report but still counts once."""
    item = _found(session, scope, item_id)
    access.customer(session, scope, item.customer_id, write=True)
    _check_refs(session, scope, item.customer_id, {"sources": [data.model_dump()]})
    row = IntelSource(item_id=item.id, contact_id=data.contact_id, user_id=data.user_id, stance=data.stance)
    session.add(row)
    item.updated_at = utcnow()
    session.flush()
    audit.record(session, scope, ENTITY, item.id, "source_add", {"sources": [None, _labels(session, [row])]})
    _check_conflict(session, item)
    return item


def delete_(session: Session, scope: Scope, item_id: int) -> IntelItem:
    """Move an item to the recycle bin (``relationships.update`` on its customer)."""
    item = _found(session, scope, item_id)
    access.customer(session, scope, item.customer_id, write=True)
    item.deleted_at = utcnow()
    item.deleted_by = scope.user_id
    session.flush()
    audit.record(session, scope, ENTITY, item.id, "delete")
    return item


def restore(session: Session, scope: Scope, item_id: int) -> IntelItem:
    """Bring an item back from the recycle bin (its customer visible and live, ``relationships.update``)."""
    item = _found(session, scope, item_id, deleted=True)
    access.customer(session, scope, item.customer_id, write=True)
    item.deleted_at = None
    item.deleted_by = None
    session.flush()
    audit.record(session, scope, ENTITY, item.id, "restore")
    return _bin_label(item)


def purge(session: Session, scope: Scope, item_id: int) -> None:
    """Delete an item in the recycle bin for good (``recycle.purge``) with its sources; its audit rows stay."""
    item = _found(session, scope, item_id, deleted=True)
    authz_service.require(scope, Permission.recycle_purge)
    audit.record(session, scope, ENTITY, item.id, "purge", {"content": [snippet(item.content), None]})
    repo.delete_sources(session, [s.id for s in repo.sources_of(session, [item.id]).get(item.id, [])])
    repo.set_contacts(session, item.id, [])
    session.delete(item)
    session.flush()


def list_deleted(session: Session, scope: Scope, page: int = 1, size: int = 25) -> tuple[list[IntelItem], int]:
    """Items in the recycle bin whose customer the caller sees; each labelled for the bin (``name``)."""
    items, total = repo.deleted_item_page(session, scope, page, size)
    for it in items:
        _bin_label(it)
    return items, total


def _bin_label(item: IntelItem) -> IntelItem:
    """What the recycle bin shows for an item: its kind and the start of its content; its author as owner."""
    item.name = f"{_(INTEL_KINDS.get(item.kind, item.kind))}: {snippet(item.content, 50)}"  # type: ignore[attr-defined]
    item.owner_id = item.created_by  # type: ignore[attr-defined]
    return item


def history(session: Session, scope: Scope, item_id: int) -> list[audit.AuditLog]:
    """The audit rows of a visible item, newest first (``audit.view``)."""
    get(session, scope, item_id)
    authz_service.require(scope, Permission.audit_view)
    return audit.history(session, ENTITY, item_id)


# --- sources per department and the competitor timeline ---


def source_networks(session: Session, customer_ids: Sequence[int], as_of: date | None = None) -> dict[int, Any]:
    """Set-based (three queries whatever the number of customers): ``{customer id: SourcesReport}`` — per
    department the live contacts, the active sources and how many need maintenance, plus every active source.
    No permission check: for callers that already show these customers."""
    as_of = as_of or today()
    stale_days = rules(session)["source_stale_days"]
    noted_since = local_midnight(as_of - timedelta(days=ACTIVE_DAYS))
    touch_since = local_midnight(as_of - timedelta(days=stale_days))
    reports = {
        cid: SourcesReport(customer_id=cid, as_of=as_of, stale_days=stale_days, departments=[], sources=[])
        for cid in customer_ids
    }
    depts: dict[tuple[int, str | None], list[int]] = {}
    for cid, dept, n in repo.department_counts(session, customer_ids, as_of):
        depts.setdefault((cid, (dept or "").strip() or None), [0, 0, 0])[0] += n
    rows = repo.source_rows(session, customer_ids, noted_since, as_of)
    for cid, contact_id, name, dept, level, noted, touched in rows:
        stale = touched is None or _aware(touched) < touch_since
        dept = (dept or "").strip() or None
        reports[cid].sources.append(
            SourceContact(
                contact_id=contact_id,
                name=name,
                dept_name=dept,
                level=level,
                last_noted_at=noted,
                last_touch_at=touched,
                stale=stale,
            )
        )
        counts = depts.setdefault((cid, dept), [0, 0, 0])
        counts[1] += 1
        counts[2] += int(stale)
    for (cid, dept), (contacts, active, stale_n) in sorted(
        depts.items(), key=lambda kv: (kv[0][0], -kv[1][1], kv[0][1] is None, kv[0][1] or "")
    ):
        row = DepartmentSources(dept_name=dept, contacts=contacts, active=active, stale=stale_n)
        reports[cid].departments.append(row)
    return reports


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes."""
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def sources_report(session: Session, scope: Scope, customer_id: int, as_of: date | None = None) -> SourcesReport:
    """A visible customer's sources per department, the stale ones flagged (see :func:`source_networks`)."""
    access.customer(session, scope, customer_id)
    return source_networks(session, [customer_id], as_of)[customer_id]  # type: ignore[no-any-return]


def competitor_timeline(session: Session, scope: Scope, customer_id: int) -> list[CompetitorTimeline]:
    """A visible customer's competitor moves grouped by competitor (names compared without case or spaces),
    each group oldest first, the group with the newest move first."""
    access.customer(session, scope, customer_id)
    items = repo.competitor_items(session, scope, customer_id, TIMELINE_LIMIT)
    attach(session, items)
    groups: dict[str, tuple[str, list[TimelineItem]]] = {}
    for it in items:
        name = (it.competitor or "").strip()
        key = "".join(name.split()).casefold()
        groups.setdefault(key, (name, []))[1].append(TimelineItem.model_validate(it))
    ordered = sorted(groups.values(), key=lambda g: (g[1][-1].occurred_on, g[1][-1].id), reverse=True)
    return [CompetitorTimeline(competitor=name, items=rows) for name, rows in ordered]


def choices(session: Session, scope: Scope, customer_id: int) -> dict[str, Any]:
    """What an item form about a visible customer picks from: its contacts, its opportunities, our users."""
    from loam.opportunities import service as opportunity_service
    from loam.org import service as org_service

    return {
        "contacts": contact_service.for_customer(session, scope, customer_id),
        "opportunities": opportunity_service.for_customer(session, scope, customer_id, limit=200),
        "users": org_service.active_users(session),
    }


def customer_choices(session: Session, scope: Scope, limit: int = 200) -> list[Any]:
    """Visible customers to pick from when an item is recorded without one (by name, at most ``limit``)."""
    from loam.customers import service as customer_service
    from loam.customers.schemas import CustomerFilters

    rows, _total = customer_service.list_page(session, scope, CustomerFilters.model_validate({}), 1, limit, "name")
    return rows


def labels(session: Session, scope: Scope, items: Sequence[IntelItem]) -> dict[str, dict[int, str]]:
    """Display names for visible items: their customers, contacts (related, subject, sources), users (authors,
    sources) and opportunities (as far as the caller sees them)."""
    from loam.opportunities import service as opportunity_service
    from loam.org import service as org_service

    contacts: set[int | None] = set()
    users: set[int | None] = set()
    for it in items:
        contacts |= set(getattr(it, "contact_ids", [])) | {it.subject_contact_id}
        contacts |= {s.contact_id for s in getattr(it, "sources", [])}
        users |= {it.created_by} | {s.user_id for s in getattr(it, "sources", [])}
    return {
        "customers": repo.customer_names(session, {it.customer_id for it in items}),
        "contacts": contact_service.names_by_id(session, contacts),
        "users": org_service.names_by_id(session, users),
        "opportunities": opportunity_service.visible_names(session, scope, {it.opportunity_id for it in items}),
    }


def customer_name(session: Session, scope: Scope, customer_id: int | None) -> str | None:
    """The name of a customer the caller sees (a list filter's label), else None."""
    if customer_id is None:
        return None
    from loam.customers import service as customer_service

    try:
        return customer_service.get(session, scope, customer_id).name
    except NotFound:
        return None
