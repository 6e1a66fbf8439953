"""The bulk generator behind benchmarks/relationships.py, at a tiny size: exact counts, rows the services would
accept, a snapshot of every customer and twelve months of history."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from loam.activities.models import FollowUp, followup_contacts
from loam.contacts.models import Contact
from loam.customers.models import Customer
from loam.demo import rel_scale
from loam.relationships import health, snapshots
from loam.relationships.models import ContactProfile, RelationshipSnapshot
from tests.helpers import api


def test_scale_writes_the_asked_sizes_and_scores(session, ids) -> None:
    seen: list[tuple[int, int]] = []
    counts = rel_scale.scale(
        session, customers=12, contacts=300, followups=1500, progress=lambda d, t: seen.append((d, t))
    )
    session.flush()
    assert (counts["customers"], counts["contacts"], counts["followups"]) == (12, 300, 1500)
    assert seen == [(12, 12)]
    count = lambda stmt: session.scalar(select(func.count()).select_from(stmt.subquery()))  # noqa: E731
    assert count(select(Customer.id).where(Customer.owner_id.is_not(None), Customer.department_id.is_not(None))) == 12
    assert count(select(followup_contacts.c.followup_id)) == counts["followup_contacts"] >= 1500
    assert count(select(ContactProfile.contact_id)) == counts["contact_profiles"] > 0
    # Formal lines stay inside the customer.
    boss = aliased(Contact)
    lines = select(Contact.id).join(boss, boss.id == Contact.reports_to_id)
    assert count(lines) > 0
    assert count(lines.where(boss.customer_id != Contact.customer_id)) == 0
    assert session.scalar(select(func.max(FollowUp.occurred_at))) is not None
    month = health.month_start(health.today())
    assert snapshots.take(session, month).taken == 12
    assert rel_scale.history(session, month) == 12 * 12
    healths = list(session.scalars(select(RelationshipSnapshot.health).where(RelationshipSnapshot.month == month)))
    assert len(healths) == 12 and all(0 <= h <= 100 for h in healths)
    # The generated people can log in and see their customers' health.
    owner = session.scalar(select(Customer.owner_id).order_by(Customer.id.desc()).limit(1))
    from loam.org.models import User

    username = session.get(User, owner).username
    listed = api(username).get("/api/v1/relationships/health").json()
    assert listed["total"] >= 1
