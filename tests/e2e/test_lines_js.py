"""The line editor's JavaScript (static/js/lines.js) in a real Chromium: live subtotals and total with the
server's rounding, discount ↔ sale price, add/remove rows; the submitted fields parse with parse_lines and
price the same on the server. Marked e2e (needs /usr/bin/chromium), no server needed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from starlette.requests import Request

from loam.products.forms import parse_lines
from loam.products.lines import price
from loam.web.templating import env
from tests.helpers import app

pytestmark = pytest.mark.e2e
STATIC = Path(__file__).resolve().parents[2] / "src" / "loam" / "web" / "static"


def _page_html() -> str:
    scope = {"type": "http", "app": app(), "router": app().router, "method": "GET", "path": "/", "headers": []}
    request = Request(scope | {"query_string": b"", "root_path": ""})
    products = [
        {"id": 1, "code": "A", "name": "甲", "unit": "台", "price": Decimal("1234.50")},
        {"id": 2, "code": "B", "name": "乙", "unit": "个", "price": Decimal("10.00")},
    ]
    saved = SimpleNamespace(
        product_id=1, quantity=Decimal("3"), discount_pct=Decimal("12.5"), sale_price=None, remark=None
    )
    rows = [{k: getattr(saved, k) for k in ("product_id", "quantity", "discount_pct", "sale_price", "remark")}]
    ctx = {"line_rows": rows, "line_products": products, "line_errors": {}, "line_currency": "CNY"}
    html = env.get_template("products/_lines_editor.html").render(request=request, **ctx)
    html = html.replace('src="/static/js/lines.js"', f'src="{(STATIC / "js" / "lines.js").as_uri()}"')
    return f'<!doctype html><html><body><form id="f">{html}</form></body></html>'


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The editor fragment as a static page in the browser tests' shared Chromium (tests/e2e/conftest.py)."""
    file = tmp_path_factory.mktemp("lines") / "editor.html"
    file.write_text(_page_html(), encoding="utf-8")
    context = browser.new_context()
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(file.as_uri())
    yield pg
    context.close()
    assert not errors


def _text(page, selector: str) -> str:  # type: ignore[no-untyped-def]
    return page.locator(selector).inner_text().strip()


def test_editor_computes_like_the_server(page) -> None:  # type: ignore[no-untyped-def]
    rows = page.locator("[data-lines-body] [data-line]")
    assert rows.count() == 2  # the saved row and the spare row
    first = rows.nth(0)
    # 1,234.50 at 12.5 % off = 1,080.19; × 3 = 3,240.57 (the server's price())
    assert first.locator("[data-line-subtotal]").inner_text() == "3,240.57"
    assert first.locator("[data-line-list-price]").inner_text() == "1,234.50"
    assert _text(page, "[data-lines-total]") == "3,240.57"
    first.locator("[data-line-discount]").fill("10")
    assert first.locator("[data-line-sale]").input_value() == "1111.05"
    assert first.locator("[data-line-subtotal]").inner_text() == "3,333.15"
    first.locator("[data-line-sale]").fill("1000")
    assert first.locator("[data-line-discount]").input_value() == "19"  # 18.9955 % → 19.00
    assert _text(page, "[data-lines-total]") == "3,000.00"
    page.click("[data-lines-add]")
    assert rows.count() == 3
    new = rows.nth(2)
    assert new.locator("[data-line-product]").get_attribute("name") == "lines-2-product_id"
    new.locator("[data-line-product]").select_option("2")
    assert new.locator("[data-line-quantity]").input_value() == "1"
    new.locator("[data-line-quantity]").fill("0.3333")
    assert new.locator("[data-line-subtotal]").inner_text() == "3.33"  # 0.3333 × 10.00 = 3.333
    assert _text(page, "[data-lines-total]") == "3,003.33"
    form = page.evaluate("() => Object.fromEntries(new FormData(document.getElementById('f')))")
    lines = parse_lines({k: (v or None) for k, v in form.items()})
    assert [(x.product_id, x.quantity, x.sale_price) for x in lines] == [
        (1, Decimal("3"), Decimal("1000.00")),
        (2, Decimal("0.3333"), Decimal("10.00")),
    ]
    server = [
        price(lp, x.quantity, x.discount_pct, x.sale_price)[2]
        for lp, x in zip((Decimal("1234.50"), Decimal("10")), lines, strict=True)
    ]
    assert sum(server) == Decimal("3003.33")
    rows.nth(0).locator("[data-line-remove]").click()
    assert rows.count() == 2 and _text(page, "[data-lines-total]") == "3.33"
