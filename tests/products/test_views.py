"""Product pages: list with filters, create/edit forms with errors, detail with history, status, delete,
categories page; and the reusable line fragments (_lines_editor.html, _lines_table.html, parse_lines)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from starlette.requests import Request

from loam.errors import Invalid
from loam.kit.i18n import use_locale
from loam.products import service
from loam.products.forms import editor_context, parse_lines
from loam.web.templating import env
from tests.helpers import api, app, login, post_form, scope_of
from tests.products.factories import line, make_product


def _create(c, **data):
    r = post_form(c, "/products", data)
    assert r.status_code == 303, r.text[:800]
    return int(r.headers["location"].rstrip("/").split("/")[-1])


def test_list_filters_and_partial(connection):
    admin = api("admin")
    cat = admin.post("/api/v1/product-categories", json={"name": "网页分类"}).json()
    admin.post(
        "/api/v1/products",
        json={"code": "WEB-1", "name": "网页甲", "category_id": cat["id"], "list_price": "1234567.5"},
    )
    admin.post("/api/v1/products", json={"code": "WEB-2", "name": "网页乙", "status": "inactive"})
    c = login("ar1")
    page = c.get("/products", params={"q": "WEB-"})
    assert page.status_code == 200 and 'data-testid="product-table"' in page.text
    assert "WEB-1" in page.text and "WEB-2" in page.text and "1,234,567.50" in page.text and "网页分类" in page.text
    assert 'data-testid="new-product"' not in page.text  # ar1 cannot manage the catalogue
    active = c.get("/products", params={"q": "WEB-", "status": "active", "category_id": "", "sort": "-code"})
    assert "WEB-1" in active.text and "WEB-2" not in active.text
    by_cat = c.get("/products", params={"category_id": cat["id"]})
    assert "WEB-1" in by_cat.text and "WEB-2" not in by_cat.text
    partial = c.get("/products", params={"q": "WEB-"}, headers={"HX-Request": "true", "HX-Target": "product-table"})
    assert "<html" not in partial.text and "WEB-1" in partial.text
    assert c.get("/products", params={"status": "gone"}).status_code == 422
    assert c.get("/products", params={"sort": "password"}).status_code == 422
    assert 'data-testid="new-product"' in login("director").get("/products").text


def test_create_edit_detail_status_delete(connection):
    c = login("director")
    form = c.get("/products/new")
    assert (
        form.status_code == 200
        and f'name="csrf_token" value="{c.csrf}"' in form.text
        and "unit-suggestions" in form.text
    )
    bad = post_form(
        c, "/products", {"code": "", "name": "缺编码", "list_price": "-3", "currency": "CNY", "status": "active"}
    )
    assert (
        bad.status_code == 422
        and 'data-testid="error-code"' in bad.text
        and 'data-testid="error-list_price"' in bad.text
    )
    assert "缺编码" in bad.text  # the form keeps what was typed
    pid = _create(c, code="FORM-1", name="表单产品", unit="套", list_price="88.8", currency="CNY", status="active")
    dup = post_form(c, "/products", {"code": "FORM-1", "name": "重复", "currency": "CNY", "status": "active"})
    assert dup.status_code == 409 and 'data-testid="form-error"' in dup.text
    detail = c.get(f"/products/{pid}")
    assert detail.status_code == 200 and "表单产品" in detail.text and "88.80 CNY" in detail.text
    assert 'data-testid="history"' in detail.text and 'data-testid="edit"' in detail.text
    edit = c.get(f"/products/{pid}/edit")
    assert 'name="version" value="1"' in edit.text and 'value="表单产品"' in edit.text
    upd = {
        "code": "FORM-1",
        "name": "表单产品改",
        "currency": "CNY",
        "status": "active",
        "list_price": "90",
        "version": "1",
    }
    assert post_form(c, f"/products/{pid}/edit", upd).status_code == 303
    stale = post_form(c, f"/products/{pid}/edit", upd | {"name": "过期"})
    assert stale.status_code == 409 and "过期" in stale.text
    assert post_form(c, f"/products/{pid}/status", {"status": "inactive"}).status_code == 303
    page = c.get(f"/products/{pid}")
    assert 'data-testid="inactive-note"' in page.text and "表单产品改" in page.text
    assert c.post(f"/products/{pid}/delete").status_code == 403  # no CSRF token
    ar1 = login("ar1")
    assert post_form(ar1, f"/products/{pid}/delete").status_code == 403
    assert 'data-testid="edit"' not in ar1.get(f"/products/{pid}").text
    assert post_form(c, f"/products/{pid}/delete").status_code == 303
    assert c.get(f"/products/{pid}").status_code == 404


def test_categories_page(connection):
    c = login("director")
    assert post_form(c, "/products/categories", {"name": "页面分类", "sort": "1"}).status_code == 303
    page = c.get("/products/categories")
    assert page.status_code == 200 and "页面分类" in page.text
    cid = int(re.search(r'data-testid="category-(\d+)"', page.text).group(1))
    dup = post_form(c, "/products/categories", {"name": "页面分类", "sort": "0"})
    assert dup.status_code == 409 and 'data-testid="error-name"' in dup.text
    assert (
        post_form(c, "/products/categories", {"name": "子分类", "parent_id": str(cid), "sort": "0"}).status_code == 303
    )
    page = c.get("/products/categories")
    child = int(re.findall(r'data-testid="category-(\d+)"', page.text)[-1])
    full = post_form(c, f"/products/categories/{cid}/delete")  # it still has a sub-category
    assert full.status_code == 409 and 'data-testid="form-error"' in full.text and "页面分类" in full.text
    loop = post_form(c, f"/products/categories/{cid}", {"name": "页面分类", "parent_id": str(child), "sort": "0"})
    assert loop.status_code == 422
    assert (
        post_form(c, f"/products/categories/{child}", {"name": "改名", "parent_id": "", "sort": "0"}).status_code == 303
    )
    assert "改名" in c.get("/products/categories").text
    assert post_form(c, f"/products/categories/{child}/delete").status_code == 303
    ar1 = login("ar1")
    view = ar1.get("/products/categories")
    assert view.status_code == 200 and "页面分类" in view.text and 'data-testid="add-category"' not in view.text
    assert post_form(ar1, "/products/categories", {"name": "无权", "sort": "0"}).status_code == 403


def test_parse_lines_from_a_form():
    with use_locale("en"):  # the messages are pinned in English here; the Chinese ones are in the catalog test
        _parse_lines_cases()


def _parse_lines_cases() -> None:
    form = {
        "lines-0-product_id": "3",
        "lines-0-quantity": "1,000",
        "lines-0-discount_pct": "12.5",
        "lines-0-remark": " 首批 ",
        "lines-7-product_id": "4",
        "lines-7-quantity": "2",
        "lines-7-sale_price": "99.5",
        "lines-8-product_id": None,  # the spare row
        "lines-8-quantity": None,
        "name": "not a line",
    }
    lines = parse_lines(form)
    assert [(x.product_id, x.quantity, x.discount_pct, x.sale_price, x.remark) for x in lines] == [
        (3, Decimal("1000"), Decimal("12.5"), None, "首批"),
        (4, Decimal("2"), None, Decimal("99.50"), None),
    ]
    assert parse_lines({}) == []
    cases = {
        "lines-0-quantity": ({"lines-0-product_id": "1", "lines-0-quantity": "0"}, "greater than 0"),
        "lines-0-discount_pct": (
            {"lines-0-product_id": "1", "lines-0-quantity": "1", "lines-0-discount_pct": "101"},
            "0 and 100",
        ),
        "lines-0-sale_price": (
            {"lines-0-product_id": "1", "lines-0-quantity": "1", "lines-0-sale_price": "-1"},
            "negative",
        ),
        "lines-0-product_id": ({"lines-0-quantity": "2"}, "Choose a product"),
    }
    for key, (data, text) in cases.items():
        with pytest.raises(Invalid) as exc:
            parse_lines(data)
        assert key in exc.value.detail and text in exc.value.detail[key] and exc.value.message.startswith("Line 1")
    with pytest.raises(Invalid) as exc:  # the second row shown is "Line 2", whatever its index in the form
        parse_lines(
            {"lines-0-product_id": "1", "lines-0-quantity": "1", "lines-5-product_id": "1", "lines-5-quantity": "x"}
        )
    assert exc.value.message.startswith("Line 2") and "lines-1-quantity" in exc.value.detail


def _render(name, **ctx):
    request = Request(
        {
            "type": "http",
            "app": app(),
            "router": app().router,
            "method": "GET",
            "path": "/",
            "headers": [],
            "query_string": b"",
            "root_path": "",
        }
    )
    return env.get_template(name).render(request=request, **ctx)


def test_line_fragments_render(session, ids):
    admin = scope_of(session, ids["admin"])
    a = make_product(session, ids["admin"], "FRAG-A", "片段甲", "1234.50", unit="台")
    b = make_product(session, ids["admin"], "FRAG-B", "片段乙", "10")
    service.replace_lines(
        session, admin, "opportunity", 31337, [line(a.id, "3", "12.5"), line(b.id, "0.5", remark="半年")]
    )
    service.set_status(session, admin, b.id, active=False)
    lines = service.lines_of(session, "opportunity", 31337)
    total = service.lines_total(lines)
    table = _render(
        "products/_lines_table.html", lines=lines, total=total, currency="CNY", scope=admin, has_route=lambda n: True
    )
    assert "3,240.57" in table and "片段甲" in table and "0.5" in table and "半年" in table
    assert 'data-testid="lines-total">3,245.57' in table  # 3,240.57 + 0.5 × 10.00
    ctx = editor_context(session, admin, lines)
    html = _render("products/_lines_editor.html", **(ctx | {"line_errors": {"lines-1-quantity": "坏数量"}}))
    assert 'name="lines-0-product_id"' in html and 'name="lines-1-remark"' in html and 'value="半年"' in html
    assert 'name="lines-2-product_id"' in html  # the spare row
    assert "__N__" in html and "js/lines.js" in html and 'data-testid="error-lines-1-quantity"' in html
    assert re.search(rf'<option value="{b.id}" data-price="10.00"[^>]*selected', html)  # inactive but on the record
    assert 'data-price="1234.50"' in html
    fresh = editor_context(session, admin)
    assert b.id not in {p["id"] for p in fresh["line_products"]} and a.id in {p["id"] for p in fresh["line_products"]}
    redo = editor_context(session, admin, lines, form={"lines-4-product_id": str(a.id), "lines-4-quantity": "9"})
    assert redo["line_rows"] == [
        {"product_id": str(a.id), "quantity": "9", "discount_pct": None, "sale_price": None, "remark": None}
    ]


def test_recycle_bin_page_shows_and_restores_products(connection):
    c = login("admin")
    pid = _create(c, code="BIN-1", name="回收站产品", list_price="1", currency="CNY", status="active")
    assert post_form(c, f"/products/{pid}/delete").status_code == 303
    page = c.get("/recycle", params={"entity": "product"})
    assert page.status_code == 200 and f'data-testid="recycle-product-{pid}"' in page.text and "回收站产品" in page.text
    assert post_form(c, f"/recycle/product/{pid}/restore").status_code == 303
    assert c.get(f"/products/{pid}").status_code == 200
