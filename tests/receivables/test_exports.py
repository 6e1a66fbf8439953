"""Receivable plans, receipts and invoices export like the other lists: through the API (a job, then its file),
the web Export button and `loam export`, with the list's own filters, sort and data scope; amounts are number
cells in xlsx and exact digits in csv; the values are the list's (status computed today, received, outstanding)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from loam.bgjobs import service as job_service
from loam.cli import app as cli_app
from loam.exports import service
from loam.kit.columns import ENTITY_LABELS, columns
from loam.kit.i18n import translations
from loam.receivables import dates, invoices
from loam.receivables.schemas import (
    INVOICE_KINDS,
    INVOICE_STATUSES,
    METHODS,
    MILESTONES,
    PLAN_STATUSES,
    RECEIPT_STATUSES,
    InvoiceCreate,
    InvoiceIssue,
)
from tests.exports.helpers import grant_export, read
from tests.helpers import api, login, scope_of
from tests.receivables.factories import make_contract, make_plan, make_receipt

ZH = translations("zh_CN").gettext
TAX = "91450100MA5L8XXX1Y"


@pytest.fixture(autouse=True)
def _files_and_export_permission(session, tmp_path: Path) -> Any:
    """Export files in a per-test folder; account managers and finance may export (rolled back)."""
    from loam.config import settings

    old = settings.files_path
    settings.files_path = str(tmp_path / "files")
    grant_export(session, "ar")
    grant_export(session, "finance")
    try:
        yield
    finally:
        settings.files_path = old


def api_export(
    user: str,
    entity: str,
    file_format: str = "xlsx",
    filters: dict[str, Any] | None = None,
    sort: str | None = None,
    language: str = "zh-CN",
) -> list[list[Any]]:
    """POST /api/v1/exports as ``user``, run the job, download its file through the API and read it back."""
    c = api(user)
    c.headers["Accept-Language"] = language
    body: dict[str, Any] = {"entity": entity, "format": file_format, "filters": filters or {}, "sort": sort}
    r = c.post("/api/v1/exports", json=body)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    assert service.run_job(job_id) == "done"
    out = c.get(f"/api/v1/jobs/{job_id}/output")
    assert out.status_code == 200
    assert f"{service.EXPORTABLE[entity].plural}-" in out.headers["content-disposition"]
    target = job_service.files_dir() / f"download-{job_id}.{file_format}"
    target.write_bytes(out.content)
    return read(target)


def keyed(rows: list[list[Any]], entity: str) -> list[dict[str, Any]]:
    """The exported rows by catalog key, in file order (no custom fields on these lists)."""
    keys = [c.key for c in columns(entity) if c.exportable]
    assert len(rows[0]) == len(keys)
    return [dict(zip(keys, row, strict=True)) for row in rows[1:]]


def listed(user: str, path: str, **params: Any) -> list[dict[str, Any]]:
    """The same list through its own API (first page of 200): what the user sees on screen."""
    r = api(user).get(path, params={"page_size": 200, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


def _plans(session, ids) -> dict[str, Any]:
    """ar1: one contract with an overdue period and a partly received one; ar2: a contract with one period."""
    today = dates.today()
    mine = make_contract(session, ids["ar1"], "10000.00", name="河池回款合同")
    overdue = make_plan(
        session, ids["ar1"], mine.id, today - timedelta(days=10), "3000.00", milestone="prepayment", site="河池站"
    )
    partly = make_plan(session, ids["ar1"], mine.id, today + timedelta(days=30), "2000.50", milestone="acceptance")
    make_receipt(
        session,
        ids["ar1"],
        mine.id,
        "500.25",
        allocations=[{"plan_id": partly.id, "amount": "500.25"}],
        approve=True,
        method="acceptance_bill",
        payer="河池电信财务部",
    )
    theirs = make_contract(session, ids["ar2"], "5000.00", name="柳州回款合同")
    other = make_plan(session, ids["ar2"], theirs.id, today - timedelta(days=3), "800.00")
    return {"contract": mine, "overdue": overdue, "partly": partly, "theirs": theirs, "other": other}


def test_plans_export_matches_the_list_in_the_callers_scope(session, ids) -> None:
    made = _plans(session, ids)
    rows = api_export("ar1", "receivable_plan")
    assert rows[0][:4] == ["编号", ZH("Contract number"), ZH("Contract name"), ZH("Customer")]
    exported = keyed(rows, "receivable_plan")
    shown = listed("ar1", "/api/v1/receivable-plans")
    assert [int(r["id"]) for r in exported] == [item["id"] for item in shown]  # same rows, same order
    assert {made["overdue"].id, made["partly"].id} <= {item["id"] for item in shown}
    assert made["other"].id not in {int(r["id"]) for r in exported}  # ar2's contract is out of ar1's scope
    by_id = {int(r["id"]): r for r in exported}
    for item in shown:
        row = by_id[item["id"]]
        assert row["contract_number"] == item["contract_number"] and row["number"] == item["number"]
        for key in ("amount", "received", "outstanding"):
            assert isinstance(row[key], float) and row[key] == float(item[key]), key  # number cells
        assert row["status"] == ZH(PLAN_STATUSES[item["status"]]) and row["currency"] == item["currency"]
        assert row["due_on"] == date.fromisoformat(item["due_on"])
    partly = by_id[made["partly"].id]
    assert (partly["amount"], partly["received"], partly["outstanding"]) == (2000.5, 500.25, 1500.25)
    assert partly["status"] == ZH("Partly received") and partly["milestone"] == ZH(MILESTONES["acceptance"])
    overdue = by_id[made["overdue"].id]
    assert overdue["status"] == ZH("Overdue") and overdue["site"] == "河池站" and overdue["received"] == 0
    assert overdue["contract_name"] == "河池回款合同" and overdue["customer"] == "河池回款合同客户"
    assert overdue["owner"] == "ar1" and overdue["department"]
    # ar2 gets only their own contract's period.
    assert [int(r["id"]) for r in keyed(api_export("ar2", "receivable_plan"), "receivable_plan")] == [made["other"].id]


def test_plans_export_follows_the_filters_and_sort(session, ids) -> None:
    made = _plans(session, ids)
    overdue = keyed(api_export("ar1", "receivable_plan", filters={"status": "overdue"}), "receivable_plan")
    assert [int(r["id"]) for r in overdue] == [made["overdue"].id]
    shown = listed("ar1", "/api/v1/receivable-plans", status="overdue")
    assert [item["id"] for item in shown] == [made["overdue"].id]
    filters = {"contract_id": made["contract"].id, "milestone": "acceptance"}
    assert [int(r["id"]) for r in keyed(api_export("ar1", "receivable_plan", filters=filters), "receivable_plan")] == [
        made["partly"].id
    ]
    # The director sees both contracts (department scope); the sort is the list's.
    rows = keyed(api_export("director", "receivable_plan", "csv", sort="-amount", language="en"), "receivable_plan")
    shown = listed("director", "/api/v1/receivable-plans", sort="-amount")
    assert [int(r["id"]) for r in rows] == [item["id"] for item in shown]
    by_id = {int(r["id"]): r for r in rows}
    assert by_id[made["partly"].id]["amount"] == "2000.50" and by_id[made["partly"].id]["outstanding"] == "1500.25"
    assert by_id[made["partly"].id]["status"] == "Partly received"
    assert by_id[made["overdue"].id]["due_on"] == made["overdue"].due_on.isoformat()


def test_bad_filters_and_sort_are_422_and_create_nothing(session, ids) -> None:
    c = api("ar1")
    for body in (
        {"entity": "receivable_plan", "filters": {"status": "late"}},
        {"entity": "receivable", "sort": "password"},
        {"entity": "invoice", "filters": {"kind": "receipt"}},
    ):
        assert c.post("/api/v1/exports", json=body).status_code == 422, body
    assert c.get("/api/v1/exports").json()["total"] == 0


def test_receipts_export_with_filters_scope_and_numbers(session, ids) -> None:
    made = _plans(session, ids)
    draft = make_receipt(session, ids["ar1"], made["contract"].id, "1200.10", received_on=date(2026, 11, 5))
    theirs = make_receipt(session, ids["ar2"], made["theirs"].id, "99.00")
    rows = api_export("ar1", "receivable")
    assert rows[0][1] == ZH("Received on")
    exported = keyed(rows, "receivable")
    shown = listed("ar1", "/api/v1/receivables")
    assert [int(r["id"]) for r in exported] == [item["id"] for item in shown]
    assert theirs.id not in {int(r["id"]) for r in exported} and draft.id in {int(r["id"]) for r in exported}
    for item, row in zip(shown, exported, strict=True):
        assert row["amount"] == float(item["amount"]) and row["allocated"] == float(item["allocated"])
        assert row["status"] == ZH(RECEIPT_STATUSES[item["status"]])
        assert row["received_on"] == date.fromisoformat(item["received_on"])
    approved = keyed(api_export("ar1", "receivable", filters={"status": "approved"}), "receivable")
    assert len(approved) == 1 and draft.id not in {int(r["id"]) for r in approved}
    row = approved[0]
    assert row["amount"] == 500.25 and isinstance(row["amount"], float) and row["allocated"] == 500.25
    assert row["method"] == ZH(METHODS["acceptance_bill"]) and row["payer"] == "河池电信财务部"
    assert row["status"] == ZH("Approved") and row["approved_at"] is not None and row["author"] == "ar1"
    assert row["contract_number"] == made["contract"].number and row["customer"] == "河池回款合同客户"
    window = {"received_from": "2026-11-01", "received_to": "2026-11-30"}
    in_november = keyed(api_export("ar1", "receivable", "csv", filters=window), "receivable")
    assert [int(r["id"]) for r in in_november] == [draft.id] and in_november[0]["amount"] == "1200.10"
    assert [int(r["id"]) for r in keyed(api_export("ar2", "receivable"), "receivable")] == [theirs.id]


def _invoice(session, owner_id: int, contract_id: int, kind: str, amount: str, title: str) -> Any:
    data = InvoiceCreate(contract_id=contract_id, kind=kind, title=title, tax_number=TAX, amount=amount)
    invoice = invoices.create(session, scope_of(session, owner_id), data)
    session.flush()
    return invoice


def test_invoices_export_with_filters_scope_and_numbers(session, ids) -> None:
    mine = make_contract(session, ids["ar1"], "10000.00", name="南宁开票合同")
    special = _invoice(session, ids["ar1"], mine.id, "vat_special", "6000.00", "南宁供电局")
    ordinary = _invoice(session, ids["ar1"], mine.id, "vat_ordinary", "123.45", "=HYPERLINK(1)")
    invoices.issue(
        session,
        scope_of(session, ids["ar1"]),
        special.id,
        InvoiceIssue(version=special.version, issued_on=date(2026, 12, 8), invoice_number="04512345"),
    )
    session.flush()
    theirs = _invoice(
        session, ids["ar2"], make_contract(session, ids["ar2"], name="柳州开票合同").id, "other", "1", "x"
    )
    exported = keyed(api_export("ar1", "invoice"), "invoice")
    shown = listed("ar1", "/api/v1/invoices")
    assert [int(r["id"]) for r in exported] == [item["id"] for item in shown]
    assert {int(r["id"]) for r in exported} == {special.id, ordinary.id}  # not ar2's
    by_id = {int(r["id"]): r for r in exported}
    row = by_id[special.id]
    assert row["title"] == "南宁供电局" and row["tax_number"] == TAX and row["kind"] == ZH(INVOICE_KINDS["vat_special"])
    assert row["amount"] == 6000.0 and isinstance(row["amount"], float) and row["currency"] == "CNY"
    assert row["status"] == ZH(INVOICE_STATUSES["issued"]) and row["issued_on"] == date(2026, 12, 8)
    assert row["invoice_number"] == "04512345" and row["contract_name"] == "南宁开票合同"
    assert row["customer"] == "南宁开票合同客户" and row["owner"] == "ar1" and row["author"] == "ar1"
    assert by_id[ordinary.id]["title"] == "'=HYPERLINK(1)"  # a formula is neutralised
    assert by_id[ordinary.id]["status"] == ZH("Not issued") and by_id[ordinary.id]["issued_on"] in (None, "")
    only = keyed(api_export("ar1", "invoice", "csv", filters={"kind": "vat_ordinary"}), "invoice")
    assert [int(r["id"]) for r in only] == [ordinary.id] and only[0]["amount"] == "123.45"
    issued = keyed(api_export("ar1", "invoice", filters={"status": "issued", "q": "南宁开票"}), "invoice")
    assert [int(r["id"]) for r in issued] == [special.id]
    assert [int(r["id"]) for r in keyed(api_export("ar2", "invoice"), "invoice")] == [theirs.id]


def test_receivables_exports_need_the_view_permission(session, ids) -> None:
    """A role with ``data.export`` but without ``receivables.view`` is refused (403), nothing created."""
    from loam.org import service as org_service
    from loam.org.models import User
    from loam.org.schemas import RoleWrite

    role = org_service.add_role(
        session,
        scope_of(session, ids["admin"]),
        RoleWrite(
            code="export_only",
            name_zh="只导出客户",
            name_en="Customer exporter",
            permissions=["customers.view", "data.export"],
            data_scopes={"customers": 5},
        ),
    )
    org_service.set_user_roles(session, session.get(User, ids["sr1"]), [role.id])
    session.flush()
    c = api("sr1")
    for entity in ("receivable_plan", "receivable", "invoice"):
        assert c.post("/api/v1/exports", json={"entity": entity}).status_code == 403, entity
    assert c.post("/api/v1/exports", json={"entity": "customer"}).status_code == 202
    assert c.get("/api/v1/exports").json()["total"] == 1


def test_export_buttons_carry_the_lists_filters(session, ids) -> None:
    made = _plans(session, ids)
    web = login("ar1")
    for path in ("/receivables", "/receivables/records", "/receivables/invoices"):
        page = web.get(path)
        assert 'data-testid="export-xlsx"' in page.text and 'data-testid="export-csv"' in page.text, path
    assert '"entity": "receivable_plan"' in web.get("/receivables").text
    assert '"entity": "receivable"' in web.get("/receivables/records").text
    assert '"entity": "invoice"' in web.get("/receivables/invoices").text
    # What the button posts: the filter form (the contract, status, an empty milestone, the sort) + entity/format.
    form = {"entity": "receivable_plan", "format": "csv", "contract_id": str(made["contract"].id)}
    form |= {"status": "overdue", "milestone": "", "q": "", "sort": "-amount", "page": "2"}
    r = web.post("/exports", data=form, headers={"HX-Request": "true", "X-CSRF-Token": web.csrf})  # type: ignore[attr-defined]
    assert r.status_code == 204 and r.headers["HX-Redirect"].endswith("/exports")
    job = service.list_exports(session, scope_of(session, ids["ar1"]))[0][0]
    assert job.entity == "receivable_plan" and job.params["sort"] == "-amount"
    assert job.params["filters"] == {"contract_id": made["contract"].id, "status": "overdue"}
    assert service.run_job(job.id) == "done"
    session.refresh(job)
    assert job.result["rows"] == 1 and job.result["download_name"].startswith("receivable-plans-")
    assert ZH(ENTITY_LABELS["receivable"]) == "回款记录" and ZH(ENTITY_LABELS["receivable_plan"]) == "回款计划"


def test_cli_exports_receivable_plans(connection, session, ids, tmp_path) -> None:
    made = _plans(session, ids)
    target = tmp_path / "plans.csv"
    result = CliRunner().invoke(
        cli_app,
        ["export", "receivable_plan", str(target), "--as", "ar1", "--json", "--filter", "status=overdue"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["entity"] == "receivable_plan" and summary["rows"] == 1
    rows = keyed(read(target), "receivable_plan")
    assert [int(r["id"]) for r in rows] == [made["overdue"].id] and rows[0]["amount"] == "3000.00"
    bad = CliRunner().invoke(
        cli_app, ["export", "invoice", str(tmp_path / "x.csv"), "--as", "ar1", "--filter", "kind=x"]
    )
    assert bad.exit_code == 1 and "error:" in bad.output
