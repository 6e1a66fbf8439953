"""Small factories for the power-map tests; every write goes through the real services (R27)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from loam.opportunities import details
from loam.opportunities.schemas import ContactLinkWrite
from loam.relationships import profiles
from loam.relationships.schemas_profiles import ProfileUpdate
from tests.contacts.factories import make_contact
from tests.helpers import make_customer, scope_of


def customer(session: Session, ids: dict[str, int], name: str = "广西河池电信分公司", owner: str = "ar1") -> Any:
    return make_customer(session, ids[owner], name)


def person(
    session: Session,
    ids: dict[str, int],
    customer_id: int,
    name: str,
    user: str = "ar1",
    level: str = "middle",
    reports_to_id: int | None = None,
    **profile: Any,
) -> Any:
    """A contact of the customer; ``profile`` (decision_role, chain, support, influence, coach) goes through
    the profiles service when given — without it the contact has no profile (the defaults apply)."""
    contact = make_contact(session, ids[user], customer_id, name, level=level, reports_to_id=reports_to_id)
    if profile:
        set_profile(session, ids, contact.id, user=user, **profile)
    return contact


def set_profile(session: Session, ids: dict[str, int], contact_id: int, user: str = "ar1", **fields: Any) -> Any:
    from loam.relationships import profiles_repository

    stored = profiles_repository.get(session, contact_id)
    data = ProfileUpdate(**fields, version=stored.version if stored else None)
    profile = profiles.update(session, scope_of(session, ids[user]), contact_id, data)
    session.flush()
    return profile


def link(
    session: Session, ids: dict[str, int], opportunity_id: int, contact_id: int, role: str | None, **kw: Any
) -> Any:
    """Link a contact to an opportunity with a role in the deal (the overlay)."""
    found = details.link_contact(
        session,
        scope_of(session, ids[kw.pop("user", "ar1")]),
        opportunity_id,
        ContactLinkWrite(contact_id=contact_id, role=role, **kw),
    )
    session.flush()
    return found
