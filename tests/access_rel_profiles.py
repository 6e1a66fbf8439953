"""Relationship profiles in the access matrix (tests/access.py): the profile of a contact of ar1's customer is
reached through the contact's visibility (ar2 and finance1 get 404, like the contact itself); the list is the
rising stars page. Every demo role holds relationships.view/update, so there is no "create without permission"
case here (tests/relationships/test_profiles_api.py checks the 403 with a role that lacks it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests import helpers
from tests.access import Resource
from tests.contacts.factories import make_contact


def _profile(session: Session, owner_id: int) -> int:
    from loam.relationships import profiles
    from loam.relationships.schemas_profiles import ProfileUpdate

    customer = helpers.make_customer(session, owner_id, "矩阵测试关系客户")
    contact = make_contact(session, owner_id, customer.id, "矩阵测试关系人")
    data = ProfileUpdate(support=1, rising_star=True, rising_reasons=["expertise"], rising_owner_id=owner_id)
    profiles.update(session, helpers.scope_of(session, owner_id), contact.id, data)
    session.flush()
    return int(contact.id)


def _delete_contact(session: Session, record_id: int) -> None:
    from loam.authz.scope import Scope
    from loam.contacts import service

    service.delete_(session, Scope.system(), record_id)


RESOURCES = [
    Resource(
        name="contact_relationship",
        make=_profile,
        api_detail="/api/v1/contacts/{id}/relationship",
        api_list="/api/v1/rising-stars?page_size=200",
        web_detail="/contacts/{id}/relationship",
        write=("PATCH", "/api/v1/contacts/{id}/relationship", lambda v: {"support": -2, "version": v}),
        delete=_delete_contact,
    ),
]
