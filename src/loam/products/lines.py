"""Product lines (产品明细) of opportunities and contracts: Decimal pricing, snapshots, audit on the parent.

Money is rounded half-up to 0.01 at two points only: the unit sale price (a stored column) and each
line's subtotal (quantity × sale price). A total is the sum of the subtotals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.errors import Invalid
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.products import repository as repo
from loam.products.models import Product, ProductLine
from loam.products.schemas import MAX_MONEY, ProductLineWrite

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MAX_LINES = 500


def money(value: Decimal) -> Decimal:
    """Round to the cent, half up (1.005 → 1.01), with enough precision for any Numeric(18, x) product."""
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def price(
    list_price: Decimal, quantity: Decimal, discount_pct: Decimal | None, sale_price: Decimal | None
) -> tuple[Decimal, Decimal, Decimal]:
    """``(discount_pct, sale_price, subtotal)`` of one line.

    Without a sale price it is list price × (1 − discount/100); with one, the discount is derived from it
    (0 when the sale price is at or above the list price, which is allowed). Subtotal = quantity × sale price.
    """
    with localcontext() as ctx:
        ctx.prec = 60
        if sale_price is None:
            discount = money(discount_pct or Decimal(0))
            sale = money(list_price * (HUNDRED - discount) / HUNDRED)
        else:
            sale = money(sale_price)
            below = list_price > 0 and sale < list_price
            discount = money((list_price - sale) * HUNDRED / list_price) if below else Decimal("0.00")
        return discount, sale, money(quantity * sale)


def lines_total(lines: Iterable[Any]) -> Decimal:
    """The sum of the lines' subtotals, to the cent (0.00 for no lines)."""
    with localcontext() as ctx:
        ctx.prec = 60
        return money(sum((Decimal(line.subtotal) for line in lines), Decimal(0)))


def lines_of(session: Session, entity: str, record_id: int) -> list[ProductLine]:
    """The record's lines in position order (the caller has already checked it may see the record)."""
    return repo.lines_of(session, entity, record_id)


def _refuse(index: int, field: str, message: str) -> Invalid:
    text = _("Line %(n)s: %(error)s", n=index + 1, error=message)
    return Invalid(text, detail={f"lines-{index}-{field}": message})


def _catalogue(
    session: Session, scope: Scope, lines: Sequence[ProductLineWrite], kept: dict[int, ProductLine]
) -> dict[int, Product]:
    """The products of the lines, checked: a product new to the record must be live, visible and active;
    one the record already has keeps its line's snapshot even when it became inactive since."""
    visible = repo.get_many(session, scope, {line.product_id for line in lines})
    for i, line in enumerate(lines):
        product = visible.get(line.product_id)
        if line.product_id in kept:
            continue
        if product is None:
            raise _refuse(i, "product_id", _("The product does not exist or you cannot see it."))
        if product.status != "active":
            raise _refuse(
                i, "product_id", _("The product %(code)s is inactive and cannot be added.", code=product.code)
            )
    return visible


def _build(entity: str, record_id: int, index: int, data: ProductLineWrite, snapshot: Any) -> ProductLine:
    list_price = Decimal(snapshot.list_price)
    discount, sale, subtotal = price(list_price, data.quantity, data.discount_pct, data.sale_price)
    if subtotal > MAX_MONEY:
        raise _refuse(index, "quantity", _("The subtotal is too large."))
    return ProductLine(
        entity=entity,
        record_id=record_id,
        position=index,
        product_id=data.product_id,
        name=snapshot.name,
        unit=snapshot.unit,
        quantity=data.quantity,
        list_price=list_price,
        discount_pct=discount,
        sale_price=sale,
        subtotal=subtotal,
        remark=data.remark,
    )


def summary(lines: Sequence[Any]) -> str:
    """A one-line text of the lines for the audit history ("" for none)."""
    if not lines:
        return ""
    parts = [
        f"{ln.name} × {Decimal(ln.quantity).normalize():f} @ {money(ln.sale_price)} = {money(ln.subtotal)}"
        for ln in lines
    ]
    return "; ".join(parts) + f" (Σ {lines_total(lines)})"


def replace_lines(
    session: Session, scope: Scope, entity: str, record_id: int, lines: list[ProductLineWrite]
) -> Decimal:
    """Replace the record's lines and return their total. The caller has already authorised writing the
    record; this checks each product (exists, visible, active — unless the record already had it, whose
    snapshot of name/unit/list price is then kept). Nothing is written when a line is refused (422).
    An audit row ("lines") is written on the parent record when the lines changed."""
    if len(lines) > MAX_LINES:
        raise Invalid(_("At most %(n)s product lines.", n=MAX_LINES))
    old = repo.lines_of(session, entity, record_id)
    kept: dict[int, ProductLine] = {}
    for line in old:
        kept.setdefault(line.product_id, line)
    catalogue = _catalogue(session, scope, lines, kept)
    new = [
        _build(entity, record_id, i, d, kept.get(d.product_id) or catalogue[d.product_id]) for i, d in enumerate(lines)
    ]
    total = lines_total(new)
    if total > MAX_MONEY:
        raise Invalid(_("The total of the product lines is too large."))
    _swap(session, scope, entity, record_id, old, new)
    return total


def _swap(
    session: Session, scope: Scope, entity: str, record_id: int, old: list[ProductLine], new: list[ProductLine]
) -> None:
    before, after = summary(old), summary(new)
    repo.delete_lines(session, entity, record_id)
    session.add_all(new)
    session.flush()
    if before != after or [ln.remark for ln in old] != [ln.remark for ln in new]:
        audit.record(session, scope, entity, record_id, "update", {"lines": [before or None, after or None]})


def copy_lines(session: Session, scope: Scope, from_entity: str, from_id: int, to_entity: str, to_id: int) -> Decimal:
    """Replace the target's lines with copies of the source's (same snapshots and prices, whatever the
    catalogue says now) and return the total. The caller has authorised reading the source and writing
    the target. Audited on the target like :func:`replace_lines`."""
    source = repo.lines_of(session, from_entity, from_id)
    old = repo.lines_of(session, to_entity, to_id)
    columns = (
        "product_id",
        "name",
        "unit",
        "quantity",
        "list_price",
        "discount_pct",
        "sale_price",
        "subtotal",
        "remark",
    )
    new = [
        ProductLine(entity=to_entity, record_id=to_id, position=i, **{c: getattr(ln, c) for c in columns})
        for i, ln in enumerate(source)
    ]
    _swap(session, scope, to_entity, to_id, old, new)
    return lines_total(new)


def purge_lines(session: Session, entity: str, record_id: int) -> None:
    """Delete the record's lines for good (the record itself is being purged; no audit row)."""
    repo.delete_lines(session, entity, record_id)
    session.flush()
