"""Invoices: tax number validation, issue, edit lock, totals per contract (invoiced vs received), recycle bin."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from loam.receivables import invoices, service
from loam.receivables.schemas import InvoiceCreate, InvoiceIssue, InvoiceUpdate
from loam.recycle import service as recycle_service
from tests.helpers import scope_of
from tests.receivables.factories import D, make_contract, make_receipt

USCC = "91450100MA5L8XXX1Y"  # 18 characters, 统一社会信用代码


def _make(session, user_id, contract_id, **fields):
    data = {"contract_id": contract_id, "title": "广西河池电信分公司", "tax_number": USCC, "amount": "1000"} | fields
    return invoices.create(session, scope_of(session, user_id), InvoiceCreate.model_validate(data))


@pytest.mark.parametrize("number", ["123456789012345", USCC, "12345678901234567890", "91450100ma5l8xxx1y"])
def test_tax_numbers_of_15_18_or_20_letters_and_digits(number):
    data = InvoiceCreate(contract_id=1, title="抬头", tax_number=number, amount=D("1"))
    assert data.tax_number == number.upper()


@pytest.mark.parametrize(
    "number",
    [
        "1234567890123456",
        "12345678901234",
        "9145 0100MA5L8XXX1",
        "91450100MA5L8XXX1-",
        "发票税号一二三四五六七八九十一二三四五",
    ],
)
def test_bad_tax_numbers_are_refused(number):
    with pytest.raises(ValidationError):
        InvoiceCreate(contract_id=1, title="抬头", tax_number=number, amount=D("1"))


def test_vat_special_needs_a_tax_number_the_others_do_not(session, ids):
    c = make_contract(session, ids["ar1"], "5000.00")
    with pytest.raises(Invalid) as exc:
        _make(session, ids["ar1"], c.id, tax_number=None)
    assert set(exc.value.detail) == {"tax_number"}
    assert _make(session, ids["ar1"], c.id, kind="vat_ordinary", tax_number=None).tax_number is None
    with pytest.raises(ValidationError):
        InvoiceCreate(contract_id=1, kind="receipt", title="抬头", amount=D("1"), tax_number=USCC)


def test_issue_then_locked_and_audited(session, ids):
    c = make_contract(session, ids["ar1"], "5000.00")
    inv = _make(session, ids["ar1"], c.id)
    assert (inv.status, inv.currency, inv.kind) == ("not_issued", "CNY", "vat_special")
    ar1 = scope_of(session, ids["ar1"])
    edited = invoices.update(
        session, ar1, inv.id, InvoiceUpdate(title="河池电信", tax_number=USCC, amount=D("1200"), version=inv.version)
    )
    assert edited.amount == D("1200.00")
    issued = invoices.issue(
        session,
        ar1,
        inv.id,
        InvoiceIssue(version=edited.version, issued_on=date(2026, 12, 5), invoice_number="04406921"),
    )
    assert (issued.status, issued.issued_on, issued.invoice_number) == ("issued", date(2026, 12, 5), "04406921")
    with pytest.raises(Conflict):
        invoices.update(
            session, ar1, inv.id, InvoiceUpdate(title="x", tax_number=USCC, amount=D("1"), version=issued.version)
        )
    with pytest.raises(Conflict):
        invoices.issue(
            session, ar1, inv.id, InvoiceIssue(version=issued.version, issued_on=date(2026, 12, 6), invoice_number="1")
        )
    history = audit.history(session, "invoice", inv.id)
    assert [h.action for h in history] == ["issue", "update", "create"]
    assert "invoice_title" in history[1].changes and audit.field_label("invoice_title") != "invoice_title"


def test_totals_compare_invoiced_with_received(session, ids):
    c = make_contract(session, ids["ar1"], "5000.00")
    ar1 = scope_of(session, ids["ar1"])
    first = _make(session, ids["ar1"], c.id, amount="3000")
    invoices.issue(session, ar1, first.id, InvoiceIssue(version=1, issued_on=date(2026, 12, 5), invoice_number="A1"))
    _make(session, ids["ar1"], c.id, amount="1500", kind="vat_ordinary", tax_number=None)
    make_receipt(session, ids["ar1"], c.id, "2000.00", approve=True)
    totals = service.totals(session, ar1, c.id)
    assert (totals.invoiced, totals.invoice_requested, totals.received) == (D("3000.00"), D("1500.00"), D("2000.00"))


def test_scope_permissions_and_recycle_bin(session, ids):
    c = make_contract(session, ids["ar1"], "5000.00")
    inv = _make(session, ids["ar1"], c.id)
    with pytest.raises(NotFound):
        invoices.get(session, scope_of(session, ids["ar2"]), inv.id)
    with pytest.raises(NotFound):
        _make(session, ids["finance1"], c.id)
    with pytest.raises(Forbidden):  # ar1 may not delete
        invoices.delete_(session, scope_of(session, ids["ar1"]), inv.id)
    director = scope_of(session, ids["director"])
    invoices.delete_(session, director, inv.id)
    assert recycle_service.list_deleted(session, director, "invoice")[1] == 1
    recycle_service.restore(session, director, "invoice", inv.id)
    assert invoices.get(session, director, inv.id).deleted_at is None
    invoices.delete_(session, director, inv.id)
    recycle_service.purge(session, scope_of(session, ids["admin"]), "invoice", inv.id)
    with pytest.raises(NotFound):
        recycle_service.restore(session, director, "invoice", inv.id)
