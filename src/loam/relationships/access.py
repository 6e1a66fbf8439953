"""Who may see and change relationship data: scope first (the customer or contact must be visible, else 404),
then the permission (403) — before any write (R11).

Relationship data belongs to the customer: whoever can see a customer and holds ``relationships.view`` sees its
profiles, maps and intelligence; ``relationships.update`` lets them record it (relationship owners are often not
the customer's owner — e.g. the collection manager owns the finance department); ``relationships.manage`` edits
the method itself (weights, templates, scenario catalogue).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.contacts import service as contact_service
from loam.contacts.models import Contact
from loam.customers import service as customer_service
from loam.customers.models import Customer


def customer(session: Session, scope: Scope, customer_id: int, write: bool = False) -> Customer:
    """A visible customer (404 otherwise), then relationships.view — or .update when ``write`` (403)."""
    found = customer_service.get(session, scope, customer_id)
    authz_service.require(scope, Permission.relationships_update if write else Permission.relationships_view)
    return found


def contact(session: Session, scope: Scope, contact_id: int, write: bool = False) -> Contact:
    """A visible contact (404 otherwise), then relationships.view — or .update when ``write`` (403)."""
    found = contact_service.get(session, scope, contact_id)
    authz_service.require(scope, Permission.relationships_update if write else Permission.relationships_view)
    return found


def require_view(scope: Scope) -> None:
    """Company-wide relationship pages (the health overview, the executive pool) need relationships.view."""
    authz_service.require(scope, Permission.relationships_view)


def require_manage(scope: Scope) -> None:
    """The method's settings and catalogues need relationships.manage."""
    authz_service.require(scope, Permission.relationships_manage)
