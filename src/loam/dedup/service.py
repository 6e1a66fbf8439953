"""Duplicate warnings: does a company or phone number already exist as a lead, customer or contact?

Why this reads across data scopes, and why it shows so little
---------------------------------------------------------------
The point of the check is that two sales reps should not chase the same company without knowing
it (撞单). A rep usually cannot see the other rep's records (data scope, R10), so a scoped check
would miss exactly the case it exists for. The check therefore looks at every live record, but it
deliberately reveals only *what kind* of record matched, its name and its owner's display name —
enough to go and talk to that colleague, never the record's phone, address, follow-ups or other
details. Everything else stays behind ``readable(scope)``.

This module is a small read-only index over other domains' tables (an accepted exception to R2:
it never writes, and its SQL lives in the helper functions below). Callers check their own
permission before calling it (see ``loam.leads.service.duplicates``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from loam.contacts.models import Contact
from loam.customers.models import Customer
from loam.kit import normalize
from loam.leads.models import Lead
from loam.org import service as org_service

ENTITIES = ("lead", "customer", "contact")


@dataclass(frozen=True)
class Duplicate:
    """A matching record: entity ("lead" | "customer" | "contact"), id, name and its owner's name only."""

    entity: str
    id: int
    name: str
    owner_name: str
    matched_on: str  # "company" | "phone"


def find_duplicates(
    session: Session,
    company: str | None,
    phone: str | None,
    exclude: tuple[str, int] | None = None,
    limit: int = 10,
) -> list[Duplicate]:
    """Live (not deleted) leads, customers and contacts with the same normalised company name or phone.

    Company names are compared after :func:`loam.kit.normalize.company` (full-width folded,
    punctuation and legal suffixes removed) against ``leads.company_norm`` and
    ``customers.name_norm``; phones after :func:`loam.kit.normalize.phone` (E.164) against
    ``phone_norm`` of all three. Converted leads are skipped (their customer stands for them).
    ``exclude`` names one record to leave out (the record being edited). At most ``limit`` per entity.
    """
    company_key = normalize.company(company) or None
    phone_key = normalize.phone(phone)
    if company_key is None and phone_key is None:
        return []
    rows: list[tuple[str, int, str, int | None, str]] = []
    rows += _leads(session, company_key, phone_key, limit)
    rows += _customers(session, company_key, phone_key, limit)
    if phone_key is not None:
        rows += _contacts(session, phone_key, limit)
    rows = [r for r in rows if exclude is None or (r[0], r[1]) != tuple(exclude)]
    names = org_service.names_by_id(session, {r[3] for r in rows})
    return [Duplicate(e, i, n, names.get(o, "") if o else "", m) for e, i, n, o, m in rows]


def _matched(company_col: Any, phone_col: Any, company_key: str | None, phone_key: str | None) -> Any:
    """Same normalised company (when the table has one) or same normalised phone."""
    parts = []
    if company_key is not None and company_col is not None:
        parts.append(company_col == company_key)
    if phone_key is not None:
        parts.append(phone_col == phone_key)
    return or_(*parts)


def _label(row_company: str | None, company_key: str | None) -> str:
    return "company" if company_key is not None and row_company == company_key else "phone"


def _leads(session: Session, company_key: str | None, phone_key: str | None, limit: int) -> list[Any]:
    where = _matched(Lead.company_norm, Lead.phone_norm, company_key, phone_key)
    stmt = (
        select(Lead.id, Lead.name, Lead.company, Lead.owner_id, Lead.company_norm)
        .where(where, Lead.deleted_at.is_(None), Lead.status != "converted")
        .order_by(Lead.id)
        .limit(limit)
    )
    return [
        (
            "lead",
            r.id,
            f"{r.name} ({r.company})" if r.company else r.name,
            r.owner_id,
            _label(r.company_norm, company_key),
        )
        for r in session.execute(stmt)
    ]


def _customers(session: Session, company_key: str | None, phone_key: str | None, limit: int) -> list[Any]:
    where = _matched(Customer.name_norm, Customer.phone_norm, company_key, phone_key)
    stmt = (
        select(Customer.id, Customer.name, Customer.owner_id, Customer.name_norm)
        .where(where, Customer.deleted_at.is_(None))
        .order_by(Customer.id)
        .limit(limit)
    )
    return [("customer", r.id, r.name, r.owner_id, _label(r.name_norm, company_key)) for r in session.execute(stmt)]


def _contacts(session: Session, phone_key: str, limit: int) -> list[Any]:
    stmt = (
        select(Contact.id, Contact.name, Contact.owner_id, Customer.name.label("customer_name"))
        .join(Customer, Customer.id == Contact.customer_id)
        .where(Contact.phone_norm == phone_key, Contact.deleted_at.is_(None), Customer.deleted_at.is_(None))
        .order_by(Contact.id)
        .limit(limit)
    )
    return [("contact", r.id, f"{r.name} ({r.customer_name})", r.owner_id, "phone") for r in session.execute(stmt)]
