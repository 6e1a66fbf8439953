"""Product lines: Decimal arithmetic pinned on hand-computed values, snapshots, checks and audit."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from loam.errors import Invalid
from loam.kit import audit
from loam.products import service
from loam.products.lines import money, price
from loam.products.schemas import ProductUpdate
from tests.helpers import scope_of
from tests.products.factories import line, make_product

D = Decimal
ENTITY, RECORD = "opportunity", 424242


def test_money_rounds_half_up():
    assert money(D("1.005")) == D("1.01")
    assert money(D("2.675")) == D("2.68")  # a float would give 2.67
    assert money(D("-0.005")) == D("-0.01")
    assert money(D("0.004")) == D("0.00")


def test_price_from_discount_and_from_sale_price():
    # 1,234.50 at 12.5 % off: 1,234.50 × 0.875 = 1,080.1875 → 1,080.19; × 3 = 3,240.57
    assert price(D("1234.50"), D("3"), D("12.5"), None) == (D("12.50"), D("1080.19"), D("3240.57"))
    # sale price given: discount derived, (1,234.50 − 1,000) / 1,234.50 = 18.9955 % → 19.00
    assert price(D("1234.50"), D("2"), D("50"), D("1000")) == (D("19.00"), D("1000.00"), D("2000.00"))
    # no discount: the list price
    assert price(D("99.99"), D("1.5"), None, None) == (D("0.00"), D("99.99"), D("149.99"))  # 149.985 → 149.99
    # sale above the list price is allowed, the discount is then 0
    assert price(D("100"), D("1"), None, D("120")) == (D("0.00"), D("120.00"), D("120.00"))
    # a free product
    assert price(D("0"), D("4"), D("10"), None) == (D("10.00"), D("0.00"), D("0.00"))
    # 100 % off
    assert price(D("888.88"), D("7"), D("100"), None) == (D("100.00"), D("0.00"), D("0.00"))
    # fractional quantity: 0.3333 × 3.00 = 0.9999 → 1.00
    assert price(D("3"), D("0.3333"), None, None)[2] == D("1.00")


def test_replace_lines_snapshot_total_and_audit(session, ids):
    admin = scope_of(session, ids["admin"])
    a = make_product(session, ids["admin"], "SRV", "云服务器", "1234.50", unit="台")
    b = make_product(session, ids["admin"], "LIC", "软件许可", "10000.00", unit="年")
    total = service.replace_lines(
        session, admin, ENTITY, RECORD, [line(a.id, "3", "12.5"), line(b.id, "2", sale="8800", remark="两年")]
    )
    # 3,240.57 + 2 × 8,800.00 = 20,840.57
    assert total == D("20840.57")
    rows = service.lines_of(session, ENTITY, RECORD)
    assert [(r.position, r.name, r.unit, r.list_price, r.sale_price, r.subtotal) for r in rows] == [
        (0, "云服务器", "台", D("1234.50"), D("1080.19"), D("3240.57")),
        (1, "软件许可", "年", D("10000.00"), D("8800.00"), D("17600.00")),
    ]
    assert rows[1].discount_pct == D("12.00") and rows[1].remark == "两年"
    assert service.lines_total(rows) == total
    hist = audit.history(session, ENTITY, RECORD)
    assert [h.action for h in hist] == ["update"]
    assert hist[0].changes["lines"][0] is None and "云服务器 × 3 @ 1080.19 = 3240.57" in hist[0].changes["lines"][1]

    # the catalogue changes: lines already written keep their snapshot, even when rewritten
    service.update(
        session,
        admin,
        a.id,
        ProductUpdate(code="SRV", name="云主机", list_price=D("2000"), unit="台", version=a.version),
    )
    service.replace_lines(session, admin, ENTITY, RECORD, [line(a.id, "3", "12.5")])
    (only,) = service.lines_of(session, ENTITY, RECORD)
    assert (only.name, only.list_price, only.subtotal) == ("云服务器", D("1234.50"), D("3240.57"))
    # the same lines again: no new audit row
    n = len(audit.history(session, ENTITY, RECORD))
    assert service.replace_lines(session, admin, ENTITY, RECORD, [line(a.id, "3", "12.5")]) == D("3240.57")
    assert len(audit.history(session, ENTITY, RECORD)) == n
    # a new record takes the current catalogue values
    service.replace_lines(session, admin, ENTITY, RECORD + 1, [line(a.id, "1")])
    (fresh,) = service.lines_of(session, ENTITY, RECORD + 1)
    assert (fresh.name, fresh.list_price) == ("云主机", D("2000.00"))
    # no lines: total 0, lines removed
    assert service.replace_lines(session, admin, ENTITY, RECORD, []) == D("0.00")
    assert service.lines_of(session, ENTITY, RECORD) == []


def test_replace_lines_refuses_inactive_missing_invisible_and_writes_nothing(session, ids):
    admin = scope_of(session, ids["admin"])
    ok = make_product(session, ids["admin"], "OK", "好产品", "10")
    old = make_product(session, ids["admin"], "OLD", "老产品", "10")
    service.set_status(session, admin, old.id, active=False)
    service.replace_lines(session, admin, ENTITY, RECORD, [line(ok.id, "1")])
    with pytest.raises(Invalid) as exc:
        service.replace_lines(session, admin, ENTITY, RECORD, [line(ok.id, "2"), line(old.id, "1")])
    assert "OLD" in exc.value.message and exc.value.detail == {
        "lines-1-product_id": exc.value.detail["lines-1-product_id"]
    }
    with pytest.raises(Invalid):
        service.replace_lines(session, admin, ENTITY, RECORD, [line(999999, "1")])
    blind = dataclasses.replace(admin, permissions=frozenset())
    with pytest.raises(Invalid):  # without products.view the product is not there
        service.replace_lines(session, blind, ENTITY, RECORD + 1, [line(ok.id, "1")])
    deleted = make_product(session, ids["admin"], "DEL", "已删除", "10")
    service.delete_(session, admin, deleted.id)
    with pytest.raises(Invalid):
        service.replace_lines(session, admin, ENTITY, RECORD, [line(deleted.id, "1")])
    (kept,) = service.lines_of(session, ENTITY, RECORD)
    assert kept.quantity == D("1") and kept.product_id == ok.id


def test_inactive_product_already_on_the_record_may_stay(session, ids):
    admin = scope_of(session, ids["admin"])
    p = make_product(session, ids["admin"], "KEEP", "保留", "50")
    service.replace_lines(session, admin, ENTITY, RECORD, [line(p.id, "2")])
    service.set_status(session, admin, p.id, active=False)
    assert service.replace_lines(session, admin, ENTITY, RECORD, [line(p.id, "3", "10")]) == D("135.00")
    with pytest.raises(Invalid):  # but not on another record
        service.replace_lines(session, admin, "contract", RECORD, [line(p.id, "1")])


def test_copy_and_purge_lines(session, ids):
    admin = scope_of(session, ids["admin"])
    p = make_product(session, ids["admin"], "CP", "复制", "100")
    service.replace_lines(session, admin, "opportunity", RECORD, [line(p.id, "2", "5"), line(p.id, "1", sale="90")])
    service.set_status(session, admin, p.id, active=False)  # copying keeps the snapshot, whatever the catalogue says
    total = service.copy_lines(session, admin, "opportunity", RECORD, "contract", RECORD)
    assert total == D("280.00")  # 2 × 95 + 90
    copied = service.lines_of(session, "contract", RECORD)
    assert [(c.position, c.sale_price, c.discount_pct) for c in copied] == [
        (0, D("95.00"), D("5.00")),
        (1, D("90.00"), D("10.00")),
    ]
    assert [h.action for h in audit.history(session, "contract", RECORD)] == ["update"]
    service.purge_lines(session, "contract", RECORD)
    assert service.lines_of(session, "contract", RECORD) == []
    assert len(service.lines_of(session, "opportunity", RECORD)) == 2


def test_too_large_is_refused(session, ids):
    admin = scope_of(session, ids["admin"])
    p = make_product(session, ids["admin"], "BIG", "大", "9999999999999999.99")
    with pytest.raises(Invalid):
        service.replace_lines(session, admin, ENTITY, RECORD, [line(p.id, "99999999999999")])
    with pytest.raises(Invalid):
        service.replace_lines(session, admin, ENTITY, RECORD, [line(p.id, "1"), line(p.id, "1")])
    assert service.lines_of(session, ENTITY, RECORD) == []
