"""Turning spreadsheet cells into typed values, one parser per column kind (see loam.kit.columns).

Every parser returns the value (None for an empty cell) or raises :class:`CellError` with a message
for the row's error column. Nothing here touches the database: references (users, departments,
customers) are resolved through the lookup tables in :class:`Refs`, built once per import.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from loam.config import settings
from loam.kit.columns import Column, choice_names, header_key
from loam.kit.i18n import gettext as _
from loam.kit.schemas import MAX_YEAR, MIN_YEAR


class CellError(ValueError):
    """A cell that cannot be used; the message goes into the error file."""


@dataclass
class Refs:
    """Lookup tables for reference columns, keyed by folded text."""

    users: dict[str, int] = field(default_factory=dict)  # login / email → user id
    departments: dict[str, int] = field(default_factory=dict)  # "a/b/c" path of names → id
    customers: dict[str, list[int]] = field(default_factory=dict)  # normalised name → ids


EXCEL_EPOCH = date(1899, 12, 30)
_NEUTRALISED = re.compile(r"'[=+\-@\t\r]")
_EMAIL = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+")
_DATE_PATTERNS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_TIME = re.compile(r"[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
TRUE = {"1", "true", "yes", "y", "是", "对", "√", "✓", "on"}
FALSE = {"0", "false", "no", "n", "否", "不是", "×", "off"}


def text_of(raw: Any) -> str:
    """A cell as text: integral floats without ``.0`` (phones stored as numbers), the export's
    formula-neutralising quote removed, surrounding space stripped."""
    if type(raw) is str:  # the common case first
        text = raw.strip()
        return text[1:] if text[:1] == "'" and _NEUTRALISED.match(text) else text
    if raw is None:
        return ""
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, bool):
        return "1" if raw else "0"
    if isinstance(raw, datetime | date):
        return raw.isoformat(sep=" ") if isinstance(raw, datetime) else raw.isoformat()
    text = str(raw).strip()
    if _NEUTRALISED.match(text):
        text = text[1:]
    return text


def _text(col: Column, raw: Any, refs: Refs) -> str | None:
    text = text_of(raw)
    if not text:
        return None
    if col.max_len is not None and len(text) > col.max_len:
        raise CellError(
            _("%(column)s: at most %(n)s characters (has %(m)s).", column=_(col.label), n=col.max_len, m=len(text))
        )
    return text


def _email(col: Column, raw: Any, refs: Refs) -> str | None:
    text = _text(col, raw, refs)
    if text is not None and not _EMAIL.fullmatch(text):
        raise CellError(_("%(column)s: %(value)s is not an email address.", column=_(col.label), value=text[:60]))
    return text


def choice_map(col: Column) -> dict[str, str]:
    """Folded spelling → option key, for one choice column (built once per import)."""
    out: dict[str, str] = {}
    for key, english in (col.choices or {}).items():
        for name in choice_names(key, english):
            if name:
                out.setdefault(header_key(name), key)
    return out


_CHOICE_MAPS: dict[int, dict[str, str]] = {}  # id(column) → its choice map (columns are module constants)


def _choice(col: Column, raw: Any, refs: Refs) -> str | None:
    text = text_of(raw)
    if not text:
        return None
    options = _CHOICE_MAPS.get(id(col))
    if options is None:
        options = _CHOICE_MAPS[id(col)] = choice_map(col)
    key = options.get(header_key(text))
    if key is None:
        listed = ", ".join(_(v) for v in (col.choices or {}).values())
        raise CellError(
            _("%(column)s: %(value)s is not one of: %(options)s.", column=_(col.label), value=text[:60], options=listed)
        )
    return key


def parse_date(raw: Any) -> date | datetime | None:
    """A date or date-time from a date cell, an Excel serial number, or text in the usual formats
    (2024-01-05, 2024/1/5, 2024.01.05, 2024年1月5日, 20240105, optionally with a time). None if empty."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime | date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if 10000101 <= raw <= 99991231 and float(raw).is_integer():  # 20240105 typed into a number cell
            return parse_date(str(int(raw)))
        if not 1 <= raw < 2958466:
            raise ValueError(raw)
        whole = int(raw)
        day = EXCEL_EPOCH + timedelta(days=whole)
        seconds = round((raw - whole) * 86400)
        return datetime.combine(day, time()) + timedelta(seconds=seconds) if seconds else day
    text = text_of(raw)
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return parse_date(float(text))
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            rest = text[m.end() :]
            if not rest.strip():
                return day
            t = _TIME.fullmatch(rest)
            if t is None:
                raise ValueError(text)
            moment = datetime.combine(day, time(int(t.group(1)), int(t.group(2)), int(t.group(3) or 0)))
            return moment.replace(tzinfo=_zone(t.group(4))) if t.group(4) else moment
    raise ValueError(text)


def _zone(offset: str) -> timezone:
    """The zone of an ISO 8601 offset (Z, +08:00, -0500): a time written with one is not local time."""
    if offset == "Z":
        return UTC
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(-delta if offset[0] == "-" else delta)


def _when(col: Column, raw: Any, refs: Refs) -> date | datetime | None:
    try:
        value = parse_date(raw)
    except (ValueError, OverflowError):
        raise CellError(
            _("%(column)s: %(value)s is not a date (use 2024-01-31).", column=_(col.label), value=text_of(raw)[:40])
        ) from None
    if value is None:
        return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise CellError(
            _("%(column)s: the year must be between %(a)s and %(b)s.", column=_(col.label), a=MIN_YEAR, b=MAX_YEAR)
        )
    if col.kind == "date":
        return value.date() if isinstance(value, datetime) else value
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    return moment.replace(tzinfo=ZoneInfo(settings.timezone)) if moment.tzinfo is None else moment


def _bool(col: Column, raw: Any, refs: Refs) -> bool | None:
    text = text_of(raw).casefold()
    if not text:
        return None
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise CellError(_("%(column)s: write 是/否 or yes/no.", column=_(col.label)))


def _user(col: Column, raw: Any, refs: Refs) -> int | None:
    text = text_of(raw)
    if not text:
        return None
    user_id = refs.users.get(text.casefold())
    if user_id is None:
        raise CellError(
            _("%(column)s: no active user with the login or email %(value)s.", column=_(col.label), value=text[:60])
        )
    return user_id


def department_key(path: str) -> str:
    return "/".join(header_key(part) for part in re.split(r"[/／>＞\\]+", path) if part.strip())


def _department(col: Column, raw: Any, refs: Refs) -> int | None:
    text = text_of(raw)
    if not text:
        return None
    dept_id = refs.departments.get(department_key(text))
    if dept_id is None:
        raise CellError(
            _(
                "%(column)s: no department %(value)s (write its path, e.g. 广西区/广西电信系统部).",
                column=_(col.label),
                value=text[:80],
            )
        )
    return dept_id


def _customer(col: Column, raw: Any, refs: Refs) -> int | None:
    from loam.kit import normalize

    text = text_of(raw)
    if not text:
        return None
    ids = refs.customers.get(normalize.company(text), [])
    if not ids:
        raise CellError(_("%(column)s: no customer %(value)s that you can see.", column=_(col.label), value=text[:80]))
    if len(ids) > 1:
        raise CellError(
            _(
                "%(column)s: %(n)s customers are named %(value)s; merge them first.",
                column=_(col.label),
                n=len(ids),
                value=text[:80],
            )
        )
    return ids[0]


def _id(col: Column, raw: Any, refs: Refs) -> int | None:
    text = text_of(raw)
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 2_147_483_647:
        raise CellError(_("%(column)s: %(value)s is not a record id.", column=_(col.label), value=text[:20]))
    return int(text)


PARSERS: dict[str, Callable[[Column, Any, Refs], Any]] = {
    "text": _text,
    "phone": _text,
    "email": _email,
    "choice": _choice,
    "date": _when,
    "datetime": _when,
    "bool": _bool,
    "user": _user,
    "department": _department,
    "customer": _customer,
    "id": _id,
}


def parse(col: Column, raw: Any, refs: Refs) -> Any:
    """The typed value of one cell for ``col``, or None when empty; raises CellError."""
    return PARSERS[col.kind](col, raw, refs)


def compile_parser(col: Column, refs: Refs) -> Callable[[Any], Any]:
    """A parser for one column, specialised for the common cases (plain text, exact option labels) so a
    million rows do not pay a dispatch and a fold per cell."""
    if col.kind in ("text", "phone"):
        return _text_parser(col)
    if col.kind in ("date", "datetime"):
        return _date_parser(col)
    if col.kind == "email":
        text = _text_parser(col)

        def email(raw: Any) -> str | None:
            value = text(raw)
            if value is not None and not _EMAIL.fullmatch(value):
                raise CellError(
                    _("%(column)s: %(value)s is not an email address.", column=_(col.label), value=value[:60])
                )
            return value

        return email
    if col.kind == "user":
        users = refs.users

        def user(raw: Any) -> int | None:
            found = users.get(raw.strip().casefold()) if type(raw) is str else None
            return found if found is not None else _checked(_user, col, raw, refs)

        return user
    if col.kind == "choice":
        folded = choice_map(col)
        exact = {
            name: key for key, english in (col.choices or {}).items() for name in choice_names(key, english) if name
        }

        def choice(raw: Any) -> Any:
            found = exact.get(raw.strip()) if type(raw) is str else None
            return found if found is not None else _checked(_choice, col, raw, refs) if folded else None

        return choice
    parser = PARSERS[col.kind]
    return lambda raw: _checked(parser, col, raw, refs)


def _checked(parser: Callable[[Column, Any, Refs], Any], col: Column, raw: Any, refs: Refs) -> Any:
    if raw is None or raw == "":
        return None
    if type(raw) is str and len(raw) > settings.import_max_cell_chars:
        raise CellError(_too_long(col, len(raw)))
    return parser(col, raw, refs)


def _too_long(col: Column, length: int) -> str:
    return _(
        "%(column)s: the cell has %(m)s characters, at most %(n)s.",
        column=_(col.label),
        m=length,
        n=min(col.max_len or settings.import_max_cell_chars, settings.import_max_cell_chars),
    )


def _date_parser(col: Column) -> Callable[[Any], Any]:
    tz = ZoneInfo(settings.timezone)
    is_date = col.kind == "date"

    seen: dict[Any, Any] = {}  # a file's dates repeat: one object per distinct cell (pickled once per batch too)

    def parse(raw: Any) -> Any:
        if type(raw) is str and len(raw) == 10:  # ISO dates, the usual case, parse in C
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                return _checked(_when, col, raw, Refs())
            if MIN_YEAR <= day.year <= MAX_YEAR:
                return day if is_date else datetime.combine(day, time(), tz)
        return _checked(_when, col, raw, Refs())

    def when(raw: Any) -> Any:
        try:
            return seen[raw]
        except (KeyError, TypeError):
            value = parse(raw)  # a cell that is not a date raises here, every time
        if value is not None and len(seen) < 100_000 and type(raw) in (str, date, datetime, float, int):
            seen[raw] = value
        return value

    return when


def _text_parser(col: Column) -> Callable[[Any], Any]:
    limit = min(col.max_len or settings.import_max_cell_chars, settings.import_max_cell_chars)

    def text(raw: Any) -> str | None:
        if type(raw) is str:
            value = raw.strip()
            if value[:1] == "'" and _NEUTRALISED.match(value):
                value = value[1:]
        else:
            value = text_of(raw)
        if not value:
            return None
        if len(value) > limit:
            raise CellError(_too_long(col, len(value)))
        return value

    return text
