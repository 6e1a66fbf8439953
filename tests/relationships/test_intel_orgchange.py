"""An organisation change naming a contact records the departure (or role change) on the contact's profile and
runs the succession check of the profiles part (避免青黄不接)."""

from __future__ import annotations

from datetime import timedelta

from loam.relationships import intel, profiles
from loam.relationships.models import ContactProfile
from loam.relationships.schemas_network import IntelUpdate
from tests.helpers import scope_of
from tests.relationships import network_factories as f
from tests.relationships.profiles_factories import profile

T = f.TODAY


def _departed(session, contact_id):
    row = session.get(ContactProfile, contact_id)
    if row is None:
        return None
    session.refresh(row)
    return row.departed_on


def test_left_records_the_departure_and_alerts_without_a_successor(session, ids):
    c = f.customer(session, ids["ar1"])
    boss = f.contact(session, ids["ar1"], c.id, "钱总", "信息中心", level="executive")
    f.contact(session, ids["ar1"], c.id, "孙工", "信息中心")  # S1 by default: no successor
    it = f.item(
        session, ids["director"], c.id, "钱总退休", kind="org_change", subject_contact_id=boss.id, change="left",
        occurred_on=T - timedelta(days=3),
    )  # fmt: skip
    assert _departed(session, boss.id) == T - timedelta(days=3)
    alerts = f.notifications(session, "relationship_succession")
    assert ids["ar1"] in {user for user, _key in alerts}  # the customer's owner is told
    # The departed contact no longer counts among the department's contacts (孙工 remains).
    assert intel.sources_report(session, scope_of(session, ids["ar1"]), c.id, T).departments[0].contacts == 1
    # Moving the date of the change moves the departure.
    intel.update(
        session,
        scope_of(session, ids["director"]),
        it.id,
        IntelUpdate(occurred_on=T - timedelta(days=1), version=it.version),
    )
    session.flush()
    assert _departed(session, boss.id) == T - timedelta(days=1)


def test_no_alert_when_someone_at_s3_remains(session, ids):
    c = f.customer(session, ids["ar1"])
    boss = f.contact(session, ids["ar1"], c.id, "钱总", "信息中心", level="executive")
    heir = f.contact(session, ids["ar1"], c.id, "李处", "信息中心", level="middle")
    profile(session, ids["ar1"], heir.id, stage=3)
    f.item(session, ids["ar1"], c.id, "钱总调走", kind="org_change", subject_contact_id=boss.id, change="left")
    assert _departed(session, boss.id) == T
    assert f.notifications(session, "relationship_succession") == []


def test_role_change_is_not_a_departure(session, ids):
    c = f.customer(session, ids["ar1"])
    boss = f.contact(session, ids["ar1"], c.id, "钱总", "信息中心", level="executive")
    f.item(session, ids["ar1"], c.id, "钱总转岗", kind="org_change", subject_contact_id=boss.id, change="role_changed")
    assert _departed(session, boss.id) is None
    assert [key for _user, key in f.notifications(session, "relationship_succession")] == [
        f"relationship_succession:{boss.id}:{T.isoformat()}:role"
    ]
    assert profiles.get(session, scope_of(session, ids["ar1"]), boss.id).departed_on is None


def test_an_org_change_without_a_contact_touches_no_profile(session, ids):
    c = f.customer(session, ids["ar1"])
    boss = f.contact(session, ids["ar1"], c.id, "钱总", "信息中心", level="executive")
    f.item(session, ids["ar1"], c.id, "成立数字化部", kind="org_change")
    assert session.get(ContactProfile, boss.id) is None
    assert f.notifications(session, "relationship_succession") == []
