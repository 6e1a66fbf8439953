"""Contract numbers (合同编号) from a pattern such as ``HT-{yyyy}{mm}-{seq:05}``.

Tokens: ``{yyyy}`` ``{yy}`` ``{mm}`` ``{dd}`` and exactly one ``{seq}`` / ``{seq:0N}`` (zero-padded to N digits).
The sequence restarts for every distinct rendering of the rest of the pattern: with ``{yyyy}{mm}`` it resets
each month, with ``{yyyy}`` each year, without a date token never. One counter row per rendered prefix
(``contract_counters``) is incremented with a single ``UPDATE … RETURNING`` inside the caller's transaction:
the row lock (PostgreSQL) or the database write lock (SQLite) serialises concurrent allocations until commit,
so numbers are unique and consecutive; the unique constraint on ``contracts.number`` is the last guard.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loam.contracts.models import ContractCounter
from loam.errors import Invalid
from loam.kit.i18n import gettext as _

DEFAULT_PATTERN = "HT-{yyyy}{mm}-{seq:05}"
TOKEN = re.compile(r"\{([^{}]*)\}")
SEQ = re.compile(r"^seq(?::0?([1-9]|1[0-2]))?$")
DATE_TOKENS = ("yyyy", "yy", "mm", "dd")
MAX_NUMBER = 40


def validate(pattern: str) -> str:
    """The pattern, trimmed, or 422: known tokens only, exactly one ``{seq}``, no stray braces, fits 40 chars."""
    pattern = pattern.strip()
    tokens = TOKEN.findall(pattern)
    unknown = [t for t in tokens if t not in DATE_TOKENS and not SEQ.match(t)]
    if unknown:
        raise Invalid(_("Unknown token in the number pattern: {%(token)s}", token=unknown[0][:20]))
    if sum(1 for t in tokens if SEQ.match(t)) != 1:
        raise Invalid(_("The number pattern needs exactly one {seq} token, e.g. {seq:05}."))
    if "{" in TOKEN.sub("", pattern) or "}" in TOKEN.sub("", pattern):
        raise Invalid(_("The number pattern has an unmatched brace."))
    if len(render(pattern, date(2999, 12, 31), 10**12 - 1)) > MAX_NUMBER:
        raise Invalid(_("Numbers from this pattern could be longer than %(n)s characters.", n=MAX_NUMBER))
    return pattern


def _date_values(day: date) -> dict[str, str]:
    return {"yyyy": f"{day.year:04d}", "yy": f"{day.year % 100:02d}", "mm": f"{day.month:02d}", "dd": f"{day.day:02d}"}


def prefix(pattern: str, day: date) -> str:
    """The counter key: the pattern with its date tokens filled and ``{seq…}`` left as it is."""
    values = _date_values(day)
    return TOKEN.sub(lambda m: values.get(m.group(1), m.group(0)), pattern)


def render(pattern: str, day: date, seq: int) -> str:
    """The number for sequence value ``seq`` on ``day``."""
    values = _date_values(day)

    def fill(m: re.Match[str]) -> str:
        token = m.group(1)
        if token in values:
            return values[token]
        width = SEQ.match(token)
        digits = int(width.group(1)) if width and width.group(1) else 1
        return f"{seq:0{digits}d}"

    return TOKEN.sub(fill, pattern)


def allocate(session: Session, pattern: str, day: date) -> str:
    """The next number for ``pattern`` on ``day``, reserved in the caller's transaction (rolled back with it)."""
    key = prefix(pattern, day)
    value = _increment(session, key)
    if value is None:
        try:
            with session.begin_nested():
                session.add(ContractCounter(prefix=key, value=1))
            value = 1
        except IntegrityError:  # a concurrent transaction created the row first: take the next value
            value = _increment(session, key)
    assert value is not None
    return render(pattern, day, value)


def _increment(session: Session, key: str) -> int | None:
    stmt = (
        update(ContractCounter)
        .where(ContractCounter.prefix == key)
        .values(value=ContractCounter.value + 1)
        .returning(ContractCounter.value)
        .execution_options(synchronize_session=False)
    )
    return session.execute(stmt).scalar()


def current(session: Session, pattern: str, day: date) -> int:
    """The last sequence value handed out for ``pattern`` on ``day`` (0 when none yet)."""
    value = session.scalar(select(ContractCounter.value).where(ContractCounter.prefix == prefix(pattern, day)))
    return int(value or 0)
