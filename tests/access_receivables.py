"""Receivable plans, receipts and invoices in the access matrix (tests/access.py).

Visibility goes through the contract: its owner in the caller's data scope for receivables (ar1 sees their
own, the director their team's, the admin all; ar2 and finance1, own scope, do not) or the contract visible
to the caller. Every demo role may create receivables, so the 403 for creating without the permission is
tested with a role that lacks it in tests/receivables/test_api.py (``test_create_without_permission_is_403``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from tests.access import Resource
from tests.receivables.factories import make_contract, make_plan, make_receipt


def _plan(session: Session, owner_id: int) -> int:
    contract = make_contract(session, owner_id, "10000.00", name="矩阵测试回款合同")
    return make_plan(session, owner_id, contract.id, date(2027, 1, 31), "5000.00").id


def _receipt(session: Session, owner_id: int) -> int:
    contract = make_contract(session, owner_id, "10000.00", name="矩阵测试回款合同")
    return make_receipt(session, owner_id, contract.id, "3000.00").id


def _invoice(session: Session, owner_id: int) -> int:
    from loam.receivables import invoices
    from loam.receivables.schemas import InvoiceCreate
    from tests.helpers import scope_of

    contract = make_contract(session, owner_id, "10000.00", name="矩阵测试回款合同")
    data = InvoiceCreate(
        contract_id=contract.id, title="矩阵测试发票抬头", tax_number="91450100MA5L8XXX1Y", amount="100"
    )
    invoice = invoices.create(session, scope_of(session, owner_id), data)
    session.flush()
    return invoice.id


def _deleter(module: str):  # type: ignore[no-untyped-def]
    def delete(session: Session, record_id: int) -> None:
        import importlib

        from loam.authz.scope import Scope

        importlib.import_module(module).delete_(session, Scope.system(), record_id)

    return delete


RESOURCES = [
    Resource(
        name="receivable_plan",
        make=_plan,
        api_detail="/api/v1/receivable-plans/{id}",
        api_list="/api/v1/receivable-plans?page_size=200",
        web_detail="/receivables/plans/{id}",
        write=("PUT", "/api/v1/receivable-plans/{id}", lambda v: {"due_on": "2027-02-01", "amount": "1", "version": v}),
        delete=_deleter("loam.receivables.plans"),
    ),
    Resource(
        name="receivable",
        make=_receipt,
        api_detail="/api/v1/receivables/{id}",
        api_list="/api/v1/receivables?page_size=200",
        web_detail="/receivables/{id}",
        write=("PUT", "/api/v1/receivables/{id}", lambda v: {"received_on": "2027-02-01", "amount": "1", "version": v}),
        delete=_deleter("loam.receivables.service"),
    ),
    Resource(
        name="invoice",
        make=_invoice,
        api_detail="/api/v1/invoices/{id}",
        api_list="/api/v1/invoices?page_size=200",
        web_detail="/receivables/invoices/{id}",
        write=(
            "PUT",
            "/api/v1/invoices/{id}",
            lambda v: {"title": "越权修改", "kind": "other", "amount": "1", "version": v},
        ),
        delete=_deleter("loam.receivables.invoices"),
    ),
]
