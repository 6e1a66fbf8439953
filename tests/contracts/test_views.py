"""Contract pages: list with filters, create (blank, with lines, from an opportunity), detail, edit, status
actions, team, the templates page, document download, the print view and the customer-page fragment."""

from __future__ import annotations

import re

from tests.contracts.factories import docx_bytes, docx_text, make_contract, make_opportunity
from tests.helpers import login, make_customer, post_form
from tests.products.factories import line, make_product


def test_list_and_filters(session, ids, connection) -> None:
    a = make_contract(session, ids["ar1"], "页面合同甲")
    b = make_contract(session, ids["ar2"], "页面合同乙")
    session.commit()
    c = login("ar1")
    page = c.get("/contracts")
    assert page.status_code == 200 and a.number in page.text and b.number not in page.text
    assert 'data-testid="saved-views"' in page.text
    r = c.get(
        "/contracts", params={"status": "approved"}, headers={"hx-request": "true", "hx-target": "contract-table"}
    )
    assert r.status_code == 200 and a.number not in r.text and '<nav class="navbar' not in r.text
    assert c.get("/contracts", params={"expiring_within": "30", "signed_from": "2026-01-01"}).status_code == 200
    assert c.get("/contracts", params={"status": "bogus"}).status_code == 422


def test_create_with_lines_and_errors(session, ids, connection) -> None:
    cust = make_customer(session, ids["ar1"], "页面客户")
    p = make_product(session, ids["admin"], "VIEW-P1", price="100.00")
    session.commit()
    c = login("ar1")
    form = c.get("/contracts/new")
    assert form.status_code == 200 and 'name="customer_id"' in form.text
    r = post_form(c, "/contracts", {"name": "", "customer_id": str(cust.id), "amount": "abc"})
    assert r.status_code == 422 and 'data-testid="error-amount"' in r.text
    r = post_form(c, "/contracts", {"name": "", "customer_id": str(cust.id), "remark": "保留的输入"})
    assert r.status_code == 422 and 'data-testid="error-name"' in r.text and "保留的输入" in r.text
    r = post_form(
        c,
        "/contracts",
        {"name": "x", "customer_id": str(cust.id), "lines-0-product_id": str(p.id), "lines-0-quantity": "-1"},
    )
    assert r.status_code == 422 and "lines-0-quantity" in r.text
    data = {
        "name": "页面新建合同",
        "customer_id": str(cust.id),
        "type": "sales",
        "currency": "CNY",
        "amount": "1",
        "end_on": "2027-12-31",
        "lines-0-product_id": str(p.id),
        "lines-0-quantity": "2",
        "lines-0-discount_pct": "",
        "lines-0-sale_price": "",
        "lines-0-remark": "",
    }
    r = post_form(c, "/contracts", data)
    assert r.status_code == 303, r.text[:2000]
    detail = c.get(r.headers["location"])
    assert detail.status_code == 200 and "页面新建合同" in detail.text and "200.00" in detail.text
    assert 'data-testid="submit-approval"' in detail.text


def test_new_from_an_opportunity(session, ids, connection) -> None:
    cust = make_customer(session, ids["ar1"], "商机页面客户")
    p = make_product(session, ids["admin"], "VIEW-OPP", price="10.00")
    opp = make_opportunity(session, ids["ar1"], cust.id, name="页面商机", lines=[line(p.id, "7")])
    session.commit()
    c = login("ar1")
    form = c.get("/contracts/new", params={"opportunity_id": opp.id})
    assert form.status_code == 200
    assert 'data-testid="from-opportunity"' in form.text and 'value="页面商机"' in form.text
    assert f'name="opportunity_id" value="{opp.id}"' in form.text and f'value="{p.id}" ' in form.text
    assert login("ar2").get("/contracts/new", params={"opportunity_id": opp.id}).status_code == 404


def test_detail_edit_remark_void_and_team(session, ids, connection) -> None:
    k = make_contract(session, ids["ar1"], "详情合同")
    session.commit()
    c = login("ar1")
    page = c.get(f"/contracts/{k.id}")
    assert page.status_code == 200 and 'data-testid="edit"' in page.text and 'data-testid="void"' not in page.text
    edit = c.get(f"/contracts/{k.id}/edit")
    assert edit.status_code == 200 and 'value="详情合同"' in edit.text
    version = re.search(r'name="version" value="(\d+)"', edit.text).group(1)
    r = post_form(
        c,
        f"/contracts/{k.id}/edit",
        {
            "name": "详情合同改",
            "customer_id": str(k.customer_id),
            "type": "sales",
            "currency": "CNY",
            "version": version,
        },
    )
    assert r.status_code == 303
    r = post_form(
        c,
        f"/contracts/{k.id}/edit",
        {"name": "过期版本", "customer_id": str(k.customer_id), "type": "sales", "currency": "CNY", "version": version},
    )
    assert r.status_code == 409 and 'data-testid="form-error"' in r.text
    r = post_form(c, f"/contracts/{k.id}/members", {"user_id": str(ids["ar2"]), "access": "read"})
    assert r.status_code == 303
    assert login("ar2").get(f"/contracts/{k.id}").status_code == 200
    d = login("director")
    assert 'data-testid="void"' in d.get(f"/contracts/{k.id}").text
    assert post_form(d, f"/contracts/{k.id}/void", {"reason": "测试作废"}).status_code == 303
    page = c.get(f"/contracts/{k.id}")
    assert (
        'data-testid="void-reason"' in page.text and "测试作废" in page.text and 'data-testid="edit"' not in page.text
    )


def test_templates_page_upload_generate_and_print(session, ids, connection) -> None:
    k = make_contract(session, ids["ar1"], "打印合同")
    session.commit()
    admin = login("admin")
    assert admin.get("/contracts/templates").status_code == 200
    assert login("ar1").get("/contracts/templates").status_code == 403
    r = admin.post(
        "/contracts/templates",
        data={"csrf_token": admin.csrf, "kind": "contract", "name": "页面模板"},
        files={"file": ("页面模板.docx", docx_bytes("编号 {{ contract.number }}"), "application/octet-stream")},
    )
    assert r.status_code == 303, r.text[:500]
    bad = admin.post(
        "/contracts/templates",
        data={"csrf_token": admin.csrf, "kind": "contract", "name": "坏模板"},
        files={"file": ("坏.docx", docx_bytes("{{ oops "), "application/octet-stream")},
    )
    assert bad.status_code == 422 and 'data-testid="upload-error"' in bad.text
    page = admin.get("/contracts/templates")
    tid = int(re.search(r'data-testid="template-(\d+)"', page.text).group(1))
    c = login("ar1")
    detail = c.get(f"/contracts/{k.id}")
    assert f"/contracts/{k.id}/document?template_id={tid}" in detail.text
    doc = c.get(f"/contracts/{k.id}/document", params={"template_id": tid})
    assert doc.status_code == 200 and f"编号 {k.number}" in docx_text(doc.content)
    printed = c.get(f"/contracts/{k.id}/print")
    assert printed.status_code == 200 and 'data-testid="print-sheet"' in printed.text and "navbar" not in printed.text
    history = c.get(f"/contracts/{k.id}").text
    assert "页面模板" in history and history.count('<td class="text-nowrap">') >= 2
    assert login("ar2").get(f"/contracts/{k.id}/print").status_code == 404


def test_settings_form(session, ids, connection) -> None:
    admin = login("admin")
    r = post_form(
        admin, "/contracts/settings", {"number_pattern": "HT-{yyyy}", "expiry_days": "30", "types": "sales: 销售合同"}
    )
    assert r.status_code == 422 and "{seq" in r.text
    r = post_form(
        admin,
        "/contracts/settings",
        {
            "number_pattern": "HT{yy}-{seq:04}",
            "expiry_days": "45",
            "types": "sales: 销售合同\nlease: 租赁合同",
            "signing_entities": "壤土科技有限公司",
        },
    )
    assert r.status_code == 303
    page = admin.get("/contracts/templates")
    assert "HT{yy}-{seq:04}" in page.text and "lease: 租赁合同" in page.text
    assert post_form(login("ar1"), "/contracts/settings", {"number_pattern": "X{seq}"}).status_code == 403


def test_customer_fragment(session, ids, connection) -> None:
    k = make_contract(session, ids["ar1"], "客户页合同")
    session.commit()
    r = login("ar1").get(f"/contracts/for-customer/{k.customer_id}")
    assert r.status_code == 200 and k.number in r.text and 'data-testid="customer-contracts"' in r.text
    assert login("ar2").get(f"/contracts/for-customer/{k.customer_id}").status_code == 404
    options = login("ar1").get("/contracts/signatories", params={"customer_id": k.customer_id})
    assert options.status_code == 200 and "<option" in options.text


def test_submit_from_the_page_shows_the_approval(session, ids, connection) -> None:
    k = make_contract(session, ids["ar1"], "提交审批合同")
    session.commit()
    c = login("ar1")
    page = c.get(f"/contracts/{k.id}")
    assert 'data-testid="approval-panel"' in page.text and 'data-testid="approval-none"' in page.text
    assert post_form(c, f"/contracts/{k.id}/submit").status_code == 303
    page = c.get(f"/contracts/{k.id}")
    assert 'data-testid="approval-steps"' in page.text and 'data-testid="edit"' not in page.text
    assert 'data-testid="submit-approval"' not in page.text
    assert post_form(c, f"/contracts/{k.id}/submit").status_code == 409
