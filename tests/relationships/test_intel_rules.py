"""Intel items: verification (two independent sources), conflicts and their notification, validation, versions,
audit rows and the recycle bin — pinned on small fixtures."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit.i18n import gettext as _
from loam.kit.models import AuditLog
from loam.recycle import service as recycle_service
from loam.relationships import intel
from loam.relationships import settings as method_settings
from loam.relationships.models import IntelItem, IntelSource
from loam.relationships.schemas_network import INTEL_KINDS, IntelCreate, IntelFilters, IntelUpdate
from tests.helpers import scope_of
from tests.relationships import network_factories as f


@pytest.fixture
def world(session, ids):
    """ar1's customer with three contacts in two departments; the director (who sees it) records intel."""
    c = f.customer(session, ids["ar1"])
    a = f.contact(session, ids["ar1"], c.id, "周主任", "技术部", level="middle")
    b = f.contact(session, ids["ar1"], c.id, "吴工", "技术部")
    d = f.contact(session, ids["ar1"], c.id, "郑经理", "采购部")
    return {"c": c, "a": a, "b": b, "d": d}


def _ids(items):
    return {i.id for i in items}


def test_two_reports_by_the_same_person_count_once(session, ids, world):
    """verify_sources = 2 (default). A confirms (1 person) → not verified; A again → still 1 person; our user ar2
    confirms → 2 distinct people → verified."""
    it = f.item(session, ids["director"], world["c"].id, sources=[f.src(world["a"].id)])
    assert (it.confirms, it.contradicts, it.verified, it.conflicting) == (1, 0, False, False)
    it = f.add_source(session, ids["director"], it.id, f.src(world["a"].id))
    assert len(it.sources) == 2  # both reports are kept …
    assert (it.confirms, it.verified) == (1, False)  # … but the same person counts once
    it = f.add_source(session, ids["director"], it.id, f.src(user_id=ids["ar2"]))
    assert (it.confirms, it.verified) == (2, True)


def test_verified_and_conflicting_filters_are_evaluated_in_sql(session, ids, world):
    scope = scope_of(session, ids["director"])
    c = world["c"].id
    verified = f.item(session, ids["director"], c, "两人证实", sources=[f.src(world["a"].id), f.src(world["b"].id)])
    single = f.item(session, ids["director"], c, "一人所说", sources=[f.src(world["a"].id), f.src(world["a"].id)])
    mixed = [f.src(world["a"].id), f.src(world["d"].id, stance="contradicts")]
    conflict = f.item(session, ids["director"], c, "说法不一", sources=mixed)
    denied = f.item(session, ids["director"], c, "只有否认", sources=[f.src(world["d"].id, stance="contradicts")])

    def listed(**kw):
        items, total = intel.list_page(session, scope, IntelFilters(customer_id=c, **kw), 1, 50)
        assert total == len(items)
        return _ids(items)

    assert listed() == {verified.id, single.id, conflict.id, denied.id}
    assert listed(verified=True) == {verified.id}
    assert listed(verified=False) == {single.id, conflict.id, denied.id}
    # Conflicting needs one confirming AND one contradicting person: "only denied" is not conflicting.
    assert listed(conflicting=True) == {conflict.id}
    assert listed(conflicting=False) == {verified.id, single.id, denied.id}
    assert (denied.confirms, denied.contradicts, denied.conflicting) == (0, 1, False)


def test_the_threshold_is_a_setting(session, ids, world):
    """With intel.verify_sources = 3, two confirming people no longer verify an item."""
    it = f.item(session, ids["director"], world["c"].id, sources=[f.src(world["a"].id), f.src(user_id=ids["sr1"])])
    assert it.verified
    data = method_settings.current(session) | {"intel": {"verify_sources": 3, "source_stale_days": 90}}
    method_settings.save(session, scope_of(session, ids["admin"]), method_settings.SettingsWrite(data=data))
    session.flush()
    assert intel.get(session, scope_of(session, ids["director"]), it.id).verified is False
    scope = scope_of(session, ids["director"])
    assert intel.list_page(session, scope, IntelFilters(verified=True, customer_id=world["c"].id))[1] == 0


def test_conflict_notifies_author_and_owner_once(session, ids, world):
    """The director records the item about ar1's customer: when it becomes conflicting both are told, once."""
    it = f.item(session, ids["director"], world["c"].id, "组织调整", kind="org_change", sources=[f.src(world["a"].id)])
    assert f.notifications(session, "intel_conflict") == []
    f.add_source(session, ids["director"], it.id, f.src(world["b"].id, stance="contradicts"))
    key = f"intel_conflict:{it.id}"
    assert sorted(f.notifications(session, "intel_conflict")) == sorted([(ids["director"], key), (ids["ar1"], key)])
    f.add_source(session, ids["director"], it.id, f.src(world["d"].id, stance="contradicts"))
    assert len(f.notifications(session, "intel_conflict")) == 2  # still conflicting: no second notice


def test_a_conflicting_create_notifies_at_once(session, ids, world):
    sources = [f.src(world["a"].id), f.src(user_id=ids["sr1"], stance="contradicts")]
    it = f.item(session, ids["ar1"], world["c"].id, sources=sources)
    assert it.conflicting
    assert f.notifications(session, "intel_conflict") == [(ids["ar1"], f"intel_conflict:{it.id}")]  # author = owner


def test_rules_of_the_fields(session, ids, world):
    with pytest.raises(ValidationError):  # a competitor move names its competitor
        IntelCreate(customer_id=world["c"].id, kind="competitor", content="x", occurred_on=f.TODAY)
    with pytest.raises(ValidationError):  # only an organisation change names a departed contact
        IntelCreate(
            customer_id=world["c"].id,
            kind="budget",
            content="x",
            occurred_on=f.TODAY,
            subject_contact_id=world["a"].id,
            change="left",
        )
    with pytest.raises(ValidationError):  # a subject without a change
        IntelCreate(
            customer_id=world["c"].id, kind="org_change", content="x", occurred_on=f.TODAY, subject_contact_id=1
        )
    it = f.item(session, ids["ar1"], world["c"].id)
    with pytest.raises(Invalid) as exc:  # PATCH to a competitor move without a competitor: checked on the merge
        intel.update(session, scope_of(session, ids["ar1"]), it.id, IntelUpdate(kind="competitor", version=it.version))
    assert "competitor" in exc.value.detail
    with pytest.raises(Invalid) as exc:
        intel.update(session, scope_of(session, ids["ar1"]), it.id, IntelUpdate(content=None, version=it.version))
    assert "content" in exc.value.detail


def test_contacts_and_opportunity_must_be_of_the_customer(session, ids, world):
    from loam.opportunities import service as opportunity_service
    from loam.opportunities.schemas import OpportunityCreate

    other = f.customer(session, ids["ar1"], "另一个客户")
    stranger = f.contact(session, ids["ar1"], other.id, "外人")
    scope = scope_of(session, ids["ar1"])
    opp = opportunity_service.create(session, scope, OpportunityCreate(name="别家的商机", customer_id=other.id))
    session.flush()
    before = session.scalar(select(func.count()).select_from(IntelItem))
    for bad, field in (
        ({"sources": [f.src(stranger.id)]}, "sources"),
        ({"contact_ids": [stranger.id]}, "contact_ids"),
        ({"opportunity_id": opp.id}, "opportunity_id"),
        ({"kind": "org_change", "subject_contact_id": stranger.id, "change": "left"}, "subject_contact_id"),
    ):
        kind = bad.pop("kind", "budget")
        with pytest.raises(Invalid) as exc:
            f.item(session, ids["ar1"], world["c"].id, kind=kind, **bad)
        assert field in exc.value.detail, field
    assert session.scalar(select(func.count()).select_from(IntelItem)) == before  # nothing half-written
    # An opportunity of the item's own customer is fine.
    own = opportunity_service.create(session, scope, OpportunityCreate(name="本客户商机", customer_id=world["c"].id))
    session.flush()
    assert f.item(session, ids["ar1"], world["c"].id, opportunity_id=own.id).opportunity_id == own.id


def test_patch_replaces_lists_keeps_matching_sources_and_checks_the_version(session, ids, world):
    scope = scope_of(session, ids["ar1"])
    it = f.item(session, ids["ar1"], world["c"].id, sources=[f.src(world["a"].id), f.src(world["b"].id)])
    kept = next(s for s in it.sources if s.contact_id == world["a"].id)
    noted, kept_id = kept.noted_at, kept.id
    v1 = it.version
    data = IntelUpdate(
        sources=[f.src(world["a"].id), f.src(world["d"].id, stance="contradicts")],
        contact_ids=[world["b"].id],
        version=v1,
    )
    it = intel.update(session, scope, it.id, data)
    session.flush()
    assert it.version == v1 + 1
    by_contact = {s.contact_id: s for s in it.sources}
    assert set(by_contact) == {world["a"].id, world["d"].id}
    assert (by_contact[world["a"].id].id, by_contact[world["a"].id].noted_at) == (kept_id, noted)  # kept as noted
    assert it.contact_ids == [world["b"].id]
    assert (it.confirms, it.contradicts, it.conflicting) == (1, 1, True)
    with pytest.raises(Conflict):
        intel.update(session, scope, it.id, IntelUpdate(content="旧版本", version=v1))
    # Only the fields given change.
    it = intel.update(session, scope, it.id, IntelUpdate(confidence="high", version=it.version))
    assert (it.confidence, it.content, it.contact_ids) == ("high", "客户明年预算增加三成", [world["b"].id])


def test_audit_rows_and_the_recycle_bin(session, ids, world):
    scope = scope_of(session, ids["ar1"])
    it = f.item(session, ids["ar1"], world["c"].id, sources=[f.src(world["a"].id)])
    f.add_source(session, ids["ar1"], it.id, f.src(world["b"].id))
    intel.update(session, scope, it.id, IntelUpdate(content="改过的内容", version=it.version))
    intel.delete_(session, scope, it.id)
    session.flush()
    with pytest.raises(NotFound):
        intel.get(session, scope, it.id)
    assert it.id not in _ids(intel.list_page(session, scope, IntelFilters())[0])
    deleted, _total = recycle_service.list_deleted(session, scope, "intel_item")
    assert it.id in _ids(deleted)
    label = recycle_service.label(next(d for d in deleted if d.id == it.id))
    assert label == f"{_(INTEL_KINDS['budget'])}: 改过的内容"
    with pytest.raises(NotFound):  # ar2 does not see ar1's customer: 404 in the bin too
        recycle_service.restore(session, scope_of(session, ids["ar2"]), "intel_item", it.id)
    recycle_service.restore(session, scope, "intel_item", it.id)
    session.flush()
    assert intel.get(session, scope, it.id).content == "改过的内容"
    intel.delete_(session, scope, it.id)
    with pytest.raises(Forbidden):  # purging needs recycle.purge
        recycle_service.purge(session, scope, "intel_item", it.id)
    recycle_service.purge(session, scope_of(session, ids["admin"]), "intel_item", it.id)
    session.flush()
    assert session.get(IntelItem, it.id) is None
    assert session.scalar(select(func.count()).select_from(IntelSource).where(IntelSource.item_id == it.id)) == 0
    rows = select(AuditLog.action).where(AuditLog.entity == "intel_item", AuditLog.entity_id == it.id)
    actions = list(session.scalars(rows.order_by(AuditLog.id)))
    assert actions == ["create", "source_add", "update", "delete", "restore", "delete", "purge"]


def test_out_of_scope_and_without_permission(session, ids, world):
    it = f.item(session, ids["ar1"], world["c"].id)
    with pytest.raises(NotFound):
        intel.get(session, scope_of(session, ids["ar2"]), it.id)
    with pytest.raises(NotFound):
        f.item(session, ids["ar2"], world["c"].id)
    owner = scope_of(session, ids["ar1"])
    viewer = replace(owner, permissions=owner.permissions - {"relationships.update"})
    assert intel.get(session, viewer, it.id).id == it.id
    with pytest.raises(Forbidden):
        intel.delete_(session, viewer, it.id)
    with pytest.raises(Forbidden):
        intel.add_source(session, viewer, it.id, f.src(world["a"].id))
    no_view = replace(viewer, permissions=viewer.permissions - {"relationships.view"})
    with pytest.raises(Forbidden):
        intel.get(session, no_view, it.id)
    with pytest.raises(Forbidden):
        intel.list_page(session, no_view, IntelFilters())


def test_replacing_sources_keeps_repeated_reports_of_a_wanted_person(session, ids, world):
    """A reported twice; an edit that still names A (confirming) changes nothing — no new version, no audit row."""
    scope = scope_of(session, ids["ar1"])
    it = f.item(session, ids["ar1"], world["c"].id, sources=[f.src(world["a"].id)])
    it = f.add_source(session, ids["ar1"], it.id, f.src(world["a"].id))
    version = it.version
    it = intel.update(session, scope, it.id, IntelUpdate(sources=[f.src(world["a"].id)], version=version))
    session.flush()
    assert (len(it.sources), it.confirms, it.version) == (2, 1, version)
    rows = (
        select(func.count()).select_from(AuditLog).where(AuditLog.entity == "intel_item", AuditLog.entity_id == it.id)
    )
    assert session.scalar(rows) == 2  # create + source_add
