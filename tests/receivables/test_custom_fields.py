"""Custom fields on receivable plans, receipts and invoices: defined by an administrator (entities
"receivable_plan", "receivable", "invoice"), validated and audited by the services, shown and edited on the
forms and detail pages, returned and accepted by the API, filtered with ``cf_<key>`` and exported."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from loam.authz.scope import Scope
from loam.customfields import service as field_service
from loam.errors import Invalid
from loam.kit import audit
from loam.kit.customfields import CustomFieldWrite
from loam.org.models import User
from loam.receivables import invoices, plans, service
from loam.receivables.models import Invoice, Receivable, ReceivablePlan
from loam.receivables.schemas import (
    InvoiceCreate,
    InvoiceUpdate,
    PlanBatch,
    PlanCreate,
    PlanRecurring,
    PlanUpdate,
    ReceiptCreate,
    ReceiptUpdate,
)
from tests.exports.helpers import export_rows, grant_export
from tests.helpers import api, login, post_form, scope_of
from tests.receivables.factories import D, make_contract

TAX = "91450100MA5L8XXX1Y"


def _define(session: Any, entity: str, key: str, label_zh: str, field_type: str = "text", **kw: Any) -> None:
    data = CustomFieldWrite(
        entity=entity, key=key, label_zh=label_zh, label_en=key.title(), field_type=field_type, **kw
    )
    field_service.create_field(session, Scope.system(), data)


@pytest.fixture
def fields(session: Any) -> None:
    """A required select and a unique text on plans; a required text and a select on receipts; a required unique
    text and a user field on invoices."""
    _define(session, "receivable_plan", "doc", "回款依据", "select", choices=["验收单", "到货单"], required=True)
    _define(session, "receivable_plan", "ref_no", "计划编号", unique=True)
    _define(session, "receivable", "voucher", "凭证号", required=True)
    _define(session, "receivable", "bank", "收款银行", "select", choices=["工行", "建行"])
    _define(session, "invoice", "po_no", "采购单号", required=True, unique=True)
    _define(session, "invoice", "handler", "经办人", "user")
    session.flush()


@pytest.fixture
def export_files(session: Any, tmp_path: Path) -> Iterator[None]:
    from loam.config import settings

    old = settings.files_path
    settings.files_path = str(tmp_path / "files")
    grant_export(session, "ar")
    try:
        yield
    finally:
        settings.files_path = old


def _count(session: Any, model: Any, contract_id: int) -> int:
    return session.scalar(select(func.count()).select_from(model).where(model.contract_id == contract_id)) or 0


def _fields_of(exc: pytest.ExceptionInfo[Invalid]) -> set[str]:
    return set(exc.value.detail or {})


# --- services ---


def test_plan_custom_values_are_validated_stored_and_audited(session, ids, fields) -> None:
    scope = scope_of(session, ids["ar1"])
    c = make_contract(session, ids["ar1"], "10000.00")
    base = {"contract_id": c.id, "due_on": date(2027, 1, 31), "amount": D("1000.00")}
    with pytest.raises(Invalid) as exc:
        plans.create(session, scope, PlanCreate(**base))
    assert _fields_of(exc) == {"custom.doc"}
    for bad, where in (({"doc": "发票"}, "custom.doc"), ({"doc": "验收单", "nope": "1"}, "custom.nope")):
        with pytest.raises(Invalid) as exc:
            plans.create(session, scope, PlanCreate(**base, custom=bad))
        assert where in _fields_of(exc)
    assert _count(session, ReceivablePlan, c.id) == 0  # nothing written on refusal
    plan = plans.create(session, scope, PlanCreate(**base, custom={"doc": "验收单", "ref_no": " P-1 "}))
    assert plan.custom == {"doc": "验收单", "ref_no": "P-1"}
    created = audit.history(session, "receivable_plan", plan.id)[0]
    assert created.action == "create" and created.changes["custom.doc"] == [None, "验收单"]
    with pytest.raises(Invalid) as exc:  # unique among live plans
        plans.create(session, scope, PlanCreate(**base, custom={"doc": "到货单", "ref_no": "P-1"}))
    assert _fields_of(exc) == {"custom.ref_no"}
    # An update checks only the keys sent; a required field cannot be emptied.
    edit = {"due_on": plan.due_on, "amount": plan.amount, "version": plan.version}
    with pytest.raises(Invalid) as exc:
        plans.update(session, scope, plan.id, PlanUpdate(**edit, custom={"doc": None}))
    assert _fields_of(exc) == {"custom.doc"} and plan.custom["doc"] == "验收单"
    plans.update(session, scope, plan.id, PlanUpdate(**edit, custom={"doc": "到货单"}))
    session.flush()
    assert plan.custom == {"doc": "到货单", "ref_no": "P-1"}
    changed = audit.history(session, "receivable_plan", plan.id)[0]
    assert changed.action == "update" and changed.changes == {"custom.doc": ["验收单", "到货单"]}


def test_batch_and_recurring_plans_apply_the_same_rules(session, ids, fields) -> None:
    scope = scope_of(session, ids["ar1"])
    c = make_contract(session, ids["ar1"], "10000.00")
    row = {"due_on": "2027-01-31", "amount": "100.00"}
    with pytest.raises(Invalid) as exc:  # required on every period, whatever the way it is created
        plans.create_batch(session, scope, PlanBatch.model_validate({"contract_id": c.id, "rows": [row, row]}))
    assert _fields_of(exc) == {"rows.0.custom.doc"}
    rows = [row | {"custom": {"doc": "验收单", "ref_no": "B-1"}}, row | {"custom": {"doc": "到货单", "ref_no": "B-1"}}]
    with pytest.raises(Invalid) as exc:  # a unique value repeated inside the batch
        plans.create_batch(session, scope, PlanBatch.model_validate({"contract_id": c.id, "rows": rows}))
    assert _fields_of(exc) == {"rows.1.custom.ref_no"}
    assert _count(session, ReceivablePlan, c.id) == 0
    rows[1]["custom"]["ref_no"] = "B-2"
    made = plans.create_batch(session, scope, PlanBatch.model_validate({"contract_id": c.id, "rows": rows}))
    assert [p.custom for p in made] == [{"doc": "验收单", "ref_no": "B-1"}, {"doc": "到货单", "ref_no": "B-2"}]
    recurring = {"contract_id": c.id, "frequency": "monthly", "first_due": "2027-03-31", "count": 3, "total": "300"}
    with pytest.raises(Invalid) as exc:
        plans.create_recurring(session, scope, PlanRecurring.model_validate(recurring))
    assert _fields_of(exc) == {"custom.doc"}
    with pytest.raises(Invalid) as exc:  # one unique value cannot go on three periods
        plans.create_recurring(
            session, scope, PlanRecurring.model_validate(recurring | {"custom": {"doc": "验收单", "ref_no": "R"}})
        )
    assert _fields_of(exc) == {"custom.ref_no"}
    assert _count(session, ReceivablePlan, c.id) == 2
    series = plans.create_recurring(
        session, scope, PlanRecurring.model_validate(recurring | {"custom": {"doc": "到货单"}})
    )
    assert [p.custom for p in series] == [{"doc": "到货单", "ref_no": None}] * 3  # every defined key is stored


def test_receipt_and_invoice_custom_values(session, ids, fields) -> None:
    scope = scope_of(session, ids["ar1"])
    c = make_contract(session, ids["ar1"], "10000.00")
    receipt = {"contract_id": c.id, "received_on": date(2026, 12, 1), "amount": D("100.00"), "allocations": []}
    with pytest.raises(Invalid) as exc:
        service.create(session, scope, ReceiptCreate(**receipt, custom={"bank": "农行"}))
    assert _fields_of(exc) == {"custom.voucher", "custom.bank"}
    assert _count(session, Receivable, c.id) == 0
    r = service.create(session, scope, ReceiptCreate(**receipt, custom={"voucher": "记-001", "bank": "工行"}))
    assert r.custom == {"voucher": "记-001", "bank": "工行"}
    assert audit.history(session, "receivable", r.id)[0].changes["custom.voucher"] == [None, "记-001"]
    update = {"received_on": r.received_on, "amount": r.amount, "version": r.version}
    service.update(session, scope, r.id, ReceiptUpdate(**update, custom={"bank": "建行"}))
    session.flush()
    assert r.custom == {"voucher": "记-001", "bank": "建行"}
    assert audit.history(session, "receivable", r.id)[0].changes["custom.bank"] == ["工行", "建行"]

    invoice = {"contract_id": c.id, "title": "广西河池电信分公司", "tax_number": TAX, "amount": D("50.00")}
    with pytest.raises(Invalid) as exc:
        invoices.create(session, scope, InvoiceCreate(**invoice, custom={"handler": 99_999_999}))
    assert _fields_of(exc) == {"custom.po_no", "custom.handler"}  # required; no such user
    inv = invoices.create(session, scope, InvoiceCreate(**invoice, custom={"po_no": "PO-7", "handler": ids["ar2"]}))
    assert inv.custom == {"po_no": "PO-7", "handler": ids["ar2"]}
    with pytest.raises(Invalid) as exc:
        invoices.create(session, scope, InvoiceCreate(**invoice, custom={"po_no": "PO-7"}))
    assert _fields_of(exc) == {"custom.po_no"}
    assert _count(session, Invoice, c.id) == 1
    edit = {k: getattr(inv, k) for k in ("kind", "title", "tax_number", "amount", "version")}
    invoices.update(session, scope, inv.id, InvoiceUpdate(**edit, custom={"po_no": "PO-8"}))
    session.flush()
    assert inv.custom["po_no"] == "PO-8"
    assert audit.history(session, "invoice", inv.id)[0].changes == {"custom.po_no": ["PO-7", "PO-8"]}


# --- API ---


def test_api_reads_writes_and_filters_custom_values(session, ids, fields) -> None:
    c = make_contract(session, ids["ar1"], "10000.00")
    ar1 = api("ar1")
    body = {"contract_id": c.id, "due_on": "2027-01-31", "amount": "100.00"}
    r = ar1.post("/api/v1/receivable-plans", json=body)
    assert r.status_code == 422 and "custom.doc" in r.json()["fields"]
    row = {"due_on": "2027-01-31", "amount": "100.00"}
    r = ar1.post("/api/v1/receivable-plans/batch", json={"contract_id": c.id, "rows": [row]})
    assert r.status_code == 422 and "rows.0.custom.doc" in r.json()["fields"]
    assert ar1.get("/api/v1/receivable-plans", params={"contract_id": c.id}).json()["total"] == 0
    r = ar1.post("/api/v1/receivable-plans", json=body | {"custom": {"doc": "验收单", "ref_no": "API-1"}})
    assert r.status_code == 201 and r.json()["custom"] == {"doc": "验收单", "ref_no": "API-1"}
    first = r.json()
    second = ar1.post("/api/v1/receivable-plans", json=body | {"custom": {"doc": "到货单"}}).json()
    update = {"due_on": "2027-01-31", "amount": "100.00", "version": first["version"], "custom": {"ref_no": "API-2"}}
    r = ar1.put(f"/api/v1/receivable-plans/{first['id']}", json=update)
    assert r.status_code == 200 and r.json()["custom"] == {"doc": "验收单", "ref_no": "API-2"}
    assert ar1.get(f"/api/v1/receivable-plans/{first['id']}").json()["custom"]["ref_no"] == "API-2"

    def plan_ids(**params: str) -> set[int]:
        got = ar1.get("/api/v1/receivable-plans", params={"contract_id": c.id, **params})
        assert got.status_code == 200, got.text
        return {p["id"] for p in got.json()["items"]}

    assert plan_ids(cf_doc="到货单") == {second["id"]}
    assert plan_ids(cf_ref_no="api-2") == {first["id"]}  # text: contains, any case
    assert plan_ids() == {first["id"], second["id"]}

    receipt = {"contract_id": c.id, "received_on": "2026-12-01", "amount": "10.00", "allocations": []}
    r = ar1.post("/api/v1/receivables", json=receipt)
    assert r.status_code == 422 and "custom.voucher" in r.json()["fields"]
    r = ar1.post("/api/v1/receivables", json=receipt | {"custom": {"voucher": "V1", "bank": "建行"}})
    assert r.status_code == 201 and r.json()["custom"] == {"voucher": "V1", "bank": "建行"}
    ar1.post("/api/v1/receivables", json=receipt | {"custom": {"voucher": "V2", "bank": "工行"}})
    listed = ar1.get("/api/v1/receivables", params={"contract_id": c.id, "cf_bank": "建行"}).json()["items"]
    assert [x["custom"]["voucher"] for x in listed] == ["V1"]

    invoice = {"contract_id": c.id, "title": "广西河池电信分公司", "tax_number": TAX, "amount": "5.00"}
    assert ar1.post("/api/v1/invoices", json=invoice).status_code == 422
    r = ar1.post("/api/v1/invoices", json=invoice | {"custom": {"po_no": "PO-1", "handler": ids["ar2"]}})
    assert r.status_code == 201 and r.json()["custom"] == {"po_no": "PO-1", "handler": ids["ar2"]}
    inv = r.json()
    put = {k: inv[k] for k in ("kind", "title", "tax_number", "amount", "version")} | {"custom": {"po_no": "PO-1"}}
    assert ar1.put(f"/api/v1/invoices/{inv['id']}", json=put).status_code == 200
    assert ar1.get("/api/v1/invoices", params={"cf_po_no": "PO-1"}).json()["total"] == 1
    assert ar1.get("/api/v1/invoices", params={"cf_po_no": "PO-9"}).json()["total"] == 0
    assert _count(session, Invoice, c.id) == 1


# --- pages ---


def test_plan_forms_show_validate_and_save_custom_fields(session, ids, fields) -> None:
    c = make_contract(session, ids["ar1"], "10000.00")
    web = login("ar1")
    form = web.get(f"/receivables/plans/new?contract_id={c.id}").text
    assert 'name="cf_doc"' in form and "到货单" in form and 'name="cf_ref_no"' in form
    base = {"contract_id": str(c.id), "due_on": "2027-01-31", "amount": "100.00", "cf_doc": "", "cf_ref_no": "W-1"}
    r = post_form(web, "/receivables/plans", base)
    assert r.status_code == 422 and 'data-testid="error-custom.doc"' in r.text and 'value="W-1"' in r.text
    assert _count(session, ReceivablePlan, c.id) == 0
    r = post_form(web, "/receivables/plans", base | {"cf_doc": "验收单"})
    assert r.status_code == 303, r.text[:500]
    detail = web.get(r.headers["location"]).text
    assert 'data-testid="cf-doc">验收单<' in detail and 'data-testid="cf-ref_no">W-1<' in detail
    plan_id = int(r.headers["location"].rstrip("/").split("/")[-1])
    edit = web.get(f"/receivables/plans/{plan_id}/edit").text
    assert "<option selected>验收单</option>" in edit and 'value="W-1"' in edit
    changed = {"due_on": "2027-01-31", "amount": "100.00", "version": "1", "cf_doc": "到货单", "cf_ref_no": "W-1"}
    r = post_form(web, f"/receivables/plans/{plan_id}/edit", changed)
    assert r.status_code == 303, r.text[:500]
    assert 'data-testid="cf-doc">到货单<' in web.get(r.headers["location"]).text
    # The list shows the column and filters on it.
    listing = web.get("/receivables", params={"contract_id": c.id, "cf_doc": "验收单"}).text
    assert 'data-testid="filter-cf-doc"' in listing and 'data-testid="plan-row"' not in listing
    listing = web.get("/receivables", params={"contract_id": c.id, "cf_doc": "到货单"}).text
    assert listing.count('data-testid="plan-row"') == 1 and 'data-testid="cf-ref_no">W-1<' in listing
    # Batch and recurring forms: one set of custom inputs for every period.
    batch = web.get(f"/receivables/plans/new?contract_id={c.id}&mode=batch").text
    assert 'data-testid="custom-shared"' in batch and 'name="cf_doc"' in batch
    rows = {"contract_id": str(c.id), "rows-0-due_on": "2027-02-28", "rows-0-amount": "10"}
    rows |= {"rows-1-due_on": "2027-03-31", "rows-1-amount": "20"}
    r = post_form(web, "/receivables/plans/batch", rows)
    assert r.status_code == 422 and 'data-testid="error-custom.doc"' in r.text
    r = post_form(web, "/receivables/plans/batch", rows | {"cf_ref_no": "SAME"})
    assert r.status_code == 422 and 'data-testid="error-custom.ref_no"' not in r.text  # doc first: still missing
    r = post_form(web, "/receivables/plans/batch", rows | {"cf_doc": "验收单", "cf_ref_no": "SAME"})
    assert r.status_code == 422 and 'data-testid="error-custom.ref_no"' in r.text
    assert _count(session, ReceivablePlan, c.id) == 1
    r = post_form(web, "/receivables/plans/batch", rows | {"cf_doc": "验收单"})
    assert r.status_code == 303, r.text[:500]
    recurring = {"contract_id": str(c.id), "frequency": "monthly", "first_due": "2027-06-30", "count": "2"}
    r = post_form(web, "/receivables/plans/recurring", recurring | {"amount_each": "5", "cf_doc": "到货单"})
    assert r.status_code == 303, r.text[:500]
    session.expire_all()
    stored = session.scalars(select(ReceivablePlan).where(ReceivablePlan.contract_id == c.id)).all()
    assert sorted(p.custom["doc"] for p in stored) == ["到货单", "到货单", "到货单", "验收单", "验收单"]


def test_receipt_and_invoice_forms_and_detail_pages(session, ids, fields) -> None:
    c = make_contract(session, ids["ar1"], "10000.00")
    web = login("ar1")
    form = web.get(f"/receivables/new?contract_id={c.id}").text
    assert 'name="cf_voucher"' in form and 'name="cf_bank"' in form
    receipt = {"contract_id": str(c.id), "received_on": "2026-12-01", "amount": "10.00", "allocate": "none"}
    r = post_form(web, "/receivables", receipt | {"cf_bank": "工行"})
    assert r.status_code == 422 and 'data-testid="error-custom.voucher"' in r.text
    assert _count(session, Receivable, c.id) == 0
    r = post_form(web, "/receivables", receipt | {"cf_voucher": "记-9", "cf_bank": "工行"})
    assert r.status_code == 303, r.text[:500]
    page = web.get(r.headers["location"])
    assert 'data-testid="cf-voucher">记-9<' in page.text and 'data-testid="cf-bank">工行<' in page.text
    receipt_id = int(r.headers["location"].rstrip("/").split("/")[-1])
    assert 'value="记-9"' in web.get(f"/receivables/{receipt_id}/edit").text
    edit = {"received_on": "2026-12-01", "amount": "10.00", "version": "1", "allocate": "none"}
    r = post_form(web, f"/receivables/{receipt_id}/edit", edit | {"cf_voucher": "记-10", "cf_bank": "建行"})
    assert r.status_code == 303, r.text[:500]
    assert 'data-testid="cf-bank">建行<' in web.get(r.headers["location"]).text
    records = web.get("/receivables/records", params={"contract_id": c.id}).text
    assert 'data-testid="cf-voucher">记-10<' in records

    assert 'name="cf_po_no"' in web.get(f"/receivables/invoices/new?contract_id={c.id}").text
    invoice = {"contract_id": str(c.id), "kind": "vat_special", "title": "河池电信", "tax_number": TAX}
    invoice |= {"amount": "5.00", "cf_handler": str(ids["ar2"])}
    r = post_form(web, "/receivables/invoices", invoice)
    assert r.status_code == 422 and 'data-testid="error-custom.po_no"' in r.text
    assert _count(session, Invoice, c.id) == 0
    r = post_form(web, "/receivables/invoices", invoice | {"cf_po_no": "PO-W"})
    assert r.status_code == 303, r.text[:500]
    page = web.get(r.headers["location"]).text
    session.expire_all()
    ar2 = session.get(User, ids["ar2"])
    assert 'data-testid="cf-po_no">PO-W<' in page and f'data-testid="cf-handler">{ar2.display_name}<' in page


def test_exports_have_custom_field_columns(session, ids, fields, export_files) -> None:
    scope = scope_of(session, ids["ar1"])
    c = make_contract(session, ids["ar1"], "10000.00")
    plan = plans.create(
        session,
        scope,
        PlanCreate(contract_id=c.id, due_on=date(2027, 1, 31), amount=D("1.00"), custom={"doc": "到货单"}),
    )
    receipt = ReceiptCreate(
        contract_id=c.id, received_on=date(2026, 12, 1), amount=D("1.00"), allocations=[], custom={"voucher": "V-X"}
    )
    service.create(session, scope, receipt)
    invoices.create(
        session,
        scope,
        InvoiceCreate(contract_id=c.id, title="抬头", tax_number=TAX, amount=D("1.00"), custom={"po_no": "PO-X"}),
    )
    session.flush()
    for entity, label, value, empty_label in (
        ("receivable_plan", "回款依据", "到货单", "计划编号"),
        ("receivable", "凭证号", "V-X", "收款银行"),
        ("invoice", "采购单号", "PO-X", "经办人"),
    ):
        rows = export_rows(session, ids["ar1"], entity, "csv")
        header = rows[0]
        assert label in header and empty_label in header, (entity, header)
        mine = [row for row in rows[1:] if value in row]
        assert len(mine) == 1 and mine[0][header.index(label)] == value
        assert mine[0][header.index(empty_label)] == ""
    assert plan.custom == {"doc": "到货单", "ref_no": None}


def test_the_admin_page_and_api_accept_the_receivables_entities(session, ids) -> None:
    admin = login("admin")
    page = admin.get("/settings/custom-fields?entity=receivable_plan")
    assert page.status_code == 200
    for key, zh, en in (
        ("receivable_plan", "回款计划", "Receivable plans"),
        ("receivable", "回款记录", "Receipts"),
        ("invoice", "发票", "Invoices"),
    ):
        assert f'data-testid="tab-{key}"' in page.text and (zh in page.text or en in page.text)
    form = {"entity": "invoice", "key": "project", "label_zh": "项目", "label_en": "Project", "field_type": "text"}
    form |= {"required": "false", "unique": "false", "show_in_list": "true", "sort_order": "0", "choices": ""}
    r = post_form(admin, "/settings/custom-fields", form)
    assert r.status_code == 303 and r.headers["location"].endswith("?entity=invoice")
    listed = api("admin").get("/api/v1/custom-fields", params={"entity": "invoice"})
    assert listed.status_code == 200 and [f["key"] for f in listed.json()] == ["project"]
    r = api("admin").post(
        "/api/v1/custom-fields",
        json={"entity": "receivable", "key": "region", "label_zh": "片区", "label_en": "Region", "field_type": "text"},
    )
    assert r.status_code == 201 and r.json()["entity"] == "receivable"
