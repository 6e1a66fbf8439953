"""Duplicate finder and merges: the only writer of merges (rules, permission checks, audit rows).

A merge keeps one record (the survivor), takes the chosen field values from the others, moves their
children over — contacts, follow-ups, follow-up contact links, reporting lines, team members; for contacts also
their roles in deals and their relationship records (loam.relationships.lifecycle_repository) — copies
their audit history onto the survivor and puts them in the recycle bin. Everything it changed is kept
in a ``merges`` row so that an undo (``undo``, or restoring a merged record from the recycle bin) can
put it back. Each domain's own service does the writing (R2); this module decides who may do what.

Audit history is **copied**, not re-pointed: audit rows are append-only facts about the record they
describe, so the originals stay on the merged record (visible again if the merge is undone) and the
survivor gets copies marked ``merged_from`` that an undo deletes again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.activities import service as followup_service
from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.contacts import service as contact_service
from loam.customers import service as customer_service
from loam.db import utcnow
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.leads import service as lead_service
from loam.merge import entities, finder
from loam.merge import repository as repo
from loam.merge.models import Merge, MergeDismissal
from loam.merge.schemas import MAX_MERGED, CandidateList, DismissRequest, DismissResult, MergeRequest

Kind = entities.Kind


def candidates(session: Session, scope: Scope, entity: str) -> CandidateList:
    """Groups of likely duplicates of one kind among the records the caller sees (needs ``records.merge``)."""
    k = entities.kind(entity)
    authz_service.require(scope, Permission.records_merge)
    authz_service.require(scope, k.view)
    return finder.candidates(session, scope, k)


def _authorise(session: Session, scope: Scope, k: Kind, survivor: Any, merged: list[Any]) -> None:
    """``records.merge`` plus update and delete on the kind, write access to the survivor and delete access
    to every merged record (403); called after every record was found in scope, before any write (R11)."""
    for permission in (Permission.records_merge, k.update, k.delete):
        authz_service.require(scope, permission)
    if not entities.can_write(session, scope, k, survivor):
        raise Forbidden(_("You can view record #%(id)s but not change it.", id=survivor.id))
    for record in merged:
        if not entities.can_delete(session, scope, k, record):
            raise Forbidden(_("You can view record #%(id)s but not change it.", id=record.id))


def _check_rules(k: Kind, survivor: Any, merged: list[Any]) -> None:
    """Contacts merge only within one customer (422); converted leads cannot be merged (409)."""
    if k.entity == "contact" and any(m.customer_id != survivor.customer_id for m in merged):
        raise Invalid(_("Only contacts of the same customer can be merged."))
    if k.entity == "lead" and any(r.status == "converted" for r in [survivor, *merged]):
        raise Conflict(_("A converted lead cannot be merged."))


def _chosen_values(session: Session, k: Kind, data: MergeRequest, records: dict[int, Any]) -> dict[str, Any]:
    """``{field: value}`` taken from other records, as chosen field by field (422 for an unknown field)."""
    allowed = set(entities.field_keys(session, k))
    unknown = sorted(set(data.fields) - allowed)
    if unknown:
        message = _("Unknown field: %(field)s", field=", ".join(unknown)[:100])
        raise Invalid(message, detail={"fields": message})
    return {
        field: entities.value(records[source], field)
        for field, source in data.fields.items()
        if source != data.survivor_id
    }


def merge(session: Session, scope: Scope, data: MergeRequest) -> Merge:
    """Merge ``data.merged_ids`` into ``data.survivor_id``; all-or-nothing.

    Guarantees: every record is fetched through the caller's scope (404 for a stale, deleted or invisible
    id) and every permission is checked (403) before anything is written; the survivor keeps the chosen
    values; children move; merged records go to the recycle bin; "merge" audit rows on all of them.
    """
    k = entities.kind(data.entity)
    if data.survivor_id in data.merged_ids:
        raise Invalid(_("A record cannot be merged into itself."))
    survivor = entities.get(session, scope, k, data.survivor_id)
    merged = [entities.get(session, scope, k, i) for i in data.merged_ids]
    _authorise(session, scope, k, survivor, merged)
    _check_rules(k, survivor, merged)
    values = _chosen_values(session, k, data, {r.id: r for r in [survivor, *merged]})
    if k.entity == "contact" and survivor.reports_to_id in data.merged_ids:  # would report to a merged contact
        values["reports_to_id"] = None
    changes = entities.set_values(session, k, survivor, values)
    moved: dict[str, Any] = {}
    if k.entity in ("customer", "lead"):  # an undo recomputes it from this and the follow-ups left
        moved["last_followup_at"] = audit.jsonable(survivor.last_followup_at)
    for record in merged:
        _move_children(session, scope, k, record, survivor, moved)
    moved["audit"] = [c for r in merged for c in repo.copy_audit(session, k.entity, r.id, survivor.id)]
    for record in merged:
        entities.set_merged_away(session, scope, k, record, True)
        audit.record(session, scope, k.entity, record.id, "merge", {"merged_into": [None, survivor.id]})
    summary = {key: [None, _count(moved.get(key))] for key in ("contacts", "followups") if moved.get(key)}
    audit.record(
        session, scope, k.entity, survivor.id, "merge", changes | summary | {"merged": [None, data.merged_ids]}
    )
    row = Merge(entity=k.entity, survivor_id=survivor.id, merged_ids=list(data.merged_ids))
    row.changes, row.moved, row.created_by = audit.jsonable(changes), moved, scope.user_id
    return repo.add(session, row)


def _count(moved: dict[str, list[int]] | None) -> int:
    return sum(len(ids) for ids in (moved or {}).values())


def _move_children(session: Session, scope: Scope, k: Kind, record: Any, survivor: Any, moved: dict[str, Any]) -> None:
    """Move one merged record's children to the survivor, noting their ids under ``moved[kind][from_id]``.

    For customers also: leads converted into it now point at the survivor, and its owner (when another user)
    joins the survivor's team with write access so that nobody loses the customer they worked on."""
    from_id, to_id = record.id, survivor.id
    key = str(from_id)

    def note(kind: str, ids: list[int]) -> None:
        if ids:
            moved.setdefault(kind, {})[key] = ids

    if k.entity == "customer":
        note("contacts", contact_service.move_to_customer(session, from_id, to_id))
        note("followups", followup_service.move_customer(session, from_id, to_id))
        note("converted_leads", customer_service.move_converted_leads(session, from_id, to_id))
        for kind, move in _deal_movers():
            note(kind, move(session, from_id, to_id))
        if record.owner_id is not None and record.owner_id != survivor.owner_id:
            member_id = customer_service.add_owner_as_member(session, scope, to_id, record.owner_id)
            note("owner_members", [member_id] if member_id is not None else [])
    elif k.entity == "lead":
        note("followups", followup_service.move_lead(session, from_id, to_id))
    else:
        note("followup_contacts", followup_service.move_contact_links(session, from_id, to_id))
        note("reports_to", contact_service.move_reports_to(session, from_id, to_id))
        for kind, move in _contact_movers():
            note(kind, move(session, from_id, to_id))
    skip = {survivor.owner_id} if survivor.owner_id else set()
    note("members", authz_service.move_members(session, k.entity, from_id, to_id, skip_user_ids=skip))


def _move_back(session: Session, k: Kind, survivor_id: int, from_id: int, moved: dict[str, Any]) -> dict[str, int]:
    """Undo :func:`_move_children` for one merged record: only the noted children still on the survivor."""
    key = str(from_id)

    def ids(kind: str) -> list[int] | None:
        return (moved.get(kind) or {}).get(key)

    back: dict[str, list[int]] = {}
    if ids("contacts"):
        back["contacts"] = contact_service.move_to_customer(session, survivor_id, from_id, ids("contacts"))
    if ids("followups"):
        move = followup_service.move_customer if k.entity == "customer" else followup_service.move_lead
        back["followups"] = move(session, survivor_id, from_id, ids("followups"))
    if ids("followup_contacts"):
        links = ids("followup_contacts")
        back["followup_contacts"] = followup_service.move_contact_links(session, survivor_id, from_id, links)
    if ids("reports_to"):
        back["reports_to"] = contact_service.move_reports_to(session, survivor_id, from_id, ids("reports_to"))
    if ids("members"):
        back["members"] = authz_service.move_members(session, k.entity, survivor_id, from_id, ids("members"))
    if ids("converted_leads"):
        back["converted_leads"] = customer_service.move_converted_leads(
            session, survivor_id, from_id, ids("converted_leads")
        )
    for kind, move in [*_deal_movers(), *_contact_movers()]:
        if ids(kind):
            back[kind] = move(session, survivor_id, from_id, ids(kind))
    if ids("owner_members"):
        customer_service.remove_members(session, survivor_id, ids("owner_members") or [])
    return {kind: len(v) for kind, v in back.items()}


def _deal_movers() -> list[tuple[str, Any]]:
    """The deals that hang off a customer and follow it into the survivor: (kind, move(session, from, to, ids))."""
    import importlib

    movers = []
    for kind, module in (("opportunities", "loam.opportunities.service"), ("contracts", "loam.contracts.service")):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError:  # pragma: no cover - that domain is not installed
            continue
        if hasattr(mod, "move_customer"):
            movers.append((kind, mod.move_customer))
    try:
        from loam.relationships import lifecycle_repository as relationship_lifecycle
    except ModuleNotFoundError:  # pragma: no cover - the relationships domain is not installed
        pass
    else:
        movers.extend(relationship_lifecycle.MOVERS)
    return movers


def _contact_movers() -> list[tuple[str, Any]]:
    """What hangs off a contact in other domains and follows it into the survivor: deal roles, relationship records
    (kind, move(session, from, to, ids)), in the order they must run."""
    movers: list[tuple[str, Any]] = []
    try:
        from loam.opportunities import service as opportunity_service
    except ModuleNotFoundError:  # pragma: no cover - the opportunities domain is not installed
        pass
    else:
        movers.append(("opportunity_contacts", opportunity_service.move_contact))
    try:
        from loam.relationships import lifecycle_repository as relationship_lifecycle
    except ModuleNotFoundError:  # pragma: no cover - the relationships domain is not installed
        pass
    else:
        movers.extend(relationship_lifecycle.CONTACT_MOVERS)
    return movers


def _reset_last_followup(session: Session, k: Kind, survivor: Any, moved: dict[str, Any]) -> None:
    """After an undo the survivor's last follow-up is the later of its value before the merge and its latest
    follow-up still there (the merged records' follow-ups went back with them)."""
    if "last_followup_at" not in moved:
        return
    before = entities.from_json(survivor, "last_followup_at", moved["last_followup_at"])
    kwargs = {"customer_id": survivor.id} if k.entity == "customer" else {"lead_id": survivor.id}
    latest = followup_service.latest_at(session, **kwargs)
    value = max((v for v in (before, latest) if v is not None), default=None)
    if value != survivor.last_followup_at:
        reset = customer_service.reset_last_followup if k.entity == "customer" else lead_service.reset_last_followup
        reset(session, survivor.id, value)


def _load_for_undo(session: Session, scope: Scope, row: Merge) -> tuple[Kind, Any, list[Any]]:
    """The survivor (live, in scope) and the merged records (in the recycle bin, in scope), or 404/409."""
    k = entities.kind(row.entity)
    try:
        survivor = entities.get(session, scope, k, row.survivor_id)
    except NotFound:
        entities.get_deleted(session, scope, k, row.survivor_id)  # 404 when the caller cannot see it at all
        raise Conflict(_("The record the others were merged into is in the recycle bin; restore it first.")) from None
    merged = []
    for record_id in row.merged_ids:
        try:
            merged.append(entities.get_deleted(session, scope, k, record_id))
        except NotFound:
            raise Conflict(
                _("Record #%(id)s is no longer in the recycle bin; this merge cannot be undone.", id=record_id)
            ) from None
    return k, survivor, merged


def get(session: Session, scope: Scope, merge_id: int) -> Merge:
    """A merge whose surviving record the caller sees (needs ``records.merge``), or 404."""
    row = repo.get(session, merge_id)
    if row is None or row.entity not in entities.KINDS:
        raise NotFound(_("Merge not found."))
    k = entities.kind(row.entity)
    try:
        entities.get(session, scope, k, row.survivor_id)
    except NotFound:
        try:
            entities.get_deleted(session, scope, k, row.survivor_id)
        except NotFound:
            raise NotFound(_("Merge not found.")) from None
    authz_service.require(scope, Permission.records_merge)
    return row


def undo(session: Session, scope: Scope, merge_id: int) -> Merge:
    """Undo a merge: merged records come back from the recycle bin with the children moved from them; the
    survivor's fields return to their before-values where they still hold the merged values (fields changed
    since are kept and listed in ``undo_note``); the audit copies go; "unmerge" audit rows. 404 → 403 → 409
    before any write."""
    row = get(session, scope, merge_id)
    if row.undone_at is not None:
        raise Conflict(_("This merge has already been undone."))
    k, survivor, merged = _load_for_undo(session, scope, row)
    _authorise(session, scope, k, survivor, merged)
    restore, kept = _before_values(k, survivor, row.changes or {})
    changes = entities.set_values(session, k, survivor, restore)
    counts: dict[str, int] = {}
    for record in merged:
        entities.set_merged_away(session, scope, k, record, False)
        for kind, n in _move_back(session, k, survivor.id, record.id, row.moved or {}).items():
            counts[kind] = counts.get(kind, 0) + n
        audit.record(session, scope, k.entity, record.id, "unmerge", {"merged_into": [survivor.id, None]})
    _reset_last_followup(session, k, survivor, row.moved or {})
    repo.delete_audit(session, k.entity, survivor.id, list((row.moved or {}).get("audit") or []))
    note = _("Kept because they changed after the merge: %(fields)s", fields=", ".join(kept)) if kept else None
    summary = {"unmerged": [row.merged_ids, None]}
    audit.record(session, scope, k.entity, survivor.id, "unmerge", changes | summary, note=note)
    row.undone_at, row.undone_by = utcnow(), scope.user_id
    row.undo_note = {"kept": kept, "moved_back": counts}
    session.flush()
    return row


def _before_values(k: Kind, survivor: Any, changes: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``({field: before-value}, [fields kept])``: a field goes back only while it still holds the merged value."""
    restore: dict[str, Any] = {}
    kept: list[str] = []
    for field, (before, after) in changes.items():
        if audit.jsonable(entities.value(survivor, field)) == after:
            restore[field] = entities.from_json(survivor, field, before)
        else:
            kept.append(field)
    return restore, kept


def list_page(
    session: Session, scope: Scope, entity: str | None = None, page: int = 1, size: int = 25
) -> tuple[list[Merge], int]:
    """Merges whose surviving record the caller sees, newest first (needs ``records.merge``)."""
    authz_service.require(scope, Permission.records_merge)
    kinds = [entities.kind(entity)] if entity else list(entities.KINDS.values())
    visible = {k.entity: entities.visible_ids(scope, k) for k in kinds}
    return repo.page(session, visible, entity, page, size)


def undo_for_restore(session: Session, scope: Scope, entity: str, record_id: int) -> bool:
    """Recycle-bin hook: restoring a record that a merge took away undoes that whole merge (and needs what an
    undo needs). Returns False — restore as usual — when no merge (still in force) took the record away."""
    row = repo.active_for(session, entity, record_id)
    if row is None:
        return False
    undo(session, scope, row.id)
    return True


def merged_into(session: Session, entity: str, ids: list[int]) -> dict[int, int]:
    """``{record id: survivor id}`` for records in the recycle bin that a merge took away (for the bin's list)."""
    return repo.merged_into(session, entity, ids)


def labels(session: Session, scope: Scope, rows: list[Merge]) -> dict[tuple[str, int], str]:
    """Display names of the records the merges name, as far as the caller sees them (live or in the bin)."""
    return _labels(session, scope, [(row.entity, [row.survivor_id, *row.merged_ids]) for row in rows])


def dismissal_labels(session: Session, scope: Scope, rows: list[MergeDismissal]) -> dict[tuple[str, int], str]:
    """Display names of the records of pairs marked as not duplicates."""
    return _labels(session, scope, [(row.entity, [row.low_id, row.high_id]) for row in rows])


def _labels(session: Session, scope: Scope, wanted: list[tuple[str, list[int]]]) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for entity, ids in wanted:
        k = entities.KINDS.get(entity)
        if k is None:
            continue
        for record_id in ids:
            for getter in (entities.get, entities.get_deleted):
                try:
                    out[(entity, record_id)] = entities.label(getter(session, scope, k, record_id))
                    break
                except NotFound:
                    continue
    return out


def compare(session: Session, scope: Scope, entity: str, ids: list[int]) -> tuple[list[Any], list[tuple[str, str]]]:
    """The records to compare side by side (each in scope, else 404) and the fields a merge may pick.

    Needs ``records.merge`` (403); 2 to 21 distinct ids of one kind (422)."""
    k = entities.kind(entity)
    unique = list(dict.fromkeys(ids))
    if not 2 <= len(unique) <= MAX_MERGED + 1:
        raise Invalid(_("Choose between 2 and %(n)s records to merge.", n=MAX_MERGED + 1))
    records = [entities.get(session, scope, k, i) for i in unique]
    authz_service.require(scope, Permission.records_merge)
    return records, entities.field_choices(session, k)


def dismiss(session: Session, scope: Scope, data: DismissRequest) -> DismissResult:
    """Mark the records as not duplicates of each other (不是重复): the finder stops pairing any two of them.

    Every record is fetched in scope first (404), then ``records.merge`` is checked (403); each record gets a
    "not_duplicate" audit row naming the others. Marking pairs already marked changes nothing."""
    k = entities.kind(data.entity)
    ids = sorted(set(data.ids))
    if len(ids) < 2:
        raise Invalid(_("Choose between 2 and %(n)s records to merge.", n=MAX_MERGED + 1))
    for record_id in ids:
        entities.get(session, scope, k, record_id)
    authz_service.require(scope, Permission.records_merge)
    pairs = [(a, b) for n, a in enumerate(ids) for b in ids[n + 1 :]]
    added = repo.add_dismissals(session, k.entity, pairs, scope.user_id)
    if added:
        for record_id in ids:
            others = [i for i in ids if i != record_id]
            audit.record(session, scope, k.entity, record_id, "not_duplicate", {"not_duplicate_of": [None, others]})
    return DismissResult(entity=k.entity, ids=ids, pairs_added=added)


def get_dismissal(session: Session, scope: Scope, dismissal_id: int) -> MergeDismissal:
    """A pair marked as not duplicates whose two records the caller sees (needs ``records.merge``), or 404."""
    row = repo.get_dismissal(session, dismissal_id)
    if row is None or row.entity not in entities.KINDS:
        raise NotFound(_("Not found."))
    k = entities.kind(row.entity)
    for record_id in (row.low_id, row.high_id):
        try:
            entities.get(session, scope, k, record_id)
        except NotFound:
            raise NotFound(_("Not found.")) from None
    authz_service.require(scope, Permission.records_merge)
    return row


def undismiss(session: Session, scope: Scope, dismissal_id: int) -> None:
    """Forget that two records were marked as not duplicates: the finder may pair them again (audited)."""
    row = get_dismissal(session, scope, dismissal_id)
    for a, b in ((row.low_id, row.high_id), (row.high_id, row.low_id)):
        audit.record(session, scope, row.entity, a, "duplicate_again", {"not_duplicate_of": [[b], None]})
    repo.delete_dismissal(session, row)


def dismissals(
    session: Session, scope: Scope, entity: str, page: int = 1, size: int = 25
) -> tuple[list[MergeDismissal], int]:
    """Pairs marked as not duplicates whose two records the caller sees, newest first (needs ``records.merge``)."""
    k = entities.kind(entity)
    authz_service.require(scope, Permission.records_merge)
    return repo.dismissal_page(session, k.entity, entities.visible_ids(scope, k), page, size)
