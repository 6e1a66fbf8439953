"""The power-map status (red / amber / green) on small fixtures, account maps and opportunity overlays.

Rules (loam.relationships.powermap): key player = decision role decision_maker / approver / evaluator /
influencer, or influence high; supportive = support ≥ +1; red = no supportive key player; amber = one; green = a
supportive decision maker or approver AND a coach among the key players. Contacts who left are not counted.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from loam import db
from loam.authz.scope import Scope
from loam.contacts import service as contact_service
from loam.opportunities import service as opportunity_service
from loam.relationships import powermap, profiles
from loam.relationships.powermap import Person, checks, status_of
from tests.helpers import scope_of
from tests.opportunities.factories import make_opportunity
from tests.relationships.powermap_helpers import customer, link, person, set_profile


def _p(role=None, support=0, influence="medium", coach=False, departed=False):
    return Person(1, role, None, support, influence, coach, departed)


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        ([], "red"),  # no contacts at all
        ([_p("decision_maker", -2), _p("approver", -1), _p("influencer", -2, "high")], "red"),  # everyone opposed
        ([_p("user", 2), _p(None, 2, "low", coach=True)], "red"),  # supportive, but nobody is a key player
        ([_p("decision_maker", 0, coach=True)], "red"),  # neutral (0) is not supportive
        ([_p("influencer", 1)], "amber"),  # +1 is supportive; an influencer is a key player
        ([_p(None, 1, "high")], "amber"),  # high influence alone makes a key player
        ([_p("decision_maker", 2)], "amber"),  # a supportive decision maker but no coach
        ([_p("decision_maker", 2), _p("user", 1, "low", coach=True)], "amber"),  # the coach is not a key player
        ([_p("evaluator", 2, coach=True), _p("decision_maker", -1)], "amber"),  # the decider is not supportive
        ([_p("decision_maker", 1), _p("evaluator", -1, coach=True)], "green"),  # any key player may be the coach
        ([_p("approver", 2, coach=True)], "green"),  # an approver who coaches us
        ([_p(None, 1, "high", coach=True), _p("approver", 1)], "green"),
        ([_p("approver", 2, coach=True, departed=True)], "red"),  # who left does not count
        ([_p("approver", 2, coach=True, departed=True), _p("influencer", 1)], "amber"),
    ],
)
def test_status_rules(people, expected):
    assert status_of(checks(people)) == expected


def test_checks_name_the_deciders_even_when_opposed():
    c = checks([_p("decision_maker", -2), _p("approver", 0), _p("approver", 2, departed=True)])
    assert (c.decision_maker, c.approver, c.supportive_key_player, c.supportive_decider, c.coach) == (
        True,
        True,
        False,
        False,
        False,
    )
    assert not checks([_p("approver", 2, departed=True)]).approver


def test_account_map_defaults_and_each_step_to_green(session, ids):
    c = customer(session, ids)
    assert powermap.status(session, c.id) == "red"  # no contacts
    boss = person(session, ids, c.id, "黄局长", level="executive")  # no profile: support 0, influence medium
    assert powermap.status(session, c.id) == "red"
    m = powermap.read_map(session, scope_of(session, ids["ar1"]), c.id)
    node = m.node(boss.id)
    assert (node.support, node.influence, node.coach, node.decision_role, node.key_player, node.profile_version) == (
        0,
        "medium",
        False,
        None,
        False,
        None,
    )
    set_profile(session, ids, boss.id, decision_role="decision_maker", support=1)
    assert powermap.status(session, c.id) == "amber"  # supportive decision maker, no coach
    coach = person(session, ids, c.id, "李工", decision_role="user", support=2, coach=True, influence="low")
    assert powermap.status(session, c.id) == "amber"  # a coach who is no key player does not count
    set_profile(session, ids, coach.id, influence="high")
    assert powermap.status(session, c.id) == "green"  # now a key player by influence
    assert powermap.statuses_for_customers(session, [c.id]) == {c.id: "green"}
    profiles.mark_departed(session, scope_of(session, ids["ar1"]), boss.id, date(2026, 11, 30))
    assert powermap.status(session, c.id) == "amber"  # the decision maker left; the coach is a supportive key player


def test_deleted_contacts_are_off_the_map(session, ids):
    c = customer(session, ids)
    dm = person(session, ids, c.id, "黄局长", decision_role="decision_maker", support=2, coach=True)
    assert powermap.status(session, c.id) == "green"
    contact_service.delete_(session, scope_of(session, ids["ar1"]), dm.id)
    session.flush()
    assert powermap.status(session, c.id) == "red"
    assert powermap.read_map(session, scope_of(session, ids["ar1"]), c.id).nodes == []


def test_the_overlay_wins_over_the_account_role_for_that_opportunity(session, ids):
    c = customer(session, ids)
    boss = person(session, ids, c.id, "黄局长", decision_role="decision_maker", support=2)
    coach = person(session, ids, c.id, "李工", decision_role="evaluator", support=1, coach=True)
    other = person(session, ids, c.id, "王处长", decision_role="user", support=2)
    assert powermap.status(session, c.id) == "green"
    deal = make_opportunity(session, ids["ar1"], "政务云", customer_id=c.id)
    # no links: every contact keeps the account role (dimmed on the map), so the deal's map is the account's
    assert powermap.status(session, c.id, deal.id) == "green"
    # in this deal the account's decision maker is only a user: no supportive decider left → amber
    link(session, ids, deal.id, boss.id, "user")
    assert powermap.status(session, c.id, deal.id) == "amber"
    assert powermap.status(session, c.id) == "green"  # the account map is untouched
    # a link without a role keeps the account role
    link(session, ids, deal.id, coach.id, None)
    assert powermap.status(session, c.id, deal.id) == "amber"
    # the account's "user" is this deal's approver, and supportive (+2): green again
    link(session, ids, deal.id, other.id, "approver", chain="commercial")
    assert powermap.status(session, c.id, deal.id) == "green"
    m = powermap.read_map(session, scope_of(session, ids["ar1"]), c.id, deal.id)
    assert {n.id: (n.decision_role, n.account_role, n.deal_role, n.linked) for n in m.nodes} == {
        boss.id: ("user", "decision_maker", "user", True),
        coach.id: ("evaluator", "evaluator", None, True),
        other.id: ("approver", "user", "approver", True),
    }
    assert m.node(other.id).chain == "commercial" and m.node(other.id).account_chain is None
    lone = person(session, ids, c.id, "赵科长")
    assert powermap.read_map(session, scope_of(session, ids["ar1"]), c.id, deal.id).node(lone.id).linked is False


def test_statuses_for_opportunities_is_set_based(session, ids):
    """Three opportunities of two customers: one status each, in the same small number of queries as one."""
    a, b = customer(session, ids, "甲客户"), customer(session, ids, "乙客户")
    person(session, ids, a.id, "甲局长", decision_role="decision_maker", support=2, coach=True)
    b_boss = person(session, ids, b.id, "乙局长", decision_role="approver", support=1)
    o1 = make_opportunity(session, ids["ar1"], "甲一", customer_id=a.id)
    o2 = make_opportunity(session, ids["ar1"], "乙一", customer_id=b.id)
    o3 = make_opportunity(session, ids["ar1"], "乙二", customer_id=b.id)
    link(session, ids, o3.id, b_boss.id, "user")  # in o3 the approver is a user: no key player → red
    gone = make_opportunity(session, ids["ar1"], "已删", customer_id=b.id)
    opportunity_service.delete_(session, Scope.system(), gone.id)
    session.flush()

    def count(fn):
        seen = []
        listener = lambda *args, **kw: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            result = fn()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return result, len(seen)

    one, n_one = count(lambda: powermap.statuses_for_opportunities(session, [o1.id]))
    many, n_many = count(lambda: powermap.statuses_for_opportunities(session, [o1.id, o2.id, o3.id, gone.id, 99999]))
    assert one == {o1.id: "green"}
    assert many == {o1.id: "green", o2.id: "amber", o3.id: "red"}  # deleted and unknown ids are left out
    assert n_many == n_one == 3  # opportunities → customers, their contacts, the overlays
    assert powermap.statuses_for_opportunities(session, []) == {}


def test_the_status_is_the_customers_whoever_looks(session, ids):
    """The map shows the contacts the caller can see; the status is decided on all the customer's contacts."""
    c = customer(session, ids)
    person(session, ids, c.id, "黄局长", decision_role="approver", support=2, coach=True)
    for user in ("ar1", "director", "admin"):
        assert powermap.read_map(session, scope_of(session, ids[user]), c.id).read.status == "green"
    assert powermap.read_map(session, Scope.system(), c.id).read.status == "green"
