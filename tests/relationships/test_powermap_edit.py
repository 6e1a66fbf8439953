"""Editing the power map: informal links (validation, duplicates, audit), the reporting line, and a node's role,
chain, support, influence and coach — on the account map or in an opportunity's overlay."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loam.authz.scope import Scope
from loam.contacts import service as contact_service
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from loam.opportunities import repository as opportunity_repo
from loam.relationships import powermap, profiles_repository
from loam.relationships.models import PowerLink
from loam.relationships.schemas_powermap import NodeEdit, PowerLinkCreate, PowerLinkUpdate
from tests.helpers import scope_of
from tests.opportunities.factories import make_opportunity
from tests.relationships.powermap_helpers import customer, link, person


@pytest.fixture
def three(session, ids):
    c = customer(session, ids)
    a = person(session, ids, c.id, "黄局长", level="executive")
    b = person(session, ids, c.id, "李处长")
    d = person(session, ids, c.id, "王科长", level="staff")
    return c, a, b, d


def _links(session, contact_id):
    return list(session.scalars(select(PowerLink).where(PowerLink.from_contact_id == contact_id)))


def test_add_update_remove_a_link_with_audit_rows(session, ids, three):
    c, a, b, _d = three
    ar1 = scope_of(session, ids["ar1"])
    made = powermap.add_link(
        session, ar1, c.id, PowerLinkCreate(from_contact_id=a.id, to_contact_id=b.id, kind="influences")
    )
    assert (made.kind, made.strength, made.created_by) == ("influences", 2, ids["ar1"])
    edges = powermap.read_map(session, ar1, c.id).read.edges
    assert [(e.kind, e.source, e.target, e.strength, e.link_id) for e in edges] == [
        ("influences", a.id, b.id, 2, made.id)
    ]
    powermap.update_link(session, ar1, made.id, PowerLinkUpdate(strength=3))
    assert (made.kind, made.strength) == ("influences", 3)  # only the field sent changed
    powermap.update_link(session, ar1, made.id, PowerLinkUpdate(kind="personal", remark="校友"))
    assert (made.kind, made.strength, made.remark) == ("personal", 3, "校友")
    powermap.remove_link(session, ar1, made.id)
    session.flush()
    assert _links(session, a.id) == []
    rows = sorted(audit.history(session, "power_link", made.id), key=lambda r: r.id)
    assert [(r.action, r.user_id) for r in rows] == [(a, ids["ar1"]) for a in ("create", "update", "update", "delete")]
    assert rows[1].changes == {"strength": [2, 3]} and rows[2].changes == {
        "kind": ["influences", "personal"],
        "remark": [None, "校友"],
    }
    by_action = {r.action: r.changes for r in rows}
    assert by_action["create"]["from"] == [None, "黄局长"] and by_action["create"]["to"] == [None, "李处长"]
    assert by_action["delete"]["kind"] == ["personal", None]
    with pytest.raises(NotFound):
        powermap.get_link(session, ar1, made.id)


def test_link_validation(session, ids, three):
    c, a, b, _d = three
    ar1 = scope_of(session, ids["ar1"])
    elsewhere = customer(session, ids, "别的客户")
    stranger = person(session, ids, elsewhere.id, "外人")
    with pytest.raises(Invalid) as err:  # no self-links
        powermap.add_link(
            session, ar1, c.id, PowerLinkCreate(from_contact_id=a.id, to_contact_id=a.id, kind="personal")
        )
    assert "to_contact_id" in err.value.detail
    with pytest.raises(Invalid) as err:  # both contacts belong to the customer
        powermap.add_link(
            session, ar1, c.id, PowerLinkCreate(from_contact_id=a.id, to_contact_id=stranger.id, kind="personal")
        )
    assert "to_contact_id" in err.value.detail
    with pytest.raises(Invalid) as err:
        powermap.add_link(
            session, ar1, c.id, PowerLinkCreate(from_contact_id=99999, to_contact_id=b.id, kind="personal")
        )
    assert "from_contact_id" in err.value.detail
    powermap.add_link(session, ar1, c.id, PowerLinkCreate(from_contact_id=a.id, to_contact_id=b.id, kind="conflicts"))
    with pytest.raises(Conflict):  # conflicts and personal ties have no direction: b–a is the same link
        powermap.add_link(
            session, ar1, c.id, PowerLinkCreate(from_contact_id=b.id, to_contact_id=a.id, kind="conflicts")
        )
    powermap.add_link(session, ar1, c.id, PowerLinkCreate(from_contact_id=a.id, to_contact_id=b.id, kind="influences"))
    back = powermap.add_link(  # influence has a direction: b influencing a is another link
        session, ar1, c.id, PowerLinkCreate(from_contact_id=b.id, to_contact_id=a.id, kind="influences")
    )
    with pytest.raises(Conflict):
        powermap.add_link(
            session, ar1, c.id, PowerLinkCreate(from_contact_id=a.id, to_contact_id=b.id, kind="influences")
        )
    with pytest.raises(Conflict):  # changing the kind into an existing link
        powermap.update_link(session, ar1, back.id, PowerLinkUpdate(kind="conflicts"))
    assert back.kind == "influences"
    with pytest.raises(Exception):  # noqa: B017 — strength is 1–3
        PowerLinkUpdate(strength=4)


def test_links_are_scoped(session, ids, three):
    c, a, b, _d = three
    made = powermap.add_link(
        session,
        scope_of(session, ids["ar1"]),
        c.id,
        PowerLinkCreate(from_contact_id=a.id, to_contact_id=b.id, kind="personal"),
    )
    ar2 = scope_of(session, ids["ar2"])
    for call in (
        lambda: powermap.read_map(session, ar2, c.id),
        lambda: powermap.get_link(session, ar2, made.id),
        lambda: powermap.update_link(session, ar2, made.id, PowerLinkUpdate(strength=1)),
        lambda: powermap.remove_link(session, ar2, made.id),
        lambda: powermap.add_link(
            session, ar2, c.id, PowerLinkCreate(from_contact_id=b.id, to_contact_id=a.id, kind="influences")
        ),
    ):
        with pytest.raises(NotFound):
            call()
    assert made.strength == 2 and len(_links(session, b.id)) == 0
    # a link to a contact in the recycle bin is off the map and not found
    contact_service.delete_(session, scope_of(session, ids["ar1"]), b.id)
    session.flush()
    assert powermap.read_map(session, scope_of(session, ids["ar1"]), c.id).read.edges == []
    with pytest.raises(NotFound):
        powermap.get_link(session, scope_of(session, ids["ar1"]), made.id)


def test_reporting_line_through_the_contacts_service(session, ids, three):
    c, a, b, d = three
    ar1 = scope_of(session, ids["ar1"])
    powermap.set_reports_to(session, ar1, c.id, b.id, a.id)
    powermap.set_reports_to(session, ar1, c.id, d.id, b.id)
    edges = powermap.read_map(session, ar1, c.id).read.edges
    assert {(e.kind, e.source, e.target) for e in edges} == {("reports_to", b.id, a.id), ("reports_to", d.id, b.id)}
    assert next(h.changes.get("reports_to_id") for h in contact_service.history(session, ar1, d.id)) == [None, b.id]
    with pytest.raises(Invalid) as err:  # a → d would close the circle a → d → b → a
        powermap.set_reports_to(session, ar1, c.id, a.id, d.id)
    assert "reports_to_id" in err.value.detail and a.reports_to_id is None
    stranger = person(session, ids, customer(session, ids, "别的客户").id, "外人")
    with pytest.raises(Invalid) as err:
        powermap.set_reports_to(session, ar1, c.id, a.id, stranger.id)
    assert "reports_to_id" in err.value.detail
    with pytest.raises(NotFound):  # the contact being edited must be the customer's
        powermap.set_reports_to(session, ar1, c.id, stranger.id, a.id)
    powermap.set_reports_to(session, ar1, c.id, d.id, None)
    assert d.reports_to_id is None


def test_edit_a_node_on_the_account_map(session, ids, three):
    c, a, _b, _d = three
    ar1 = scope_of(session, ids["ar1"])
    m = powermap.edit_node(
        session, ar1, c.id, a.id, NodeEdit(decision_role="decision_maker", chain="overall", support=2, coach=True)
    )
    node = m.node(a.id)
    assert (node.decision_role, node.chain, node.support, node.coach, node.influence) == (
        "decision_maker",
        "overall",
        2,
        True,
        "medium",
    )
    v = node.profile_version
    assert m.read.status == "green" and v is not None
    profile = profiles_repository.get(session, a.id)
    assert (profile.decision_role, profile.chain, profile.support, profile.coach) == (
        "decision_maker",
        "overall",
        2,
        True,
    )
    with pytest.raises(Conflict):  # the profile exists now: a stale (missing) version is refused
        powermap.edit_node(session, ar1, c.id, a.id, NodeEdit(decision_role="approver", support=2, coach=True))
    assert profile.decision_role == "decision_maker"
    m = powermap.edit_node(
        session,
        ar1,
        c.id,
        a.id,
        NodeEdit(decision_role="decision_maker", chain="overall", support=-1, coach=True, version=v),
    )
    assert m.read.status == "red" and m.node(a.id).support == -1 and m.node(a.id).profile_version == v + 1
    # nothing changed: no write, no new version
    m = powermap.edit_node(
        session,
        ar1,
        c.id,
        a.id,
        NodeEdit(decision_role="decision_maker", chain="overall", support=-1, coach=True, version=v + 1),
    )
    assert m.node(a.id).profile_version == v + 1


def test_edit_a_node_in_an_opportunity_overlay(session, ids, three):
    c, a, b, _d = three
    ar1 = scope_of(session, ids["ar1"])
    deal = make_opportunity(session, ids["ar1"], "政务云", customer_id=c.id)
    m = powermap.edit_node(
        session, ar1, c.id, a.id, NodeEdit(decision_role="approver", chain="commercial", support=1), deal.id
    )
    found = opportunity_repo.contact_link_for(session, deal.id, a.id)
    assert (found.role, found.chain) == ("approver", "commercial")  # the contact is now linked to the deal
    profile = profiles_repository.get(session, a.id)
    assert (profile.decision_role, profile.chain, profile.support) == (None, None, 1)  # the account role untouched
    node = m.node(a.id)
    assert (node.decision_role, node.account_role, node.deal_role, node.linked) == ("approver", None, "approver", True)
    assert m.node(b.id).linked is False
    assert powermap.status(session, c.id, deal.id) == "amber" and powermap.status(session, c.id) == "red"
    # the remark of the link is kept, and an unlinked contact with no role stays unlinked
    link(session, ids, deal.id, a.id, "approver", remark="分管副局长", chain="commercial")
    powermap.edit_node(
        session,
        ar1,
        c.id,
        a.id,
        NodeEdit(decision_role="decision_maker", chain="commercial", support=1, version=1),
        deal.id,
    )
    found = opportunity_repo.contact_link_for(session, deal.id, a.id)
    assert (found.role, found.remark) == ("decision_maker", "分管副局长")
    powermap.edit_node(session, ar1, c.id, b.id, NodeEdit(support=1), deal.id)
    assert opportunity_repo.contact_link_for(session, deal.id, b.id) is None
    other = make_opportunity(session, ids["ar1"], "别家的商机")
    with pytest.raises(NotFound):  # an opportunity of another customer
        powermap.edit_node(session, ar1, c.id, a.id, NodeEdit(support=1, version=1), other.id)


def test_edit_needs_the_right_to_write(session, ids, three):
    c, a, _b, _d = three
    deal = make_opportunity(session, ids["ar1"], "政务云", customer_id=c.id)
    with pytest.raises(NotFound):
        powermap.edit_node(session, scope_of(session, ids["ar2"]), c.id, a.id, NodeEdit(support=1))
    # the director sees the deal but the overlay is written through the opportunity, which checks its own rights
    director = scope_of(session, ids["director"])
    powermap.edit_node(session, director, c.id, a.id, NodeEdit(decision_role="user", support=1), deal.id)
    assert opportunity_repo.contact_link_for(session, deal.id, a.id).role == "user"
    readonly = _viewer(session, ids)
    with pytest.raises(Forbidden):
        powermap.edit_node(session, readonly, c.id, a.id, NodeEdit(support=2, version=1))
    with pytest.raises(Forbidden):
        powermap.add_link(
            session, readonly, c.id, PowerLinkCreate(from_contact_id=a.id, to_contact_id=_b.id, kind="personal")
        )
    assert powermap.read_map(session, readonly, c.id).read.status == "red"  # reading is allowed


def _viewer(session, ids):
    """sr1 with a role that sees every customer and relationship but may not change relationships."""
    from loam.org import service as org_service
    from loam.org.models import User
    from loam.org.schemas import RoleWrite

    role = org_service.add_role(
        session,
        scope_of(session, ids["admin"]),
        RoleWrite(
            code="rel_viewer",
            name_zh="关系只读",
            name_en="Relationships viewer",
            permissions=["customers.view", "contacts.view", "opportunities.view", "relationships.view"],
            data_scopes={"customers": 5, "contacts": 5, "opportunities": 5},
        ),
    )
    org_service.set_user_roles(session, session.get(User, ids["sr1"]), [role.id])
    session.flush()
    return scope_of(session, ids["sr1"])


def test_system_scope_reads_any_map(session, ids, three):
    c, a, _b, _d = three
    assert next(n.id for n in powermap.read_map(session, Scope.system(), c.id).nodes) == a.id  # executives first
