"""Product lines in HTML forms: parse the editor's ``lines-N-*`` fields, and feed the editor fragment.

Any form that includes ``products/_lines_editor.html`` calls :func:`parse_lines` on the submitted form
(the dict of :func:`loam.web.forms.form_dict`) and :func:`editor_context` to render the editor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.errors import Invalid
from loam.kit.i18n import gettext as _
from loam.products.schemas import ProductLineWrite
from loam.web.forms import _translate_pydantic

FIELD = re.compile(r"^lines-(\d{1,4})-(product_id|quantity|discount_pct|sale_price|remark)$")
FIELDS = ("product_id", "quantity", "discount_pct", "sale_price", "remark")
PICKER_SIZE = 300


def rows_of(form: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The submitted rows in the order of their index N, each ``{field: value}``; entirely blank rows (the
    editor's spare row) are left out."""
    rows: dict[int, dict[str, Any]] = {}
    for key in form:
        m = FIELD.match(str(key))
        if m:
            value = form.get(key)
            value = value.strip() if isinstance(value, str) else value
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = value if value not in ("", None) else None
    return [row for _n, row in sorted(rows.items()) if any(v is not None for v in row.values())]


def parse_lines(form: Mapping[str, Any]) -> list[ProductLineWrite]:
    """The lines of a submitted form, in the order shown. A bad value raises :class:`Invalid` (422) whose
    message names the line and the field, with ``detail`` keyed by the form field names (``lines-N-quantity``)
    so that the form can mark them."""
    lines: list[ProductLineWrite] = []
    errors: dict[str, str] = {}
    first = ""
    for position, row in enumerate(rows_of(form)):
        values = {k: _number(row.get(k)) if k != "remark" else row.get(k) for k in FIELDS}
        try:
            lines.append(ProductLineWrite.model_validate(values))
        except ValidationError as exc:
            for err in exc.errors():
                field = str(err["loc"][0]) if err["loc"] else "product_id"
                message = _message(field, err)
                errors.setdefault(f"lines-{position}-{field}", message)
                first = first or _("Line %(n)s: %(error)s", n=position + 1, error=message)
    if errors:
        raise Invalid(first, detail=errors)
    return lines


def _number(value: Any) -> Any:
    """Form numbers may carry thousands separators or spaces ("1,234.50")."""
    if isinstance(value, str):
        return value.replace(",", "").replace("，", "").replace(" ", "") or None
    return value


def _message(field: str, err: Any) -> str:
    kind = err.get("type", "")
    if field == "quantity" and kind in ("greater_than", "missing", "decimal_type"):
        return _("The quantity must be greater than 0.")
    if field == "discount_pct" and kind in ("greater_than_equal", "less_than_equal"):
        return _("The discount must be between 0 and 100.")
    if field == "sale_price" and kind == "greater_than_equal":
        return _("The sale price cannot be negative.")
    if kind in ("decimal_max_places", "decimal_max_digits", "less_than_equal"):
        return _("The number is too large or has too many decimals.")
    if field == "product_id":
        return _("Choose a product.")
    return _translate_pydantic(err)


def editor_context(
    session: Session,
    scope: Scope,
    lines: Sequence[Any] = (),
    form: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What ``products/_lines_editor.html`` needs: ``line_rows`` (from the submitted ``form`` when re-rendering,
    else from the saved ``lines``), ``line_products`` (active products, plus those of the saved lines with their
    snapshot) and ``line_errors``."""
    from loam.products import service

    products: dict[int, dict[str, Any]] = {}
    for p in service.picker(session, scope, limit=PICKER_SIZE) if scope.can("products.view") else []:
        products[p.id] = {"id": p.id, "code": p.code, "name": p.name, "unit": p.unit, "price": p.list_price}
    for ln in lines:  # a saved line keeps its snapshot, even when the product became inactive since
        code = products.get(ln.product_id, {}).get("code", "")
        products[ln.product_id] = {
            "id": ln.product_id,
            "code": code,
            "name": ln.name,
            "unit": ln.unit,
            "price": ln.list_price,
        }
    if form is not None:
        rows = [{k: row.get(k) for k in FIELDS} for row in rows_of(form)]
    else:
        rows = [{k: getattr(ln, k) for k in FIELDS} for ln in lines]
    return {"line_rows": rows, "line_products": list(products.values()), "line_errors": dict(errors or {})}
