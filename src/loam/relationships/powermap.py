"""The power map (权力地图): who decides at a customer, how they lean towards us, and how they are linked.

The **account-level map** of a customer is long-lived: its nodes are the customer's live contacts with their
relationship profile (decision role, chain, influence, support, coach — a contact without a profile counts as
support 0, influence medium, no role); its edges are the formal reporting lines (``Contact.reports_to_id``) and the
informal :class:`~loam.relationships.models.PowerLink` rows (influences / conflicts / personal tie, strength 1–3).

An **opportunity overlay** reuses the same people: a contact linked to the opportunity takes the role and chain
of that link where the link has one (the overlay wins over the account role for that opportunity); contacts not
linked to the deal stay on the map, dimmed, with their account role.

**Status** (Altify's rule with Huawei's coach), decided on the contacts who have not left the customer:

- a *key player* has a decision role of decision maker / approver / evaluator / influencer, or high influence;
- a contact is *supportive* at support ≥ +1;
- **red**: no supportive key player; **amber**: at least one supportive key player; **green**: a supportive key
  player who is the decision maker or an approver, **and** a coach among the key players (possibly the same
  person).

**Gate (立项)**: the requirement ``power_map`` of :mod:`loam.opportunities.gate` passes when the opportunity's
map (overlay roles, else account roles, of its customer's contacts who have not left) names at least one
decision maker and one approver.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.contacts import service as contact_service
from loam.contacts.models import Contact
from loam.customers.models import Customer
from loam.errors import Conflict, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _
from loam.opportunities import gate
from loam.opportunities import service as opportunity_service
from loam.opportunities.models import Opportunity, OpportunityContact
from loam.relationships import access
from loam.relationships import powermap_repository as repo
from loam.relationships.models import PowerLink
from loam.relationships.powermap_repository import PersonRow
from loam.relationships.schemas_powermap import (
    STATUS_HELP,
    STATUSES,
    NodeEdit,
    PowerLinkCreate,
    PowerLinkUpdate,
    PowerMapChecks,
    PowerMapEdge,
    PowerMapNode,
    PowerMapRead,
)

ENTITY = "power_link"
KEY_ROLES = frozenset({"decision_maker", "approver", "evaluator", "influencer"})
DECIDERS = frozenset({"decision_maker", "approver"})
SYMMETRIC = frozenset({"conflicts", "personal"})  # "influences" has a direction
LEVEL_ORDER = {"executive": 0, "middle": 1, "staff": 2}
GATE_KEY = "power_map"
GATE_LABEL = N_("A power map naming a decision maker and an approver")


# --- the rules -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """One contact as the rules see them on a map (account roles, or the overlay's for an opportunity)."""

    contact_id: int
    role: str | None
    chain: str | None
    support: int
    influence: str
    coach: bool
    departed: bool = False
    linked: bool = True

    @property
    def key_player(self) -> bool:
        return self.role in KEY_ROLES or self.influence == "high"

    @property
    def supportive(self) -> bool:
        return self.support >= 1


def checks(people: Iterable[Person]) -> PowerMapChecks:
    """What the status and the gate look at, over the people who have not left the customer."""
    present = [p for p in people if not p.departed]
    key = [p for p in present if p.key_player]
    return PowerMapChecks(
        supportive_key_player=any(p.supportive for p in key),
        supportive_decider=any(p.supportive and p.role in DECIDERS for p in key),
        coach=any(p.coach for p in key),
        decision_maker=any(p.role == "decision_maker" for p in present),
        approver=any(p.role == "approver" for p in present),
    )


def status_of(c: PowerMapChecks) -> str:
    """green: a supportive decision maker or approver and a coach among the key players; amber: a supportive key
    player; red: none."""
    if c.supportive_decider and c.coach:
        return "green"
    return "amber" if c.supportive_key_player else "red"


def _person(row: PersonRow, link: OpportunityContact | None = None, overlay: bool = False) -> Person:
    return Person(
        contact_id=row.contact_id,
        role=(link.role if link is not None and link.role else row.role),
        chain=(link.chain if link is not None and link.chain else row.chain),
        support=row.support,
        influence=row.influence,
        coach=row.coach,
        departed=row.departed,
        linked=(link is not None) if overlay else True,
    )


def _people_by_customer(session: Session, customer_ids: Iterable[int]) -> dict[int, list[PersonRow]]:
    out: dict[int, list[PersonRow]] = {}
    for row in repo.people(session, customer_ids):
        out.setdefault(row.customer_id, []).append(row)
    return out


# --- status, set-based -----------------------------------------------------------------------------------------


def statuses_for_customers(session: Session, customer_ids: Iterable[int]) -> dict[int, str]:
    """``{customer id: 'red'|'amber'|'green'}`` of the account-level maps, in a fixed number of queries."""
    ids = list(customer_ids)
    rows = _people_by_customer(session, ids)
    return {cid: status_of(checks(_person(r) for r in rows.get(cid, []))) for cid in ids}


def _opportunity_checks(session: Session, opportunity_ids: Iterable[int]) -> dict[int, PowerMapChecks]:
    customers = repo.opportunity_customers(session, opportunity_ids)
    rows = _people_by_customer(session, set(customers.values()))
    links = repo.overlay(session, customers)
    out = {}
    for oid, cid in customers.items():
        overlay = links.get(oid, {})
        out[oid] = checks(_person(r, overlay.get(r.contact_id), True) for r in rows.get(cid, []))
    return out


def statuses_for_opportunities(session: Session, opportunity_ids: Iterable[int]) -> dict[int, str]:
    """``{opportunity id: 'red'|'amber'|'green'}`` of the opportunities' maps (live opportunities only), in a fixed
    number of queries whatever the number of ids — for lists and the kanban. No scope: the caller shows only
    opportunities it has fetched in scope."""
    return {oid: status_of(c) for oid, c in _opportunity_checks(session, opportunity_ids).items()}


def status(session: Session, customer_id: int, opportunity_id: int | None = None) -> str:
    """'red' | 'amber' | 'green': the customer's account-level map, or the opportunity's overlay on it."""
    if opportunity_id is None:
        return statuses_for_customers(session, [customer_id])[customer_id]
    rows = _people_by_customer(session, [customer_id]).get(customer_id, [])
    overlay = repo.overlay(session, [opportunity_id]).get(opportunity_id, {})
    return status_of(checks(_person(r, overlay.get(r.contact_id), True) for r in rows))


def names_deciders(session: Session, opportunity: Opportunity) -> bool:
    """The gate's check: the opportunity's map names a decision maker and an approver."""
    c = _opportunity_checks(session, [opportunity.id]).get(opportunity.id)
    return c is not None and c.decision_maker and c.approver


def register_gate_requirement() -> None:
    """Register (again) the power-map requirement of the major-opportunity gate; idempotent."""
    gate.register_requirement(GATE_KEY, GATE_LABEL, names_deciders)


register_gate_requirement()


# --- the map ---------------------------------------------------------------------------------------------------


@dataclass
class PowerMap:
    """A map as the pages show it: the customer, the opportunity of the overlay (or None) and the map itself."""

    customer: Customer
    opportunity: Opportunity | None
    read: PowerMapRead

    @property
    def nodes(self) -> list[PowerMapNode]:
        return self.read.nodes

    def node(self, contact_id: int) -> PowerMapNode | None:
        return next((n for n in self.read.nodes if n.id == contact_id), None)


def _opportunity_of(session: Session, scope: Scope, customer_id: int, opportunity_id: int) -> Opportunity:
    """A visible opportunity of this customer (404 otherwise)."""
    opportunity = opportunity_service.get(session, scope, opportunity_id)
    if opportunity.customer_id != customer_id:
        raise NotFound(_("Opportunity not found."))
    return opportunity


def _node(row: PersonRow, link: OpportunityContact | None, overlay: bool) -> PowerMapNode:
    p = _person(row, link, overlay)
    return PowerMapNode(
        id=row.contact_id,
        name=row.name,
        title=row.title,
        dept_name=row.dept_name,
        level=row.level,
        reports_to_id=row.reports_to_id,
        decision_role=p.role,
        chain=p.chain,
        account_role=row.role,
        account_chain=row.chain,
        deal_role=link.role if link is not None else None,
        deal_chain=link.chain if link is not None else None,
        linked=p.linked,
        support=p.support,
        influence=p.influence,
        coach=p.coach,
        key_player=p.key_player,
        supportive=p.supportive,
        departed=p.departed,
        profile_version=row.profile_version,
    )


def _edges(session: Session, customer_id: int, nodes: list[PowerMapNode]) -> list[PowerMapEdge]:
    shown = {n.id for n in nodes}
    edges = [
        PowerMapEdge(kind="reports_to", source=n.id, target=n.reports_to_id, strength=2)
        for n in nodes
        if n.reports_to_id in shown
    ]
    for link in repo.links_of_customer(session, customer_id):
        if link.from_contact_id in shown and link.to_contact_id in shown:
            edges.append(
                PowerMapEdge(
                    kind=link.kind,
                    source=link.from_contact_id,
                    target=link.to_contact_id,
                    strength=link.strength,
                    link_id=link.id,
                    remark=link.remark,
                )
            )
    return edges


def _build(session: Session, scope: Scope, customer: Customer, opportunity: Opportunity | None) -> PowerMap:
    visible = {c.id for c in contact_service.for_customer(session, scope, customer.id)}
    rows = _people_by_customer(session, [customer.id]).get(customer.id, [])
    overlay = repo.overlay(session, [opportunity.id]).get(opportunity.id, {}) if opportunity else {}
    every = [_person(r, overlay.get(r.contact_id), opportunity is not None) for r in rows]
    c = checks(every)  # the status is the customer's, whoever looks at it
    shown = [r for r in rows if r.contact_id in visible]
    shown.sort(key=lambda r: (r.departed, LEVEL_ORDER.get(r.level, 3), r.dept_name or "", r.name, r.contact_id))
    nodes = [_node(r, overlay.get(r.contact_id), opportunity is not None) for r in shown]
    st = status_of(c)
    read = PowerMapRead(
        customer_id=customer.id,
        opportunity_id=opportunity.id if opportunity else None,
        status=st,  # type: ignore[arg-type]
        status_label=_(STATUSES[st]),
        status_help=_(STATUS_HELP[st]),
        checks=c,
        nodes=nodes,
        edges=_edges(session, customer.id, nodes),
    )
    return PowerMap(customer=customer, opportunity=opportunity, read=read)


def read_map(session: Session, scope: Scope, customer_id: int, opportunity_id: int | None = None) -> PowerMap:
    """The power map of a visible customer (404; relationships.view else 403), with the overlay of one of its
    visible opportunities when ``opportunity_id`` is given (404 when it is not the customer's). Nodes are the
    contacts the caller can see; the status is decided on all the customer's contacts."""
    customer = access.customer(session, scope, customer_id)
    opportunity = _opportunity_of(session, scope, customer.id, opportunity_id) if opportunity_id else None
    return _build(session, scope, customer, opportunity)


def map_of_opportunity(session: Session, scope: Scope, opportunity_id: int) -> PowerMap:
    """The map of a visible opportunity: its customer's map with the opportunity's overlay."""
    opportunity = opportunity_service.get(session, scope, opportunity_id)
    customer = access.customer(session, scope, opportunity.customer_id)
    return _build(session, scope, customer, opportunity)


def opportunities_of(session: Session, scope: Scope, customer_id: int) -> list[Opportunity]:
    """The customer's opportunities the caller can see (for choosing an overlay)."""
    return repo.opportunities_of_customer(session, customer_id, opportunity_service.visible_ids(scope))


def visible_statuses(session: Session, scope: Scope, opportunity_ids: Iterable[int]) -> dict[int, str]:
    """Statuses of the opportunities among the ids that the caller can see (relationships.view, else 403)."""
    access.require_view(scope)
    ids = repo.visible_opportunity_ids(session, list(opportunity_ids), opportunity_service.visible_ids(scope))
    return statuses_for_opportunities(session, ids)


# --- editing a node --------------------------------------------------------------------------------------------


def _contact_of(session: Session, scope: Scope, customer_id: int, contact_id: int, field: str | None = None) -> Contact:
    """A visible live contact of the customer: 404 for the node being edited, 422 naming ``field`` for an input."""
    try:
        contact = contact_service.get(session, scope, contact_id)
    except NotFound:
        contact = None
    if contact is None or contact.customer_id != customer_id:
        if field is None:
            raise NotFound(_("Contact not found."))
        message = _("Choose a contact of this customer.")
        raise Invalid(message, detail={field: message})
    return contact


def _profile_changes(row: PersonRow, data: NodeEdit, account: bool) -> dict[str, Any]:
    wanted: dict[str, Any] = {"support": data.support, "influence": data.influence, "coach": data.coach}
    if account:
        wanted |= {"decision_role": data.decision_role, "chain": data.chain}
    current = {
        "support": row.support,
        "influence": row.influence,
        "coach": row.coach,
        "decision_role": row.role,
        "chain": row.chain,
    }
    return {k: v for k, v in wanted.items() if current[k] != v}


def _write_profile(
    session: Session, scope: Scope, contact_id: int, changes: dict[str, Any], version: int | None
) -> None:
    from loam.relationships import profiles
    from loam.relationships.schemas_profiles import ProfileUpdate

    profiles.update(session, scope, contact_id, ProfileUpdate(**changes, version=version))


def _write_overlay(session: Session, scope: Scope, opportunity: Opportunity, contact_id: int, data: NodeEdit) -> None:
    from loam.opportunities import details
    from loam.opportunities.schemas import ContactLinkWrite

    link = repo.overlay(session, [opportunity.id]).get(opportunity.id, {}).get(contact_id)
    if link is not None and (link.role, link.chain) == (data.decision_role, data.chain):
        return
    if link is None and data.decision_role is None and data.chain is None:
        return
    write = ContactLinkWrite(
        contact_id=contact_id, role=data.decision_role, chain=data.chain, remark=link.remark if link else None
    )
    details.link_contact(session, scope, opportunity.id, write)


def edit_node(
    session: Session,
    scope: Scope,
    customer_id: int,
    contact_id: int,
    data: NodeEdit,
    opportunity_id: int | None = None,
) -> PowerMap:
    """Edit one node from the map (relationships.update): support, influence and coach through the profiles
    service; the decision role and chain on the profile (account map) or on the contact's link to the opportunity
    (overlay, through the opportunities service — which links the contact when it gets a role); the reporting
    line through the contacts service when ``set_reports_to``. Each writer checks its own rights and versions
    and writes its own audit rows; a refusal leaves nothing written (the edge rolls back)."""
    customer = access.customer(session, scope, customer_id, write=True)
    contact = _contact_of(session, scope, customer.id, contact_id)
    opportunity = _opportunity_of(session, scope, customer.id, opportunity_id) if opportunity_id else None
    rows = repo.people(session, [customer.id], [contact.id])
    if not rows:
        raise NotFound(_("Contact not found."))
    if opportunity is not None:
        _write_overlay(session, scope, opportunity, contact.id, data)
    changes = _profile_changes(rows[0], data, opportunity is None)
    if changes:
        _write_profile(session, scope, contact.id, changes, data.version)
    if data.set_reports_to and data.reports_to_id != contact.reports_to_id:
        set_reports_to(session, scope, customer.id, contact.id, data.reports_to_id)
    session.flush()
    return _build(session, scope, customer, opportunity)


def set_reports_to(
    session: Session, scope: Scope, customer_id: int, contact_id: int, reports_to_id: int | None
) -> Contact:
    """Draw (or remove, with None) a formal reporting line, through the contacts service: the superior must be a
    live contact of the same customer and the line may not go round in a circle (422); the contact is written
    with its own rights (contacts.update and write access, else 403); audited there."""
    from loam.contacts.schemas import ContactUpdate

    customer = access.customer(session, scope, customer_id, write=True)
    contact = _contact_of(session, scope, customer.id, contact_id)
    if reports_to_id is not None:
        _contact_of(session, scope, customer.id, reports_to_id, "reports_to_id")
    values = {k: getattr(contact, k) for k in ContactUpdate.model_fields if k not in ("custom", "reports_to_id")}
    try:
        data = ContactUpdate.model_validate(values | {"custom": {}, "reports_to_id": reports_to_id})
    except ValidationError:
        raise Invalid(_("Correct the contact's details on its own page first.")) from None
    return contact_service.update(session, scope, contact.id, data)


# --- informal links --------------------------------------------------------------------------------------------


def _duplicate(session: Session, from_id: int, to_id: int, kind: str, other_than: int | None = None) -> None:
    both_ways = kind in SYMMETRIC
    if repo.same_link(session, from_id, to_id, kind, other_than, both_ways):
        message = _("These two contacts already have a link of this kind.")
        raise Conflict(message, detail={"kind": message})


def add_link(session: Session, scope: Scope, customer_id: int, data: PowerLinkCreate) -> PowerLink:
    """Add an informal link between two visible contacts of the customer (relationships.update): never a contact
    to itself, never twice the same (409); audited under "power_link"."""
    customer = access.customer(session, scope, customer_id, write=True)
    a = _contact_of(session, scope, customer.id, data.from_contact_id, "from_contact_id")
    b = _contact_of(session, scope, customer.id, data.to_contact_id, "to_contact_id")
    if a.id == b.id:
        message = _("A link needs two different contacts.")
        raise Invalid(message, detail={"to_contact_id": message})
    _duplicate(session, a.id, b.id, data.kind)
    link = PowerLink(**data.model_dump(), created_by=scope.user_id)
    session.add(link)
    session.flush()
    changes = {
        "from": [None, a.name],
        "to": [None, b.name],
        "kind": [None, link.kind],
        "strength": [None, link.strength],
    }
    audit.record(session, scope, ENTITY, link.id, "create", changes)
    return link


def _link_for(session: Session, scope: Scope, link_id: int, write: bool) -> tuple[PowerLink, Customer]:
    found = repo.link(session, link_id)
    if found is None:
        raise NotFound(_("Link not found."))
    link, customer_id = found
    return link, access.customer(session, scope, customer_id, write=write)


def get_link(session: Session, scope: Scope, link_id: int) -> PowerLink:
    """A link between live contacts of a visible customer (404), relationships.view (403)."""
    return _link_for(session, scope, link_id, False)[0]


def update_link(session: Session, scope: Scope, link_id: int, data: PowerLinkUpdate) -> PowerLink:
    """Change the kind, strength or remark of a link (only the fields sent; relationships.update); audited."""
    link, _customer = _link_for(session, scope, link_id, True)
    values = data.model_dump(include=data.model_fields_set)
    if values.get("kind") is None:
        values.pop("kind", None)
    if values.get("strength") is None:
        values.pop("strength", None)
    if "kind" in values and values["kind"] != link.kind:
        _duplicate(session, link.from_contact_id, link.to_contact_id, values["kind"], link.id)
    changes = audit.apply_changes(link, values)
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, link.id, "update", changes)
    return link


def remove_link(session: Session, scope: Scope, link_id: int) -> None:
    """Remove a link (relationships.update); audited with what it was."""
    link, _customer = _link_for(session, scope, link_id, True)
    names = contact_service.names_by_id(session, [link.from_contact_id, link.to_contact_id])
    changes = {
        "from": [names.get(link.from_contact_id), None],
        "to": [names.get(link.to_contact_id), None],
        "kind": [link.kind, None],
    }
    session.delete(link)
    session.flush()
    audit.record(session, scope, ENTITY, link_id, "delete", changes)
