"""The power map in the access matrix (tests/access.py): a customer's map is reached through the customer's scope,
like the customer itself; an out-of-scope link write is a 404 and changes nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.access import Resource


def _map(session: Session, owner_id: int) -> int:
    """A customer of ``owner_id`` with two contacts and an informal link between them; the id is the customer's."""
    from loam.relationships import powermap
    from loam.relationships.schemas_powermap import PowerLinkCreate
    from tests.contacts.factories import make_contact
    from tests.helpers import make_customer, scope_of

    customer = make_customer(session, owner_id, "权力地图矩阵客户")
    a = make_contact(session, owner_id, customer.id, "矩阵局长", level="executive")
    b = make_contact(session, owner_id, customer.id, "矩阵处长", reports_to_id=a.id)
    data = PowerLinkCreate(from_contact_id=b.id, to_contact_id=a.id, kind="influences")
    powermap.add_link(session, scope_of(session, owner_id), customer.id, data)
    session.flush()
    return customer.id


def _delete(session: Session, record_id: int) -> None:
    from loam.authz.scope import Scope
    from loam.customers import service

    service.delete_(session, Scope.system(), record_id)


RESOURCES = [
    Resource(
        name="power_map",
        make=_map,
        api_detail="/api/v1/customers/{id}/power-map",
        api_list="/api/v1/customers?page_size=200",
        web_detail="/customers/{id}/power-map",
        write=(
            "POST",
            "/api/v1/customers/{id}/power-map/links",
            lambda _v: {"from_contact_id": 1, "to_contact_id": 2, "kind": "personal"},
        ),
        delete=_delete,
    ),
]
