"""The demo company's relationships story (loam.demo.relationships): what a newcomer finds in a fresh `loam demo` —
one customer improving over the year, one decaying, one resting on a single person, a power map gone from red to
green — and data on every relationship view."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loam import db
from loam.activities.models import FollowUp, followup_contacts
from loam.authz import service as authz_service
from loam.authz.scope import Scope
from loam.contacts.models import Contact
from loam.customers.models import Customer
from loam.demo import relationships_data as rd
from loam.demo.relationships import months, story_opportunity
from loam.kit.models import AuditLog
from loam.notifications.models import Notification
from loam.opportunities.models import Opportunity, OpportunityContact
from loam.org.models import User
from loam.relationships import coverage, execpool, health, intel, powermap
from loam.relationships import settings as method_settings
from loam.relationships.models import (
    ContactProfile,
    ContactRelationOwner,
    ContactStageChange,
    FollowUpScenario,
    IntelItem,
    OrgMark,
    PowerLink,
    RelationshipSnapshot,
)
from tests.demo.conftest import Demo

SUMMARY_KEYS = (
    "contact_profiles",
    "power_links",
    "org_marks",
    "intel_items",
    "exec_pairings",
    "relationship_snapshots",
    "followup_scenarios",
)


def customer(s: Session, name: str) -> Customer:
    found = s.scalar(select(Customer).where(Customer.name == name))
    assert found is not None, name
    return found


def user_id(s: Session, username: str) -> int:
    found = s.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


def scope_of(s: Session, username: str) -> Scope:
    user = s.scalar(select(User).where(User.username == username))
    assert user is not None
    return authz_service.build_scope(s, user)


def number(s: Session, stmt: Any) -> int:
    return int(s.scalar(stmt) or 0)


def healths(s: Session, customer_id: int) -> dict[date, int]:
    rows = s.execute(
        select(RelationshipSnapshot.month, RelationshipSnapshot.health).where(
            RelationshipSnapshot.customer_id == customer_id
        )
    )
    return dict(rows.all())  # type: ignore[arg-type]


def the_months() -> list[date]:
    """The 1st of this month and of the twelve before (a year back: "the same month last year")."""
    return months(health.today())


def eleven_months_ago_and_now() -> tuple[date, date]:
    found = the_months()
    return found[-12], found[-1]


def test_the_summary_names_the_relationship_records(demo: Demo) -> None:
    for key in SUMMARY_KEYS:
        assert key in demo.output, demo.output


def test_twelve_monthly_snapshots_for_every_live_customer(s: Session) -> None:
    expected = the_months()
    assert len(expected) == 13 and expected[-1] == health.today().replace(day=1)
    assert expected[0] == health.add_months(expected[-1], -12)
    live = set(s.scalars(select(Customer.id).where(Customer.deleted_at.is_(None))))
    taken: dict[int, set[date]] = {}
    for cid, month in s.execute(select(RelationshipSnapshot.customer_id, RelationshipSnapshot.month)):
        taken.setdefault(cid, set()).add(month)
    assert set(taken) == live
    assert all(taken[cid] >= set(expected) for cid in live)
    # Each snapshot was stored when the monthly job ran: on the 1st of its month.
    for month, created in s.execute(select(RelationshipSnapshot.month, RelationshipSnapshot.created_at).limit(500)):
        assert created.date() == month, (month, created)
    bands = Counter(s.scalars(select(RelationshipSnapshot.band).where(RelationshipSnapshot.month == expected[-1])))
    assert len(bands) >= 2, bands


def test_the_improving_customer_rises_over_the_year(s: Session) -> None:
    first, last = eleven_months_ago_and_now()
    a = customer(s, rd.IMPROVES)
    h = healths(s, a.id)
    assert h[last] >= h[first] + 25, h
    # Month after month more contacts and departments are met.
    quarters: list[tuple[set[int], set[str | None]]] = []
    now = db.utcnow()
    for k in (4, 3, 2, 1):
        since, until = now - timedelta(days=91 * k), now - timedelta(days=91 * (k - 1))
        rows = s.execute(
            select(Contact.id, Contact.dept_name)
            .join(followup_contacts, followup_contacts.c.contact_id == Contact.id)
            .join(FollowUp, FollowUp.id == followup_contacts.c.followup_id)
            .where(FollowUp.customer_id == a.id, FollowUp.occurred_at >= since, FollowUp.occurred_at < until)
        ).all()
        quarters.append(({c for c, _d in rows}, {d for _c, d in rows}))
    assert len(quarters[-1][0]) > len(quarters[0][0]) and len(quarters[-1][1]) > len(quarters[0][1]), quarters
    # S1 → S3 with evidence, dated through the year; checklist marks from mid-year.
    changes = list(
        s.scalars(
            select(ContactStageChange)
            .join(Contact, Contact.id == ContactStageChange.contact_id)
            .where(Contact.customer_id == a.id)
        )
    )
    ups = [c for c in changes if c.to_stage > (c.from_stage or 1)]
    assert all(c.evidence for c in ups)
    assert {c.to_stage for c in ups} >= {2, 3}
    assert len({(c.changed_at.year, c.changed_at.month) for c in ups}) >= 6
    marks = list(s.scalars(select(OrgMark).where(OrgMark.customer_id == a.id)))
    assert len(marks) >= 4
    assert all(m.achieved_on is not None and m.achieved_on > first for m in marks)


def test_the_decaying_customer_falls_and_loses_a_key_contact(s: Session) -> None:
    first, last = eleven_months_ago_and_now()
    b = customer(s, rd.DECAYS)
    h = healths(s, b.id)
    assert h[last] <= h[first] - 15, h
    assert max(h.values()) >= h[last] + 20, h
    # The health page: a trend of twelve months and the same month last year, falling.
    today = health.compute(s, [b.id], health.today())[b.id]
    assert len(today.trend) == 12 and today.last_year is not None
    assert today.trend[-1].health < today.last_year.health - 15
    latest = s.scalar(select(func.max(FollowUp.occurred_at)).where(FollowUp.customer_id == b.id))
    assert latest is not None and latest < db.utcnow() - timedelta(days=140)
    assert number(s, select(func.count()).select_from(FollowUp).where(FollowUp.customer_id == b.id)) >= 20
    # The organisation change recorded the departure, which raised the succession alert.
    item = s.scalar(select(IntelItem).where(IntelItem.customer_id == b.id, IntelItem.change == "left"))
    assert item is not None and item.subject_contact_id is not None
    leaver = s.get(Contact, item.subject_contact_id)
    profile = s.get(ContactProfile, item.subject_contact_id)
    assert leaver is not None and profile is not None and profile.departed_on == item.occurred_on
    alerts = list(s.scalars(select(Notification).where(Notification.kind == "relationship_succession")))
    assert any(n.params.get("contact") == leaver.name and n.user_id == b.owner_id for n in alerts)
    # Support dropped (the audit rows tell when).
    drops = s.scalars(
        select(AuditLog)
        .join(Contact, Contact.id == AuditLog.entity_id)
        .where(AuditLog.entity == "contact_profile", Contact.customer_id == b.id)
    )
    assert any("support" in a.changes and a.changes["support"][1] < a.changes["support"][0] for a in drops)


def test_the_single_thread_customer_rests_on_ar2(s: Session) -> None:
    c = customer(s, rd.SINGLE_THREAD)
    ar2 = user_id(s, "ar2")
    assert c.owner_id == ar2
    score = coverage.customer_scores(s, [c.id], method_settings.current(s), health.today())[c.id]
    covered = [cell for cell in score.details["cells"] if cell["covered"]]
    assert covered
    assert [cell for cell in covered if cell["single_thread"]]
    assert all(cell["coverers"] == [ar2] for cell in covered)


def _state_at(s: Session, customer_id: int, opportunity_id: int, moment: datetime) -> str:
    """The opportunity's power-map status at ``moment``, replayed from the profiles' audit rows (each change is
    recorded with its old and new value) and the deal's contact links as they stood then."""
    fields = {"support": 0, "coach": False, "influence": "medium", "decision_role": None, "chain": None}
    state: dict[int, dict[str, Any]] = {}
    contacts = list(s.scalars(select(Contact.id).where(Contact.customer_id == customer_id)))
    for contact in contacts:
        state[contact] = dict(fields, departed=False)
    rows = s.scalars(
        select(AuditLog)
        .where(AuditLog.entity == "contact_profile", AuditLog.entity_id.in_(contacts), AuditLog.at <= moment)
        .order_by(AuditLog.at, AuditLog.id)
    )
    for row in rows:
        for name, change in (row.changes or {}).items():
            if name in fields:
                state[row.entity_id][name] = change[1]
            elif name == "departed_on":
                state[row.entity_id]["departed"] = change[1] is not None
    links = {
        link.contact_id: link
        for link in s.scalars(select(OpportunityContact).where(OpportunityContact.opportunity_id == opportunity_id))
        if link.created_at <= moment
    }
    people = [
        powermap.Person(
            contact_id=cid,
            role=(links[cid].role if cid in links and links[cid].role else v["decision_role"]),
            chain=v["chain"],
            support=v["support"],
            influence=v["influence"],
            coach=v["coach"],
            departed=v["departed"],
        )
        for cid, v in state.items()
    ]
    return powermap.status_of(powermap.checks(people))


def test_the_power_map_went_from_red_to_green(s: Session) -> None:
    d = customer(s, rd.RED_TO_GREEN)
    opportunity_id = story_opportunity(s, d.id)
    assert opportunity_id is not None
    opp = s.get(Opportunity, opportunity_id)
    assert opp is not None and opp.status == "open"
    assert powermap.status(s, d.id, opp.id) == "green"
    now = db.utcnow()
    assert _state_at(s, d.id, opp.id, now) == "green"  # the replay agrees with the live status
    start = opp.created_at + timedelta(days=1)
    assert _state_at(s, d.id, opp.id, start) == "red"
    seen = [_state_at(s, d.id, opp.id, start + (now - start) * k / 10) for k in range(11)]
    assert seen[0] == "red" and seen[-1] == "green" and "amber" in seen, seen
    # The map of the deal: a supportive decision maker and approver, and a coach.
    checks = powermap.map_of_opportunity(s, scope_of(s, "director"), opp.id).read.checks
    assert checks.supportive_decider and checks.coach and checks.decision_maker and checks.approver


def test_the_open_opportunities_show_every_power_map_colour(s: Session) -> None:
    ids = list(s.scalars(select(Opportunity.id).where(Opportunity.status == "open")))
    colours = Counter(powermap.statuses_for_opportunities(s, ids).values())
    assert colours["red"] >= 3 and colours["amber"] >= 3 and colours["green"] >= 3, colours


def test_intelligence_verified_conflicting_and_competitor_moves(s: Session) -> None:
    items = list(s.scalars(select(IntelItem).where(IntelItem.deleted_at.is_(None))))
    intel.attach(s, items)
    assert len([i for i in items if getattr(i, "verified", False)]) >= 10
    conflicting = [i for i in items if getattr(i, "conflicting", False)]
    assert len(conflicting) == 1
    assert s.scalar(
        select(Notification).where(
            Notification.kind == "intel_conflict", Notification.entity_id == conflicting[0].customer_id
        )
    )
    kinds = Counter(i.kind for i in items)
    assert kinds["competitor"] >= 10 and kinds["org_change"] >= 1 and kinds["project"] >= 10
    assert all(i.competitor for i in items if i.kind == "competitor")


def test_executive_pairings_held_planned_and_one_overdue(s: Session) -> None:
    pairings = execpool.list_all(s, scope_of(s, "director"), as_of=health.today())
    assert len(pairings) >= 10
    due = [p for p in pairings if getattr(p, "due", False)]
    assert [p.customer_id for p in due] == [customer(s, rd.DECAYS).id]
    assert len([p for p in pairings if getattr(p, "last_held_on", None)]) >= 10
    assert len([p for p in pairings if getattr(p, "next_planned_on", None)]) >= 10
    assert s.scalar(select(Notification).where(Notification.kind == "exec_pairing_due"))


def test_every_customer_has_profiles_owners_marks_and_rated_scenarios(s: Session) -> None:
    profiled = set(s.scalars(select(Contact.customer_id).join(ContactProfile, ContactProfile.contact_id == Contact.id)))
    assert profiled == set(s.scalars(select(Customer.id).where(Customer.deleted_at.is_(None))))
    stages = Counter(s.scalars(select(ContactProfile.stage)))
    supports = Counter(s.scalars(select(ContactProfile.support)))
    assert all(stages[n] for n in (1, 2, 3, 4)) and all(supports[n] for n in (-1, 0, 1, 2)), (stages, supports)
    assert number(s, select(func.count()).where(ContactProfile.coach.is_(True))) >= 20
    assert number(s, select(func.count()).where(ContactProfile.rising_star.is_(True))) >= 3
    assert not list(
        s.scalars(
            select(ContactProfile.contact_id).where(
                ContactProfile.rising_star.is_(True),
                (ContactProfile.rising_owner_id.is_(None)) | (ContactProfile.rising_plan.is_(None)),
            )
        )
    )
    finance1 = user_id(s, "finance1")
    owned = s.execute(
        select(Contact.customer_id, Contact.dept_name)
        .join(ContactRelationOwner, ContactRelationOwner.contact_id == Contact.id)
        .where(ContactRelationOwner.user_id == finance1)
    ).all()
    assert len({c for c, _d in owned}) >= 3 and {d for _c, d in owned} == {"财务部"}
    assert number(s, select(func.count()).select_from(OrgMark)) >= 50
    assert number(s, select(func.count()).select_from(PowerLink)) >= 10
    rated = number(s, select(func.count()).where(FollowUpScenario.quality.is_not(None)))
    chosen = number(s, select(func.count()).select_from(FollowUpScenario))
    assert chosen >= 50 and 0 < rated < chosen
