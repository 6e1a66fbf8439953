"""Report periods: a named period or a custom range resolved to local dates, and the buckets of a trend.

Every window is ``[start, end)`` in the company's time zone (``settings.timezone``). Bucketing happens in
the database with a ``CASE`` over the bucket boundaries (computed here), so the same SQL runs on SQLite and
PostgreSQL, honours the time zone exactly and uses range conditions an index can serve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case

from loam.config import settings
from loam.errors import Invalid
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _

PERIODS: dict[str, str] = {
    "this_month": N_("This month"),
    "last_month": N_("Last month"),
    "this_quarter": N_("This quarter"),
    "last_quarter": N_("Last quarter"),
    "this_year": N_("This year"),
    "last_year": N_("Last year"),
    "last_30_days": N_("Last 30 days"),
    "last_90_days": N_("Last 90 days"),
    "last_12_months": N_("Last 12 months"),
    "all": N_("All time"),
    "custom": N_("Custom range"),
}
INTERVALS: dict[str, str] = {"week": N_("Week"), "month": N_("Month"), "quarter": N_("Quarter"), "year": N_("Year")}
MAX_BUCKETS = 120
MAX_DAYS = 366 * 10


def today() -> date:
    """Today in the company's time zone."""
    return datetime.now(ZoneInfo(settings.timezone)).date()


def local_midnight(day: date) -> datetime:
    """The instant a local day starts, as an aware UTC datetime (for timestamp columns)."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.timezone)).astimezone(UTC)


@dataclass(frozen=True)
class Window:
    """``[start, end)`` as local dates; ``None`` on a side means unbounded."""

    start: date | None
    end: date | None

    @property
    def last_day(self) -> date | None:
        return self.end - timedelta(days=1) if self.end else None

    def where(self, column: Any, timestamp: bool) -> list[Any]:
        """Conditions keeping ``column`` (a date, or a timestamp when ``timestamp``) inside the window."""
        conv = local_midnight if timestamp else (lambda d: d)
        out = []
        if self.start is not None:
            out.append(column >= conv(self.start))
        if self.end is not None:
            out.append(column < conv(self.end))
        return out


def _month_start(d: date, back: int = 0) -> date:
    n = d.year * 12 + d.month - 1 - back
    return date(n // 12, n % 12 + 1, 1)


def _quarter_start(d: date, back: int = 0) -> date:
    return _month_start(date(d.year, (d.month - 1) // 3 * 3 + 1, 1), back * 3)


def resolve(period: str, date_from: date | None, date_to: date | None, now: date | None = None) -> Window:
    """The window of a named period (relative to today) or of a custom range (``date_to`` inclusive)."""
    d = now or today()
    if period == "custom":
        if date_from is None or date_to is None:
            raise Invalid(_("A custom period needs a start and an end date."))
        if date_from > date_to:
            raise Invalid(_("The period ends before it starts."))
        if (date_to - date_from).days > MAX_DAYS:
            raise Invalid(_("A period can span at most ten years."))
        return Window(date_from, date_to + timedelta(days=1))
    table = {
        "this_month": (_month_start(d), _month_start(d, -1)),
        "last_month": (_month_start(d, 1), _month_start(d)),
        "this_quarter": (_quarter_start(d), _quarter_start(d, -1)),
        "last_quarter": (_quarter_start(d, 1), _quarter_start(d)),
        "this_year": (date(d.year, 1, 1), date(d.year + 1, 1, 1)),
        "last_year": (date(d.year - 1, 1, 1), date(d.year, 1, 1)),
        "last_30_days": (d - timedelta(days=29), d + timedelta(days=1)),
        "last_90_days": (d - timedelta(days=89), d + timedelta(days=1)),
        "last_12_months": (_month_start(d, 11), _month_start(d, -1)),
        "all": (None, None),
    }
    start, end = table[period]
    return Window(start, end)


@dataclass(frozen=True)
class Bucket:
    start: date
    end: date
    label: str


def _next(d: date, interval: str) -> date:
    if interval == "week":
        return d + timedelta(days=7 - d.weekday())
    if interval == "month":
        return _month_start(d, -1)
    if interval == "quarter":
        return _quarter_start(d, -1)
    return date(d.year + 1, 1, 1)


def _label(d: date, interval: str) -> str:
    if interval == "week":
        return d.isoformat()
    if interval == "month":
        return f"{d.year}-{d.month:02d}"
    if interval == "quarter":
        return f"{d.year} Q{(d.month - 1) // 3 + 1}"
    return str(d.year)


def buckets(window: Window, interval: str) -> list[Bucket]:
    """Consecutive buckets covering the window (the first and last clipped to it); 422 when too many."""
    if window.start is None or window.end is None:
        raise Invalid(_("Choose a period with a start and an end for a trend."))
    out: list[Bucket] = []
    start = window.start
    while start < window.end:
        end = min(_next(start, interval), window.end)
        out.append(Bucket(start, end, _label(start, interval)))
        if len(out) > MAX_BUCKETS:
            raise Invalid(_("Too many points for this period: choose a longer interval."))
        start = end
    return out


def bucket_index(column: Any, items: list[Bucket], timestamp: bool) -> Any:
    """A SQL expression giving the index of the bucket ``column`` falls in (NULL outside every bucket)."""
    conv = local_midnight if timestamp else (lambda d: d)
    return case(*[(column < conv(b.end), i) for i, b in enumerate(items)], else_=None)


def year_window(year: int) -> Window:
    return Window(date(year, 1, 1), date(year + 1, 1, 1))
