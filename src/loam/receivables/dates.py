"""Pure date and money arithmetic of receivable plans: today in company time, recurring schedules, even splits."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from loam.config import settings

CENT = Decimal("0.01")
STEP_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def today() -> date:
    """Today's date in the company's time zone (a plan due "today" is not overdue until tomorrow)."""
    return datetime.now(ZoneInfo(settings.timezone)).date()


def add_months(start: date, months: int) -> date:
    """``start`` moved by ``months`` calendar months, keeping its day where the month has it and otherwise
    taking the month's last day: Jan 31 + 1 → Feb 28 (Feb 29 in leap years), Jan 31 + 2 → Mar 31."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def schedule(first: date, frequency: str, count: int) -> list[date]:
    """The due dates of a recurring plan: ``count`` periods from ``first``, each counted from the first date
    (never from the previous, clamped one), so a Jan 31 monthly plan stays on month ends."""
    step = STEP_MONTHS[frequency]
    return [add_months(first, step * k) for k in range(count)]


def split_evenly(total: Decimal, count: int) -> list[Decimal]:
    """``total`` in ``count`` equal parts rounded down to the cent; the last part takes the remaining cents,
    so the parts always add up to ``total`` exactly (100.00 / 3 → 33.33, 33.33, 33.34)."""
    each = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    return [each] * (count - 1) + [total - each * (count - 1)]
