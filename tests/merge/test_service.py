"""The duplicate finder, merging and undoing merges, through the service layer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loam.activities.models import FollowUp
from loam.authz.models import RecordMember
from loam.contacts.models import Contact
from loam.customers import service as customer_service
from loam.customers.schemas import CustomerUpdate
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit.models import AuditLog
from loam.leads import service as lead_service
from loam.leads.schemas import LeadConvert
from loam.merge import service
from loam.merge.models import Merge
from loam.merge.schemas import MergeRequest
from loam.recycle import service as recycle_service
from tests.contacts.factories import make_lead
from tests.helpers import make_customer, scope_of
from tests.merge.factories import count, customer_pair, links_of, make_contact, make_followup, snapshot


def _groups(session, user_id, entity="customer"):
    result = service.candidates(session, scope_of(session, user_id), entity)
    return [({r.id for r in g.records}, {m.kind for m in g.matches}, g) for g in result.groups]


def test_finder_groups_exact_and_similar_names_phones_within_scope(session, ids):
    a = make_customer(session, ids["ar1"], "华南壤土网络科技有限公司", city="南宁")
    b = make_customer(session, ids["ar2"], "华南壤土网络科技", city="南宁")
    c = make_customer(session, ids["ar1"], "华南壤土网路科技")  # a typo: similar, not equal
    d = make_customer(session, ids["ar1"], "北海海洋渔业", phone="13800138000")
    e = make_customer(session, ids["ar2"], "钦州港口物流", phone="138-0013-8000")
    hidden = make_customer(session, ids["admin"], "华南壤土网络科技(集团)有限公司", phone="+86 138 0013 8000")
    make_customer(session, ids["ar1"], "柳州螺蛳粉食品")
    groups = _groups(session, ids["director"])
    abc = next(g for g in groups if a.id in g[0])
    assert abc[0] == {a.id, b.id, c.id} and abc[1] == {"name", "similar_name"}
    similar = next(m for m in abc[2].matches if m.kind == "similar_name")
    assert 85 <= similar.score < 100
    de = next(g for g in groups if d.id in g[0])
    assert de[0] == {d.id, e.id} and de[1] == {"phone"}
    assert all(hidden.id not in g[0] for g in groups)  # the admin's record is outside the director's scope
    admin_groups = _groups(session, ids["admin"])
    assert any(hidden.id in g[0] and a.id in g[0] for g in admin_groups)


def test_finder_needs_records_merge(session, ids):
    with pytest.raises(Forbidden):
        service.candidates(session, scope_of(session, ids["ar1"]), "customer")


def test_finder_contacts_and_leads(session, ids):
    customer = make_customer(session, ids["ar1"], "联系人查重客户")
    other = make_customer(session, ids["ar1"], "另一个客户")
    p1 = make_contact(session, ids["ar1"], customer.id, "Zhou Ming", phone="13911112222")
    p2 = make_contact(session, ids["ar1"], customer.id, "ming zhou")
    p3 = make_contact(session, ids["ar1"], customer.id, "周明", phone="139 1111 2222")
    far = make_contact(session, ids["ar1"], other.id, "Zhou Ming", phone="13911112222")
    groups = _groups(session, ids["director"], "contact")
    group = next(g for g in groups if p1.id in g[0])
    assert group[0] == {p1.id, p2.id, p3.id} and group[1] == {"phone", "similar_name"}
    assert all(far.id not in g[0] for g in groups)  # contacts of another customer are not its duplicates
    l1 = make_lead(session, ids["ar1"], "甲", company="钦州湾石化有限公司", email="A@qzw.example.com")
    l2 = make_lead(session, ids["ar2"], "乙", company="钦州湾石化", email="a@qzw.example.com")
    groups = _groups(session, ids["director"], "lead")
    group = next(g for g in groups if l1.id in g[0])
    assert group[0] == {l1.id, l2.id} and group[1] == {"company", "email"}


def test_merge_customers_keeps_chosen_fields_and_moves_everything(session, ids):
    pair = customer_pair(session, ids)
    s, m = pair.survivor, pair.merged
    before = snapshot(session, [s.id, m.id])
    director = scope_of(session, ids["director"])
    data = MergeRequest(
        entity="customer",
        survivor_id=s.id,
        merged_ids=[m.id],
        fields={"phone": m.id, "email": m.id, "custom.region": m.id},
    )
    row = service.merge(session, director, data)
    session.flush()
    assert (s.phone, s.phone_norm, s.email) == ("13907710001", "+8613907710001", "it@qingxiu.example.com")
    assert s.name == "南宁青秀数码科技有限公司" and s.custom["region"] == "青秀区"
    assert m.deleted_at is not None and m.deleted_by == ids["director"]
    assert {c.id for c in session.scalars(select(Contact).where(Contact.customer_id == s.id))} == {
        c.id for c in pair.contacts
    }
    assert {f.id for f in session.scalars(select(FollowUp).where(FollowUp.customer_id == s.id))} == {
        f.id for f in pair.followups
    }
    members = session.scalars(
        select(RecordMember.user_id).where(RecordMember.record_id == s.id, RecordMember.entity == "customer")
    )
    assert set(members) == {ids["sr1"]}
    history = customer_service.history(session, director, s.id)
    assert history[0].action == "merge" and history[0].changes["merged"] == [None, [m.id]]
    assert history[0].changes["phone"] == ["0771-5551234", "13907710001"]
    copies = [h for h in history if "merged_from" in h.changes]
    assert {h.action for h in copies} >= {"create", "member_add"} and len(copies) == before[f"audit {m.id}"]
    assert count(session, AuditLog, entity="customer", entity_id=m.id, action="merge") == 1
    assert row.changes["phone"] == ["0771-5551234", "13907710001"] and row.moved["contacts"] == {
        str(m.id): sorted(c.id for c in pair.contacts)
    }
    with pytest.raises(NotFound):  # the merged customer is in the recycle bin now
        customer_service.get(session, director, m.id)


def test_undo_restores_everything(session, ids):
    pair = customer_pair(session, ids)
    s, m = pair.survivor, pair.merged
    before = snapshot(session, [s.id, m.id])
    director = scope_of(session, ids["director"])
    data = MergeRequest(entity="customer", survivor_id=s.id, merged_ids=[m.id], fields={"phone": m.id, "city": m.id})
    row = service.merge(session, director, data)
    undone = service.undo(session, director, row.id)
    session.flush()
    assert undone.undone_at is not None and undone.undo_note["kept"] == []
    assert undone.undo_note["moved_back"] == {"contacts": 2, "followups": 2, "members": 1}
    assert s.phone == "0771-5551234" and s.phone_norm is not None and m.deleted_at is None
    after = snapshot(session, [s.id, m.id])
    for key in before:
        if key.startswith("audit"):
            assert after[key] == before[key] + 2, key  # one "merge" and one "unmerge" row each, copies gone
        else:
            assert after[key] == before[key], key
    assert links_of(session, pair.contacts[0].id) == {pair.followups[0].id}
    with pytest.raises(Conflict):
        service.undo(session, director, row.id)


def test_undo_keeps_fields_changed_since(session, ids):
    pair = customer_pair(session, ids)
    s, m = pair.survivor, pair.merged
    director = scope_of(session, ids["director"])
    row = service.merge(
        session,
        director,
        MergeRequest(entity="customer", survivor_id=s.id, merged_ids=[m.id], fields={"phone": m.id, "email": m.id}),
    )
    session.flush()
    edit = CustomerUpdate(name=s.name, phone="0771-9999999", email=s.email, city=s.city, version=s.version, custom={})
    customer_service.update(session, director, s.id, edit)
    undone = service.undo(session, director, row.id)
    assert s.phone == "0771-9999999" and s.email is None
    assert undone.undo_note["kept"] == ["phone"]
    unmerge = customer_service.history(session, director, s.id)[0]
    assert unmerge.action == "unmerge" and "phone" in (unmerge.note or "")


def test_restoring_from_the_recycle_bin_undoes_the_merge(session, ids):
    pair = customer_pair(session, ids)
    s, m = pair.survivor, pair.merged
    director = scope_of(session, ids["director"])
    row = service.merge(session, director, MergeRequest(entity="customer", survivor_id=s.id, merged_ids=[m.id]))
    session.flush()
    assert recycle_service.merged_into(session, "customer", [m.id]) == {m.id: s.id}
    recycle_service.restore(session, director, "customer", m.id)
    session.flush()
    assert row.undone_at is not None and m.deleted_at is None
    assert count(session, Contact, customer_id=m.id) == 2 and count(session, FollowUp, customer_id=m.id) == 2
    assert recycle_service.merged_into(session, "customer", [m.id]) == {}


def _audit_total(session) -> int:
    return count(session, AuditLog) + count(session, Merge)


def test_stale_out_of_scope_and_forbidden_write_nothing(session, ids):
    pair = customer_pair(session, ids)
    s, m = pair.survivor, pair.merged
    foreign = make_customer(session, ids["admin"], "南宁青秀数码科技")
    gone = make_customer(session, ids["ar1"], "南宁青秀数码")
    customer_service.delete_(session, scope_of(session, ids["director"]), gone.id)
    session.flush()
    director, ar1 = scope_of(session, ids["director"]), scope_of(session, ids["ar1"])
    total = _audit_total(session)
    for merged_id, scope, error in (
        (gone.id, director, NotFound),
        (foreign.id, director, NotFound),
        (999_999, director, NotFound),
        (m.id, ar1, Forbidden),
    ):
        with pytest.raises(error):
            service.merge(
                session,
                scope,
                MergeRequest(entity="customer", survivor_id=s.id, merged_ids=[merged_id], fields={"phone": merged_id}),
            )
    assert _audit_total(session) == total and s.phone == "0771-5551234" and m.deleted_at is None


def test_merge_contacts_moves_links_and_reporting_lines(session, ids):
    customer = make_customer(session, ids["ar1"], "联系人合并客户")
    keep = make_contact(session, ids["ar1"], customer.id, "覃经理", phone="13977110000")
    dup = make_contact(session, ids["ar1"], customer.id, "覃经理", title="信息中心主任", reports_to_id=keep.id)
    keep.reports_to_id = None
    junior = make_contact(session, ids["ar1"], customer.id, "小韦", reports_to_id=dup.id)
    both = make_followup(session, ids["ar1"], customer_id=customer.id, contact_ids=[keep.id, dup.id])
    only_dup = make_followup(session, ids["ar1"], "只有重复的", customer_id=customer.id, contact_ids=[dup.id])
    director = scope_of(session, ids["director"])
    row = service.merge(
        session,
        director,
        MergeRequest(entity="contact", survivor_id=keep.id, merged_ids=[dup.id], fields={"title": dup.id}),
    )
    session.flush()
    assert keep.title == "信息中心主任" and dup.deleted_at is not None
    assert junior.reports_to_id == keep.id
    assert links_of(session, keep.id) == {both.id, only_dup.id} and links_of(session, dup.id) == {both.id}
    service.undo(session, director, row.id)
    session.flush()
    session.refresh(junior)
    assert keep.title is None and dup.deleted_at is None and junior.reports_to_id == dup.id
    assert links_of(session, keep.id) == {both.id} and links_of(session, dup.id) == {both.id, only_dup.id}
    assert row.moved["followup_contacts"] == {str(dup.id): [only_dup.id]}


def test_contacts_of_different_customers_and_converted_leads_are_refused(session, ids):
    director = scope_of(session, ids["director"])
    c1, c2 = make_customer(session, ids["ar1"], "甲客户"), make_customer(session, ids["ar1"], "乙客户")
    p1, p2 = make_contact(session, ids["ar1"], c1.id, "同名"), make_contact(session, ids["ar1"], c2.id, "同名")
    with pytest.raises(Invalid):
        service.merge(session, director, MergeRequest(entity="contact", survivor_id=p1.id, merged_ids=[p2.id]))
    l1 = make_lead(session, ids["ar1"], "韦", company="防城港钢铁")
    l2 = make_lead(session, ids["ar1"], "韦", company="防城港钢铁有限公司")
    lead_service.convert(session, scope_of(session, ids["ar1"]), l2.id, LeadConvert(create_contact=False))
    with pytest.raises(Conflict):
        service.merge(session, director, MergeRequest(entity="lead", survivor_id=l1.id, merged_ids=[l2.id]))


def test_merge_leads_moves_followups_and_undo_via_the_bin(session, ids):
    l1 = make_lead(session, ids["ar1"], "蒙", company="贵港糖业", phone="13800000001")
    l2 = make_lead(session, ids["ar2"], "蒙", company="贵港糖业有限公司", grade="A")
    f = make_followup(session, ids["ar2"], "线索跟进", lead_id=l2.id)
    director = scope_of(session, ids["director"])
    service.merge(
        session, director, MergeRequest(entity="lead", survivor_id=l1.id, merged_ids=[l2.id], fields={"grade": l2.id})
    )
    session.flush()
    session.refresh(f)
    assert f.lead_id == l1.id and l1.grade == "A" and l2.deleted_at is not None
    recycle_service.restore(session, director, "lead", l2.id)
    session.flush()
    session.refresh(f)
    assert f.lead_id == l2.id and l1.grade is None and l2.deleted_at is None


def test_unknown_field_and_self_merge(session, ids):
    pair = customer_pair(session, ids)
    director = scope_of(session, ids["director"])
    with pytest.raises(Invalid):
        service.merge(
            session,
            director,
            MergeRequest(
                entity="customer",
                survivor_id=pair.survivor.id,
                merged_ids=[pair.merged.id],
                fields={"owner_id": pair.merged.id},
            ),
        )
    with pytest.raises(ValueError):
        MergeRequest(entity="customer", survivor_id=pair.survivor.id, merged_ids=[pair.survivor.id])
    with pytest.raises(ValueError):
        MergeRequest(entity="customer", survivor_id=1, merged_ids=["lead:2"])


def test_customer_merge_repoints_converted_leads_keeps_the_other_owner_and_undo_puts_all_back(session, ids):
    """The merged customer's converted lead points at the survivor, its owner (another user) joins the survivor's
    team with write access, the survivor's last follow-up moves forward; an undo reverses all three."""
    from datetime import UTC, datetime

    survivor = make_customer(session, ids["ar1"], "柳州螺蛳粉产业园有限公司")
    merged = make_customer(session, ids["ar2"], "柳州螺蛳粉产业园")
    lead = make_lead(session, ids["ar2"], "覃", company="柳州螺蛳粉产业园")
    lead_service.convert(
        session,
        scope_of(session, ids["ar2"]),
        lead.id,
        LeadConvert(existing_customer_id=merged.id, create_contact=False),
    )
    make_followup(session, ids["ar2"], customer_id=merged.id, occurred_at=datetime(2026, 11, 2, 9, 30))
    session.flush()
    session.refresh(survivor)
    assert survivor.last_followup_at is None and lead.converted_customer_id == merged.id
    director = scope_of(session, ids["director"])
    row = service.merge(
        session, director, MergeRequest(entity="customer", survivor_id=survivor.id, merged_ids=[merged.id])
    )
    session.flush()
    session.refresh(lead)
    session.refresh(survivor)
    assert lead.converted_customer_id == survivor.id
    assert survivor.last_followup_at is not None and survivor.last_followup_at.astimezone(UTC).day == 2
    ar2 = scope_of(session, ids["ar2"])
    assert customer_service.can_write(session, ar2, customer_service.get(session, ar2, survivor.id))
    service.undo(session, director, row.id)
    session.flush()
    session.refresh(lead)
    session.refresh(survivor)
    assert lead.converted_customer_id == merged.id
    assert survivor.last_followup_at is None
    with pytest.raises(NotFound):  # ar2 no longer on the survivor's team
        customer_service.get(session, ar2, survivor.id)


def test_customer_merge_takes_contracts_and_opportunities_along_and_undo_brings_them_back(session, ids):
    from tests.contracts.factories import make_contract
    from tests.opportunities.factories import make_opportunity

    survivor = make_customer(session, ids["ar1"], "玉柴机器股份有限公司")
    merged = make_customer(session, ids["ar1"], "玉柴机器")
    opportunity = make_opportunity(session, ids["ar1"], "玉柴工厂专网", customer_id=merged.id)
    contract = make_contract(session, ids["ar1"], "玉柴工厂专网一期", customer_id=merged.id)
    director = scope_of(session, ids["director"])
    row = service.merge(
        session, director, MergeRequest(entity="customer", survivor_id=survivor.id, merged_ids=[merged.id])
    )
    session.flush()
    session.refresh(opportunity)
    session.refresh(contract)
    assert (opportunity.customer_id, contract.customer_id) == (survivor.id, survivor.id)
    service.undo(session, director, row.id)
    session.flush()
    session.refresh(opportunity)
    session.refresh(contract)
    assert (opportunity.customer_id, contract.customer_id) == (merged.id, merged.id)
