"""The receivables pages: lists and filters, plan forms (one, batch, recurring), receipts with allocation and the
approval panel, printing, invoices, the ageing page and the contract fragment."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from loam.approvals import actions
from loam.approvals import service as approval_service
from loam.receivables import dates
from loam.receivables.models import Receivable, ReceivablePlan
from tests.helpers import login, post_form, scope_of
from tests.receivables.factories import make_contract, make_plan, make_receipt


def _location_id(r) -> int:
    assert r.status_code == 303, r.text[:800]
    return int(re.search(r"/(\d+)(?:\?|$)", r.headers["location"]).group(1))


def test_lists_tabs_filters_and_partials(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00", name="列表合同")
    make_plan(session, ids["ar1"], c.id, dates.today() - timedelta(days=5), "300.00", site="河池站")
    make_plan(session, ids["ar1"], c.id, dates.today() + timedelta(days=30), "200.00")
    make_receipt(session, ids["ar1"], c.id, "100.00", payer="河池电信财务部")
    web = login("ar1")
    page = web.get("/receivables")
    assert page.status_code == 200
    assert 'data-testid="plan-table"' in page.text and "河池站" in page.text and 'data-status="overdue"' in page.text
    assert 'data-testid="new-receipt"' in page.text and 'data-testid="ageing-link"' in page.text
    only = web.get("/receivables", params={"status": "overdue", "contract_id": c.id})
    assert only.text.count('data-testid="plan-row"') == 1 and 'data-testid="contract-filter"' in only.text
    partial = web.get(
        "/receivables", params={"status": "not_due"}, headers={"HX-Request": "true", "HX-Target": "receivables-table"}
    )
    assert "<html" not in partial.text and partial.text.count('data-testid="plan-row"') == 1
    records = web.get("/receivables/records", params={"q": "列表合同"})
    assert 'data-testid="receipt-table"' in records.text and "河池电信财务部" in records.text
    assert web.get("/receivables/invoices").status_code == 200
    assert web.get("/receivables", params={"status": "late"}).status_code == 422
    assert web.get("/receivables", params={"sort": "password"}).status_code == 422
    assert web.get("/receivables", params={"status": "", "milestone": ""}).status_code == 200
    assert "列表合同" not in login("ar2").get("/receivables/records").text


def test_plan_forms_single_batch_recurring(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    web = login("ar1")
    for mode in ("single", "batch", "recurring"):
        form = web.get("/receivables/plans/new", params={"contract_id": c.id, "mode": mode})
        assert form.status_code == 200 and f'name="csrf_token" value="{web.csrf}"' in form.text
    pid = _location_id(
        post_form(
            web,
            "/receivables/plans",
            {"contract_id": c.id, "due_on": "2027-01-31", "amount": "300", "milestone": "prepayment"},
        )
    )
    detail = web.get(f"/receivables/plans/{pid}")
    assert detail.status_code == 200 and "300.00" in detail.text and 'data-testid="payments"' in detail.text
    bad = post_form(web, "/receivables/plans", {"contract_id": c.id, "due_on": "", "amount": "abc"})
    assert (
        bad.status_code == 422 and 'data-testid="error-due_on"' in bad.text and 'data-testid="error-amount"' in bad.text
    )
    rows = {
        "contract_id": c.id,
        "rows-0-due_on": "2027-02-28",
        "rows-0-amount": "200",
        "rows-2-due_on": "2027-03-31",
        "rows-2-amount": "100",
        "rows-2-site": "宜州站",
    }
    r = post_form(web, "/receivables/plans/batch", rows)
    assert r.status_code == 303 and f"contract_id={c.id}" in r.headers["location"]
    too_much = post_form(
        web, "/receivables/plans/batch", {"contract_id": c.id, "rows-0-due_on": "2027-04-30", "rows-0-amount": "500"}
    )
    assert too_much.status_code == 409 and "1,000.00" in too_much.text and 'data-testid="form-error"' in too_much.text
    assert 'value="500"' in too_much.text  # the typed rows come back
    bad_row = post_form(
        web, "/receivables/plans/batch", {"contract_id": c.id, "rows-0-due_on": "2027-04-30", "rows-0-amount": "-1"}
    )
    assert bad_row.status_code == 422 and 'data-testid="error-rows-0-amount"' in bad_row.text
    rec = {"contract_id": c.id, "frequency": "monthly", "first_due": "2027-01-31", "count": "4", "total": "400"}
    preview = post_form(web, "/receivables/plans/recurring/preview", rec)
    assert preview.status_code == 200 and "2027-02-28" in preview.text and "2027-04-30" in preview.text
    r = post_form(
        web, "/receivables/plans/recurring", rec | {"total": "500", "next": f"/receivables?contract_id={c.id}"}
    )
    assert r.status_code == 409 and 'name="next"' in r.text  # 600 planned, 500 more is too much
    r = post_form(
        web, "/receivables/plans/recurring", rec | {"total": "400", "count": "2", "next": "https://evil.example/"}
    )
    assert r.status_code == 303 and r.headers["location"].startswith("http://testserver/receivables")
    numbers = sorted(p.number for p in session.query(ReceivablePlan).filter_by(contract_id=c.id))
    assert numbers == [1, 2, 3, 4, 5]


def test_plan_edit_and_delete_pages(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    plan = make_plan(session, ids["ar1"], c.id, dates.today(), "300.00")
    web = login("ar1")
    form = web.get(f"/receivables/plans/{plan.id}/edit")
    assert form.status_code == 200 and 'name="version" value="1"' in form.text
    r = post_form(web, f"/receivables/plans/{plan.id}/edit", {"due_on": "2027-05-01", "amount": "1200", "version": "1"})
    assert r.status_code == 409 and "1,000.00" in r.text
    r = post_form(
        web,
        f"/receivables/plans/{plan.id}/edit",
        {"due_on": "2027-05-01", "amount": "400", "site": "南宁站", "version": "1"},
    )
    assert r.status_code == 303
    assert 'data-testid="delete"' not in web.get(f"/receivables/plans/{plan.id}").text  # ar1 may not delete
    assert post_form(web, f"/receivables/plans/{plan.id}/delete").status_code == 403
    director = login("director")
    assert post_form(director, f"/receivables/plans/{plan.id}/delete").status_code == 303
    assert web.get(f"/receivables/plans/{plan.id}").status_code == 404


def test_receipt_form_allocation_approval_panel_and_print(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00", name="收款合同")
    p1 = make_plan(session, ids["ar1"], c.id, dates.today() - timedelta(days=3), "600.00")
    p2 = make_plan(session, ids["ar1"], c.id, dates.today() + timedelta(days=60), "400.00")
    web = login("ar1")
    form = web.get("/receivables/new", params={"contract_id": c.id})
    assert form.status_code == 200 and f'name="alloc-{p1.id}"' in form.text and 'value="auto"' in form.text
    fragment = web.get("/receivables/allocation-table", params={"contract_id": c.id})
    assert f'name="alloc-{p2.id}"' in fragment.text and "<html" not in fragment.text
    too_much = {
        "contract_id": c.id,
        "received_on": "2027-01-05",
        "amount": "500",
        "allocate": "manual",
        f"alloc-{p1.id}": "400",
        f"alloc-{p2.id}": "200",
    }
    r = post_form(web, "/receivables", too_much)
    assert r.status_code == 422 and 'data-testid="form-error"' in r.text and 'value="200"' in r.text
    data = too_much | {f"alloc-{p2.id}": "100", "method": "cash", "payer": "河池电信"}
    rid = _location_id(post_form(web, "/receivables", data))
    page = web.get(f"/receivables/{rid}")
    assert (
        page.status_code == 200 and 'data-testid="approval-panel"' in page.text and 'data-testid="submit"' in page.text
    )
    assert page.text.count('data-testid="allocation-row"') == 2
    assert post_form(web, f"/receivables/{rid}/submit").status_code == 303
    page = web.get(f"/receivables/{rid}")
    assert 'data-status="in_approval"' in page.text and 'data-testid="submit"' not in page.text
    assert web.get(f"/receivables/{rid}/print-view").status_code == 409  # not approved yet
    instance = approval_service.pending(session, "receivable", rid)
    actions.approve(session, scope_of(session, ids["finance1"]), instance.id)
    session.flush()
    page = web.get(f"/receivables/{rid}")
    assert 'data-status="approved"' in page.text and 'data-testid="print"' in page.text
    sheet = web.get(f"/receivables/{rid}/print-view")
    assert sheet.status_code == 200 and "伍佰元整" in sheet.text and "收款合同" in sheet.text
    assert web.get(f"/receivables/{rid}").text.count('data-testid="print-row"') == 1  # the print was recorded
    for_contract = web.get(f"/receivables/for-contract/{c.id}")
    assert 'data-testid="total-received"' in for_contract.text and "500.00" in for_contract.text


def test_receipt_word_template_print(session, ids):
    from docx import Document

    from loam.contracts import documents

    doc = Document()
    doc.add_paragraph(
        "收据 {{ receipt.number }} {{ receipt.payer }} {{ amount }} {{ amount_in_words }} {{ contract.number }}"
    )
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    template = documents.upload_template(
        session, scope_of(session, ids["admin"]), "收据模板", "receipt", "receipt.docx", buf, None
    )
    c = make_contract(session, ids["ar1"], "1000.00")
    r = make_receipt(session, ids["ar1"], c.id, "1080.00", payer="示例付款人", approve=True)
    web = login("ar1")
    assert "收据模板" in web.get(f"/receivables/{r.id}").text
    got = web.get(f"/receivables/{r.id}/print", params={"template_id": template.id})
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in Document(io.BytesIO(got.content)).paragraphs)
    assert "示例付款人" in text and "壹仟零捌拾元整" in text and c.number in text and "SK-" in text
    assert web.get(f"/receivables/{r.id}/print", params={"template_id": 999999}).status_code == 404


def test_receipt_edit_page_and_delete(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    p1 = make_plan(session, ids["ar1"], c.id, dates.today(), "600.00")
    r = make_receipt(session, ids["ar1"], c.id, "300.00")
    web = login("ar1")
    form = web.get(f"/receivables/{r.id}/edit")
    assert form.status_code == 200 and f'name="alloc-{p1.id}" value="300.00"' in form.text
    data = {
        "received_on": "2027-01-06",
        "amount": "250",
        "method": "bank_transfer",
        "version": "1",
        "allocate": "manual",
        f"alloc-{p1.id}": "250",
    }
    assert post_form(web, f"/receivables/{r.id}/edit", data).status_code == 303
    session.expire_all()
    assert session.get(Receivable, r.id).amount == 250
    assert post_form(login("director"), f"/receivables/{r.id}/delete").status_code == 303


def test_invoice_pages(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    web = login("ar1")
    assert web.get("/receivables/invoices/new", params={"contract_id": c.id}).status_code == 200
    bad = post_form(
        web,
        "/receivables/invoices",
        {"contract_id": c.id, "kind": "vat_special", "title": "河池电信", "amount": "100", "tax_number": "123"},
    )
    assert bad.status_code == 422 and 'data-testid="error-tax_number"' in bad.text
    iid = _location_id(
        post_form(
            web,
            "/receivables/invoices",
            {
                "contract_id": c.id,
                "kind": "vat_special",
                "title": "河池电信",
                "amount": "100",
                "tax_number": "91450100MA5L8XXX1Y",
            },
        )
    )
    page = web.get(f"/receivables/invoices/{iid}")
    assert page.status_code == 200 and 'data-testid="issue-form"' in page.text
    missing = post_form(web, f"/receivables/invoices/{iid}/issue", {"version": "1", "issued_on": "2027-01-05"})
    assert missing.status_code == 422 and 'data-testid="error-invoice_number"' in missing.text
    assert (
        post_form(
            web,
            f"/receivables/invoices/{iid}/issue",
            {"version": "1", "issued_on": "2027-01-05", "invoice_number": "044069"},
        ).status_code
        == 303
    )
    page = web.get(f"/receivables/invoices/{iid}")
    assert 'data-status="issued"' in page.text and "044069" in page.text and 'data-testid="issue-form"' not in page.text
    assert web.get(f"/receivables/invoices/{iid}/edit").status_code == 200
    assert (
        post_form(
            web, f"/receivables/invoices/{iid}/edit", {"kind": "other", "title": "x", "amount": "1", "version": "2"}
        ).status_code
        == 409
    )


def test_ageing_page_and_contract_fragment(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00", name="账龄合同")
    make_plan(session, ids["ar1"], c.id, dates.today() - timedelta(days=45), "300.00")
    make_plan(session, ids["ar1"], c.id, dates.today() - timedelta(days=120), "200.00")
    web = login("ar1")
    page = web.get("/receivables/ageing")
    assert page.status_code == 200
    bucket = re.search(r'data-testid="bucket-31-60">.*?data-testid="count">(\d+)<', page.text, re.S)
    assert bucket and bucket.group(1) == "1"
    assert re.search(r'data-testid="total-amount">500\.00', page.text)
    assert "账龄合同" in page.text or c.number in page.text
    assert web.get("/receivables/ageing", params={"as_of": "2000-01-01"}).text.count('data-testid="count">0<') == 4
    assert web.get("/receivables/ageing", params={"currency": "cny1"}).status_code == 422
    fragment = web.get(f"/receivables/for-contract/{c.id}")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'data-testid="add-plan"' in fragment.text and 'data-testid="add-receipt"' in fragment.text
    assert fragment.text.count('data-status="overdue"') == 2
    assert login("ar2").get(f"/receivables/for-contract/{c.id}").status_code == 404


def test_missing_csrf_is_refused(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    web = login("ar1")
    r = web.post("/receivables/plans", data={"contract_id": c.id, "due_on": "2027-01-31", "amount": "1"})
    assert r.status_code == 403
    assert session.query(ReceivablePlan).filter_by(contract_id=c.id).count() == 0


def test_english_pages_render(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    make_plan(session, ids["ar1"], c.id, dates.today() - timedelta(days=1), "100.00")
    web = login("ar1")
    assert post_form(web, "/locale", {"locale": "en"}).status_code == 303
    page = web.get("/receivables")
    assert "Receivables" in page.text and "Overdue" in page.text


def test_cross_field_errors_show_next_to_the_fields(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    web = login("ar1")
    r = post_form(
        web, "/receivables/invoices", {"contract_id": c.id, "kind": "vat_special", "title": "河池电信", "amount": "100"}
    )
    assert r.status_code == 422 and 'data-testid="error-tax_number"' in r.text
    rec = {"contract_id": c.id, "frequency": "monthly", "first_due": "2027-01-31", "count": "2"}
    r = post_form(web, "/receivables/plans/recurring", rec)
    assert (
        r.status_code == 422 and 'data-testid="error-amount_each"' in r.text and 'data-testid="error-total"' in r.text
    )
    preview = post_form(web, "/receivables/plans/recurring/preview", rec)
    assert preview.status_code == 200 and 'data-testid="preview-errors"' in preview.text
