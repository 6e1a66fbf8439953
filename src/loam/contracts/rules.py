"""Checks shared by contract writes: references (customer, opportunity, signatories, type, signing entity) and
what the status allows. No writes here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.contracts import options
from loam.contracts.models import Contract
from loam.errors import Conflict, Invalid, NotFound
from loam.kit.i18n import gettext as _

LOCKED_STATUSES = ("in_approval", "void")


@dataclass(frozen=True)
class Refs:
    customer_id: int
    opportunity_id: int | None
    name: str
    amount: Decimal
    currency: str


def _refuse(field: str, message: str) -> Invalid:
    return Invalid(message, detail={field: message})


def editable_or_409(session: Session, contract: Contract) -> None:
    """409 while the contract is in approval (or its approval is pending) and once it is void."""
    if contract.status == "void":
        raise Conflict(_("This contract is void and can no longer be changed."))
    if contract.status == "in_approval" or approval_locked(session, contract.id):
        raise Conflict(_("This contract is in approval and locked. Withdraw the approval to change it."))


def approval_locked(session: Session, contract_id: int) -> bool:
    try:
        from loam.approvals import service as approval_service
    except ModuleNotFoundError:
        return False
    return bool(approval_service.is_locked(session, "contract", contract_id))


def _opportunity(session: Session, scope: Scope, opportunity_id: int) -> Any:
    try:
        from loam.opportunities import service as opportunity_service
    except ModuleNotFoundError:
        raise _refuse("opportunity_id", _("Opportunities are not available.")) from None
    try:
        return opportunity_service.get(session, scope, opportunity_id)
    except NotFound:
        raise _refuse("opportunity_id", _("Choose an opportunity you can see.")) from None


def _customer(session: Session, scope: Scope, customer_id: int) -> None:
    from loam.customers import service as customer_service

    try:
        customer_service.get(session, scope, customer_id)
    except NotFound:
        raise _refuse("customer_id", _("Choose a customer you can see.")) from None


def check_refs(session: Session, scope: Scope, data: Any, contract: Contract | None) -> Refs:
    """Validate what a create or edit points at (only what changed, on an edit) and resolve the defaults that
    an opportunity gives a new contract. Raises 422 with the field in ``detail``."""
    opp = None
    if data.opportunity_id is not None:
        changed = contract is None or contract.opportunity_id != data.opportunity_id
        opp = _opportunity(session, scope if changed else Scope.system(), data.opportunity_id)
    customer_id = data.customer_id or (opp.customer_id if opp is not None else None)
    if customer_id is None:
        raise _refuse("customer_id", _("Choose the customer."))
    if contract is None or contract.customer_id != customer_id:
        _customer(session, scope, customer_id)
    if opp is not None and opp.customer_id != customer_id:
        raise _refuse("opportunity_id", _("The opportunity belongs to another customer."))
    name = data.name or (opp.name if opp is not None else None)
    if not name:
        raise _refuse("name", _("This field is required."))
    _check_choices(session, data, contract, customer_id)
    amount = data.amount if data.amount is not None else (opp.amount if opp is not None else None)
    currency = data.currency or (opp.currency if opp is not None else None) or "CNY"
    return Refs(customer_id, data.opportunity_id, name, Decimal(amount or 0).quantize(Decimal("0.01")), currency)


def _changed(contract: Contract | None, field: str, value: Any) -> bool:
    return value is not None and (contract is None or getattr(contract, field) != value)


def _check_choices(session: Session, data: Any, contract: Contract | None, customer_id: int) -> None:
    settings = options.load(session)
    if _changed(contract, "type", data.type) and data.type not in {t.code for t in settings.types}:
        raise _refuse("type", _("Choose one of the listed options."))
    entities = settings.signing_entities
    if entities and _changed(contract, "signing_entity", data.signing_entity) and data.signing_entity not in entities:
        raise _refuse("signing_entity", _("Choose one of the listed options."))
    customer_moved = contract is not None and contract.customer_id != customer_id
    signatory = data.customer_signatory_id
    if signatory is not None and (customer_moved or _changed(contract, "customer_signatory_id", signatory)):
        from loam.contacts import service as contact_service

        if signatory not in contact_service.ids_of_customer(session, customer_id, [signatory]):
            raise _refuse("customer_signatory_id", _("The customer's signatory must be a contact of the customer."))
    if _changed(contract, "our_signatory_id", data.our_signatory_id):
        from loam.org import service as org_service

        try:
            user = org_service.get_user(session, data.our_signatory_id)
        except NotFound:
            user = None
        if user is None or not user.is_active:
            raise _refuse("our_signatory_id", _("Our signatory must be an active user."))


def lines_changes(session: Session, contract: Contract, lines: list[Any] | None) -> bool:
    """Whether ``lines`` (from an edit) differ from the contract's lines (None: unchanged)."""
    if lines is None:
        return False
    from loam.products import service as product_service

    old = product_service.lines_of(session, "contract", contract.id)
    if len(old) != len(lines):
        return True
    for was, new in zip(old, lines, strict=True):
        if was.product_id != new.product_id or Decimal(was.quantity) != new.quantity or was.remark != new.remark:
            return True
        if new.sale_price is not None and Decimal(was.sale_price) != new.sale_price:
            return True
    return False
