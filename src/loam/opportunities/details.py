"""The people and the competition around an opportunity: its customer's contacts with their role in the
deal (决策链), and competitors with their quoted price and status. Changing them is writing the opportunity."""

from __future__ import annotations

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.errors import Conflict, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.opportunities import repository as repo
from loam.opportunities import service
from loam.opportunities.models import OpportunityCompetitor, OpportunityContact
from loam.opportunities.schemas import CompetitorWrite, ContactLinkWrite

ENTITY = repo.ENTITY


def contacts(session: Session, scope: Scope, opportunity_id: int) -> list[OpportunityContact]:
    """The contacts linked to a visible opportunity, with their roles."""
    service.get(session, scope, opportunity_id)
    return repo.contact_links(session, opportunity_id)


def link_contact(session: Session, scope: Scope, opportunity_id: int, data: ContactLinkWrite) -> OpportunityContact:
    """Link a contact of the opportunity's customer (visible to the caller) with a role, or change the role of a
    linked one (and its power-map chain, when ``chain`` is sent); audited. A contact of another customer is a 422."""
    opportunity = service.get_for_write(session, scope, opportunity_id)
    from loam.contacts import service as contact_service

    try:
        contact = contact_service.get(session, scope, data.contact_id)
    except NotFound:
        raise Invalid(_("Choose a contact you can see."), detail={"contact_id": _("Choose a contact.")}) from None
    if contact.customer_id != opportunity.customer_id:
        raise Invalid(
            _("The contact works for another customer."), detail={"contact_id": _("Choose a contact of this customer.")}
        )
    link = repo.contact_link_for(session, opportunity.id, contact.id)
    old_role, old_chain = (link.role, link.chain) if link else (None, None)
    if link is None:
        link = OpportunityContact(opportunity_id=opportunity.id, contact_id=contact.id)
        session.add(link)
    link.role = data.role
    link.remark = data.remark
    if "chain" in data.model_fields_set:  # the power map sets the chain; the contacts tab leaves it alone
        link.chain = data.chain
    session.flush()
    changes = {"contact": [None, contact.name], "contact_role": [old_role, data.role]}
    if link.chain != old_chain:
        changes["contact_chain"] = [old_chain, link.chain]
    audit.record(session, scope, ENTITY, opportunity.id, "contact_link", changes)
    return link


def unlink_contact(session: Session, scope: Scope, opportunity_id: int, link_id: int) -> None:
    """Remove a contact from the opportunity (the contact itself stays); audited."""
    opportunity = service.get_for_write(session, scope, opportunity_id)
    link = repo.contact_link(session, opportunity.id, link_id)
    if link is None:
        raise NotFound(_("Contact not found."))
    from loam.contacts import service as contact_service

    name = contact_service.names_by_id(session, [link.contact_id]).get(link.contact_id, str(link.contact_id))
    session.delete(link)
    session.flush()
    audit.record(session, scope, ENTITY, opportunity.id, "contact_unlink", {"contact": [name, None]})


def competitors(session: Session, scope: Scope, opportunity_id: int) -> list[OpportunityCompetitor]:
    """The competitors of a visible opportunity."""
    service.get(session, scope, opportunity_id)
    return repo.competitors(session, opportunity_id)


def add_competitor(session: Session, scope: Scope, opportunity_id: int, data: CompetitorWrite) -> OpportunityCompetitor:
    """Record a competitor (name, quoted price, status); the same name twice is a 409; audited."""
    opportunity = service.get_for_write(session, scope, opportunity_id)
    if any(c.name == data.name for c in repo.competitors(session, opportunity.id)):
        raise Conflict(_("This competitor is already listed."), detail={"name": _("Already listed.")})
    row = OpportunityCompetitor(opportunity_id=opportunity.id, **data.model_dump())
    session.add(row)
    session.flush()
    changes = {
        "competitor": [None, row.name],
        "quoted_price": [None, row.quoted_price],
        "competitor_status": [None, row.status],
    }
    audit.record(session, scope, ENTITY, opportunity.id, "competitor_add", changes)
    return row


def update_competitor(
    session: Session, scope: Scope, opportunity_id: int, competitor_id: int, data: CompetitorWrite
) -> OpportunityCompetitor:
    """Change a competitor's quote, status or remark; audited with old and new values."""
    opportunity = service.get_for_write(session, scope, opportunity_id)
    row = repo.competitor(session, opportunity.id, competitor_id)
    if row is None:
        raise NotFound(_("Competitor not found."))
    if data.name != row.name and any(c.name == data.name for c in repo.competitors(session, opportunity.id)):
        raise Conflict(_("This competitor is already listed."), detail={"name": _("Already listed.")})
    changes = audit.apply_changes(row, data.model_dump())
    if changes:
        session.flush()
        renamed = {
            f"competitor_{k}" if k in ("name", "status", "remark", "currency") else k: v for k, v in changes.items()
        }
        audit.record(session, scope, ENTITY, opportunity.id, "competitor_update", renamed, note=row.name)
    return row


def remove_competitor(session: Session, scope: Scope, opportunity_id: int, competitor_id: int) -> None:
    """Remove a competitor from the opportunity; audited."""
    opportunity = service.get_for_write(session, scope, opportunity_id)
    row = repo.competitor(session, opportunity.id, competitor_id)
    if row is None:
        raise NotFound(_("Competitor not found."))
    session.delete(row)
    session.flush()
    audit.record(session, scope, ENTITY, opportunity.id, "competitor_remove", {"competitor": [row.name, None]})


def lines(session: Session, scope: Scope, opportunity_id: int) -> list[object]:
    """The product lines of a visible opportunity, in order."""
    from loam.products import service as product_service

    service.get(session, scope, opportunity_id)
    return list(product_service.lines_of(session, ENTITY, opportunity_id))


def lines_for(session: Session, opportunity_id: int) -> list[object]:
    """The product lines of an opportunity the caller already holds (fetched in scope)."""
    from loam.products import service as product_service

    return list(product_service.lines_of(session, ENTITY, opportunity_id))
