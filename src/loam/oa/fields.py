"""A request's values checked against its type's fields, on the server (422 with one message per field).

Stored values are JSON: text as text, numbers and money as decimal text ("1.5", "5000.00"), dates as
``YYYY-MM-DD`` and date-times as ``YYYY-MM-DDTHH:MM`` in the company's time zone. Two values are also copied
into columns so that approval flow conditions and lists can use them: ``amount`` — the first money field with a
value — and ``days`` — the number field keyed ``days``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from loam.config import settings
from loam.errors import Invalid
from loam.kit.i18n import gettext as _
from loam.kit.i18n import pick

MAX_TEXT = 200
MAX_TEXTAREA = 2000
MAX_NUMBER = Decimal("99999999.99")  # fits oa_requests.days Numeric(10, 2)
MAX_MONEY = Decimal("9999999999999999.99")  # Numeric(18, 2)
DAYS_KEY = "days"


@dataclass
class Checked:
    values: dict[str, Any]
    amount: Decimal | None
    days: Decimal | None


def label(field: dict[str, Any]) -> str:
    """The field's label in the current language."""
    return pick(field.get("label_zh"), field.get("label_en")) or str(field.get("key", ""))


def check(fields: list[dict[str, Any]], values: dict[str, Any]) -> Checked:
    """The values cleaned and typed against ``fields``, or a 422 whose ``detail`` maps ``values.<key>`` to a
    message: unknown keys, missing required values, wrong kinds, out-of-range numbers, unknown choices, an end
    before its start."""
    known = {f["key"]: f for f in fields}
    errors: dict[str, str] = {}
    for key in values:
        if key not in known:
            errors[f"values.{key}"] = _("This type has no field %(key)s.", key=str(key)[:30])
    out: dict[str, Any] = {}
    for field in fields:
        raw = values.get(field["key"])
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if field.get("required"):
                errors[f"values.{field['key']}"] = _("%(field)s is required.", field=label(field))
            continue
        try:
            out[field["key"]] = _coerce(field, raw)
        except ValueError as exc:
            errors[f"values.{field['key']}"] = f"{label(field)}: {exc}"
    _order(known, out, errors)
    if errors:
        raise Invalid(_("Check the request: %(problems)s", problems="; ".join(errors.values())), detail=errors)
    return Checked(out, _amount(fields, out), _days(known, out))


def _coerce(field: dict[str, Any], raw: Any) -> Any:
    kind = field["kind"]
    if kind in ("text", "textarea"):
        limit = MAX_TEXT if kind == "text" else MAX_TEXTAREA
        text = _text(raw).strip()
        if len(text) > limit:
            raise ValueError(_("At most %(n)s characters.", n=limit))
        return text
    if kind in ("number", "money"):
        return _decimal_text(raw, money=kind == "money")
    if kind == "date":
        return _date(_text(raw)).isoformat()
    if kind == "datetime":
        return _datetime(_text(raw)).strftime("%Y-%m-%dT%H:%M")
    if kind == "select":
        text = _text(raw).strip()
        if text not in (field.get("choices") or []):
            raise ValueError(_("Choose one of the listed options."))
        return text
    raise ValueError(_("This value is not valid."))


def _text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValueError(_("Enter text."))
    return raw


def _decimal_text(raw: Any, money: bool) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ValueError(_("Enter a number."))
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValueError(_("Enter a number."))
    top = MAX_MONEY if money else MAX_NUMBER
    if number < 0 or number > top:
        raise ValueError(_("Enter a number between 0 and %(max)s.", max=f"{top:,}"))
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(_("At most two decimal places."))
    fixed = format(number.quantize(Decimal("0.01")), "f")
    return fixed if money else fixed.rstrip("0").rstrip(".")


def _date(text: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(_("Enter a valid date.")) from None
    if not 1900 <= day.year <= 2999:
        raise ValueError(_("Enter a valid date."))
    return day


def _datetime(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(_("Enter a valid date and time.")) from None
    if not 1900 <= moment.year <= 2999:
        raise ValueError(_("Enter a valid date and time."))
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(settings.timezone)).replace(tzinfo=None)
    if not 1900 <= moment.year <= 2999:
        raise ValueError(_("Enter a valid date and time."))
    return moment


def _order(known: dict[str, dict[str, Any]], out: dict[str, Any], errors: dict[str, str]) -> None:
    """``end`` (or ``*_end``) may not lie before ``start`` when both are dates or both date-times."""
    for key in known:
        if not key.endswith("end"):
            continue
        start_key = key[: -len("end")] + "start"
        if start_key not in out or key not in out or known[start_key]["kind"] != known[key]["kind"]:
            continue
        if known[key]["kind"] in ("date", "datetime") and out[key] < out[start_key]:
            errors[f"values.{key}"] = _(
                "%(end)s must not be before %(start)s.", end=label(known[key]), start=label(known[start_key])
            )


def _amount(fields: list[dict[str, Any]], out: dict[str, Any]) -> Decimal | None:
    for field in fields:
        if field["kind"] == "money" and field["key"] in out:
            return Decimal(out[field["key"]])
    return None


def _days(known: dict[str, dict[str, Any]], out: dict[str, Any]) -> Decimal | None:
    field = known.get(DAYS_KEY)
    if field is None or field["kind"] != "number" or DAYS_KEY not in out:
        return None
    return Decimal(out[DAYS_KEY]).quantize(Decimal("0.01"))
