"""Rules of the relationship profile service: defaults, partial updates with optimistic locking, stage changes with
evidence, competitor preferences, relationship owners, rising stars, audit rows, scope and permission."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from loam.authz.scope import Scope
from loam.contacts import service as contact_service
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit.models import AuditLog
from loam.org.models import User
from loam.relationships import profiles
from loam.relationships.models import ContactProfile
from loam.relationships.schemas_profiles import (
    CompetitorPreferencesWrite,
    ProfileUpdate,
    RelationOwnersWrite,
    StageChange,
)
from tests.helpers import scope_of
from tests.relationships import profiles_factories as f


def _setup(session, ids, name="档案客户"):
    cust = f.customer(session, ids["ar1"], name)
    c = f.contact(session, ids["ar1"], cust.id, "周主任", level="middle", dept_name="采购部")
    return cust, c, scope_of(session, ids["ar1"])


def _audit(session, contact_id: int) -> list[AuditLog]:
    stmt = select(AuditLog).where(AuditLog.entity == "contact_profile", AuditLog.entity_id == contact_id)
    return list(session.scalars(stmt.order_by(AuditLog.id)))


def test_default_profile_is_not_stored(session, ids):
    _cust, c, scope = _setup(session, ids)
    p = profiles.get(session, scope, c.id)
    assert (p.stage, p.support, p.influence, p.coach, p.version) == (1, 0, "medium", False, None)
    assert not profiles.is_saved(p)
    assert session.get(ContactProfile, c.id) is None


def test_partial_update_creates_then_needs_the_version(session, ids):
    _cust, c, scope = _setup(session, ids)
    p = profiles.update(session, scope, c.id, ProfileUpdate(support=1, influence="high"))
    assert profiles.is_saved(p) and p.version == 1 and p.updated_by == ids["ar1"]
    assert (p.support, p.influence, p.coach, p.stage) == (1, "high", False, 1)
    rows = _audit(session, c.id)
    assert [(r.action, r.changes) for r in rows] == [("create", {"support": [0, 1], "influence": ["medium", "high"]})]
    # Only the fields sent change: coach alone leaves support and influence as they are.
    p = profiles.update(session, scope, c.id, ProfileUpdate.model_validate({"coach": True, "version": 1}))
    assert (p.support, p.influence, p.coach, p.version) == (1, "high", True, 2)
    assert _audit(session, c.id)[-1].changes == {"coach": [False, True]}
    # A stored profile needs the version: missing or stale is a 409 and nothing changes.
    with pytest.raises(Conflict):
        profiles.update(session, scope, c.id, ProfileUpdate(support=-2))
    with pytest.raises(Conflict):
        profiles.update(session, scope, c.id, ProfileUpdate(support=-2, version=1))
    assert session.get(ContactProfile, c.id).support == 1
    # Clearing a field is a change too (decision role set, then cleared).
    p = profiles.update(session, scope, c.id, ProfileUpdate(decision_role="approver", chain="commercial", version=2))
    p = profiles.update(session, scope, c.id, ProfileUpdate.model_validate({"decision_role": None, "version": 3}))
    assert (p.decision_role, p.chain) == (None, "commercial")


def test_an_edit_that_changes_nothing_stores_nothing(session, ids):
    _cust, c, scope = _setup(session, ids)
    p = profiles.update(session, scope, c.id, ProfileUpdate(support=0, influence="medium"))
    assert not profiles.is_saved(p) and session.get(ContactProfile, c.id) is None and _audit(session, c.id) == []


def test_personality_and_preferences_go_through_the_contacts_service(session, ids):
    _cust, c, scope = _setup(session, ids)
    before = c.version
    profiles.update(session, scope, c.id, ProfileUpdate(personality="稳重", preferences="喜欢打羽毛球"))
    assert (c.personality, c.preferences, c.version) == ("稳重", "喜欢打羽毛球", before + 1)
    contact_rows = list(
        session.scalars(select(AuditLog).where(AuditLog.entity == "contact", AuditLog.entity_id == c.id))
    )
    assert contact_rows[-1].changes["personality"] == [None, "稳重"]
    # ar2 (who cannot see the contact) gets a 404; a relationship editor who cannot edit the contact gets a 403
    # for these two fields, and nothing is written.
    with pytest.raises(NotFound):
        profiles.update(session, scope_of(session, ids["ar2"]), c.id, ProfileUpdate(personality="x"))
    editor = dataclasses.replace(scope, permissions=scope.permissions - {"contacts.update"})
    with pytest.raises(Forbidden):
        profiles.update(session, editor, c.id, ProfileUpdate(personality="急躁", support=2))
    assert c.personality == "稳重" and session.get(ContactProfile, c.id) is None
    # Sending the same values again is not an edit of the contact, so the editor may save the rest.
    p = profiles.update(session, editor, c.id, ProfileUpdate(personality="稳重", support=2))
    assert p.support == 2


def test_rising_star_needs_a_reason_and_an_owner(session, ids):
    _cust, c, scope = _setup(session, ids)
    with pytest.raises(Invalid) as exc:
        profiles.update(session, scope, c.id, ProfileUpdate(rising_star=True))
    assert set(exc.value.detail) == {"rising_reasons", "rising_owner_id"}
    inactive = session.get(User, ids["fr1"])
    inactive.is_active = False
    session.flush()
    with pytest.raises(Invalid) as exc:
        profiles.update(
            session, scope, c.id, ProfileUpdate(rising_star=True, rising_reasons=["eq"], rising_owner_id=ids["fr1"])
        )
    assert "rising_owner_id" in exc.value.detail
    assert session.get(ContactProfile, c.id) is None
    p = profiles.update(
        session,
        scope,
        c.id,
        ProfileUpdate(
            rising_star=True, rising_reasons=["eq", "expertise", "eq"], rising_owner_id=ids["sr1"], rising_plan="轮岗"
        ),
    )
    assert (p.rising_star, p.rising_reasons, p.rising_owner_id) == (True, ["eq", "expertise"], ids["sr1"])


def test_stage_changes_need_evidence_going_up_and_keep_a_history(session, ids):
    _cust, c, scope = _setup(session, ids)
    with pytest.raises(Conflict):
        profiles.change_stage(session, scope, c.id, StageChange(to_stage=1))
    with pytest.raises(Invalid) as exc:
        profiles.change_stage(session, scope, c.id, StageChange(to_stage=3))
    assert "evidence" in exc.value.detail
    assert session.get(ContactProfile, c.id) is None
    p = profiles.change_stage(session, scope, c.id, StageChange(to_stage=3, evidence="分享了内部预算"))
    assert p.stage == 3 and p.version == 1
    with pytest.raises(Conflict):  # a stale page
        profiles.change_stage(session, scope, c.id, StageChange(to_stage=4, evidence="x", version=7))
    p = profiles.change_stage(session, scope, c.id, StageChange(to_stage=2, version=1))  # down: no evidence needed
    assert p.stage == 2
    rows = profiles.history(session, scope, c.id)
    assert [(h.from_stage, h.to_stage, h.evidence, h.changed_by) for h in rows] == [
        (3, 2, None, ids["ar1"]),
        (1, 3, "分享了内部预算", ids["ar1"]),
    ]
    assert [r.changes for r in _audit(session, c.id)] == [{"stage": [1, 3]}, {"stage": [3, 2]}]


def test_competitor_preferences_are_replaced(session, ids):
    _cust, c, scope = _setup(session, ids)
    write = CompetitorPreferencesWrite.model_validate
    rows = profiles.set_competitor_preferences(
        session, scope, c.id, write({"items": [{"competitor": "竞品A", "preference": "strong"}]})
    )
    assert [(r.competitor, r.preference) for r in rows] == [("竞品A", "strong")]
    rows = profiles.set_competitor_preferences(
        session,
        scope,
        c.id,
        write(
            {"items": [{"competitor": "竞品B", "preference": "leaning"}, {"competitor": "竞品C", "preference": "none"}]}
        ),
    )
    assert [(r.competitor, r.preference) for r in rows] == [("竞品B", "leaning"), ("竞品C", "none")]
    with pytest.raises(Invalid):
        profiles.set_competitor_preferences(
            session,
            scope,
            c.id,
            write(
                {
                    "items": [
                        {"competitor": "Acme", "preference": "none"},
                        {"competitor": "ACME", "preference": "strong"},
                    ]
                }
            ),
        )
    assert _audit(session, c.id)[-1].changes == {"competitors": [["竞品A: strong"], ["竞品B: leaning", "竞品C: none"]]}
    assert profiles.set_competitor_preferences(session, scope, c.id, write({"items": []})) == []


def test_relationship_owners_are_replaced_and_must_be_active(session, ids):
    _cust, c, scope = _setup(session, ids)
    assert profiles.set_relation_owners(
        session, scope, c.id, RelationOwnersWrite(user_ids=[ids["finance1"], ids["sr1"]])
    ) == [
        ids["finance1"],
        ids["sr1"],
    ]
    session.get(User, ids["finance1"]).is_active = False
    session.flush()
    # An inactive owner already there may stay; a new one must be active.
    assert profiles.set_relation_owners(session, scope, c.id, RelationOwnersWrite(user_ids=[ids["finance1"]])) == [
        ids["finance1"]
    ]
    session.get(User, ids["sr1"]).is_active = False
    session.flush()
    with pytest.raises(Invalid):
        profiles.set_relation_owners(session, scope, c.id, RelationOwnersWrite(user_ids=[ids["sr1"]]))
    with pytest.raises(Invalid):
        profiles.set_relation_owners(session, scope, c.id, RelationOwnersWrite(user_ids=[999_999]))
    assert profiles.relation_owner_ids(session, scope, c.id) == [ids["finance1"]]


def test_scope_first_then_permission(session, ids):
    _cust, c, scope = _setup(session, ids)
    outsider = scope_of(session, ids["ar2"])
    for call in (
        lambda s: profiles.get(session, s, c.id),
        lambda s: profiles.update(session, s, c.id, ProfileUpdate(support=1)),
        lambda s: profiles.change_stage(session, s, c.id, StageChange(to_stage=2, evidence="x")),
        lambda s: profiles.set_relation_owners(session, s, c.id, RelationOwnersWrite(user_ids=[])),
    ):
        with pytest.raises(NotFound):
            call(outsider)
    reader = dataclasses.replace(scope, permissions=scope.permissions - {"relationships.update"})
    assert profiles.get(session, reader, c.id).stage == 1
    with pytest.raises(Forbidden):
        profiles.update(session, reader, c.id, ProfileUpdate(support=1))
    with pytest.raises(Forbidden):
        profiles.mark_departed(session, reader, c.id, f.AS_OF)
    nobody = dataclasses.replace(scope, permissions=scope.permissions - {"relationships.view", "relationships.update"})
    with pytest.raises(Forbidden):
        profiles.get(session, nobody, c.id)
    # The director sees ar1's contact and may edit the relationship; a deleted contact is gone for everyone.
    assert profiles.update(session, scope_of(session, ids["director"]), c.id, ProfileUpdate(coach=True)).coach
    contact_service.delete_(session, Scope.system(), c.id)
    with pytest.raises(NotFound):
        profiles.get(session, scope, c.id)


def test_rising_stars_list_obeys_scope_and_shows_the_stage_path(session, ids):
    _cust, c, scope = _setup(session, ids)
    f.profile(
        session, ids["ar1"], c.id, stage=2, rising_star=True, rising_reasons=["education"], rising_owner_id=ids["sr1"]
    )
    f.profile(session, ids["ar1"], c.id, stage=3)
    other = f.contact(session, ids["ar1"], _cust.id, "普通人")
    f.profile(session, ids["ar1"], other.id, support=1)
    rows, total = profiles.rising_stars(session, scope, 1, 50)
    assert total == 1 and [r.contact.id for r in rows] == [c.id]
    assert [n for n, _d in rows[0].stages] == [1, 2, 3]
    assert rows[0].owner_name == "陈静" and rows[0].customer_name == "档案客户"
    assert profiles.rising_stars(session, scope_of(session, ids["ar2"]), 1, 50) == ([], 0)
