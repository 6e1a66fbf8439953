"""Records with duplicates, their children and counting helpers for the merge tests (real services, R27)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loam.activities.models import FollowUp, followup_contacts
from loam.authz.models import RecordMember
from loam.authz.scope import Scope
from loam.contacts.models import Contact
from loam.customers import service as customer_service
from loam.customers.schemas import MemberWrite
from loam.customfields import service as customfield_service
from loam.kit.customfields import CustomFieldWrite
from loam.kit.models import AuditLog
from tests.contacts.factories import make_contact, make_followup
from tests.helpers import make_customer, scope_of


@dataclass
class Pair:
    survivor: Any
    merged: Any
    contacts: list[Any]
    followups: list[Any]


def region_field(session: Session) -> None:
    customfield_service.create_field(
        session,
        Scope.system(),
        CustomFieldWrite(entity="customer", key="region", label_zh="片区", label_en="Region", field_type="text"),
    )
    session.flush()


def customer_pair(session: Session, ids: dict[str, int]) -> Pair:
    """Two customers of ar1 with the same normalised name; the second has contacts, follow-ups and a team member."""
    region_field(session)
    survivor = make_customer(session, ids["ar1"], "南宁青秀数码科技有限公司", phone="0771-5551234", city="南宁")
    merged = make_customer(
        session,
        ids["ar1"],
        "南宁青秀数码科技",
        phone="13907710001",
        email="it@qingxiu.example.com",
        city="南宁",
        custom={"region": "青秀区"},
    )
    boss = make_contact(session, ids["ar1"], merged.id, "黄总")
    clerk = make_contact(session, ids["ar1"], merged.id, "小蒙", reports_to_id=boss.id)
    f1 = make_followup(session, ids["ar1"], customer_id=merged.id, contact_ids=[boss.id])
    f2 = make_followup(session, ids["ar1"], "电话回访", customer_id=merged.id, kind="call")
    customer_service.add_member(session, scope_of(session, ids["director"]), merged.id, MemberWrite(user_id=ids["sr1"]))
    session.flush()
    return Pair(survivor, merged, [boss, clerk], [f1, f2])


def count(session: Session, model: Any, **where: Any) -> int:
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return int(session.scalar(stmt) or 0)


def snapshot(session: Session, customer_ids: list[int]) -> dict[str, Any]:
    """Children per customer and audit rows per customer, to compare before a merge and after its undo."""
    out: dict[str, Any] = {}
    for cid in customer_ids:
        out[f"contacts {cid}"] = count(session, Contact, customer_id=cid)
        out[f"followups {cid}"] = count(session, FollowUp, customer_id=cid)
        out[f"members {cid}"] = sorted(
            session.scalars(
                select(RecordMember.user_id).where(RecordMember.entity == "customer", RecordMember.record_id == cid)
            )
        )
        out[f"audit {cid}"] = count(session, AuditLog, entity="customer", entity_id=cid)
    return out


def links_of(session: Session, contact_id: int) -> set[int]:
    c = followup_contacts.c
    return set(session.scalars(select(c.followup_id).where(c.contact_id == contact_id)))


__all__ = ["make_contact", "make_customer", "make_followup"]
