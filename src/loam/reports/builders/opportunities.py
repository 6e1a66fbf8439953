"""Opportunity reports: sales funnel, win rate and lost reasons, stage conversion and time in stage, trend."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.errors import Invalid, NotFound
from loam.kit.i18n import N_, pick
from loam.kit.i18n import gettext as _
from loam.reports import charts, funnel, periods, winrate
from loam.reports.builders.common import cols, people, pluck, table, totals
from loam.reports.repository import Criteria, money, pct
from loam.reports.schemas import Chart, ReportFilters, TableOut

Built = tuple[list[TableOut], list[Chart]]
STATUS_LABELS = {"won": N_("Won"), "lost": N_("Lost"), "invalid": N_("Invalid")}
Counts = dict[tuple[Any, str], tuple[int, Any]]  # (key, status) -> (count, amount)
FUNNEL_COLS = (
    ("stage", N_("Stage"), "text"),
    ("probability", N_("Probability %"), "int"),
    ("count", N_("Opportunities"), "int"),
    ("amount", N_("Amount"), "money"),
    ("weighted", N_("Weighted amount"), "money"),
)
RATE_COLS = (
    ("won", N_("Won"), "int"),
    ("lost", N_("Lost"), "int"),
    ("rate", N_("Win rate %"), "percent"),
    ("won_amount", N_("Won amount"), "money"),
    ("lost_amount", N_("Lost amount"), "money"),
)
REASON_COLS = (
    ("status", N_("Status"), "text"),
    ("reason", N_("Reason"), "text"),
    ("count", N_("Opportunities"), "int"),
    ("amount", N_("Amount"), "money"),
    ("share", N_("Share %"), "percent"),
)
CONVERSION_COLS = (
    ("stage", N_("Stage"), "text"),
    ("reached", N_("Reached"), "int"),
    ("share", N_("Share of created %"), "percent"),
    ("next", N_("Went on"), "int"),
    ("conversion", N_("Conversion %"), "percent"),
)
TIME_COLS = (
    ("stage", N_("Stage"), "text"),
    ("moves", N_("Moves out"), "int"),
    ("average", N_("Average days"), "days"),
    ("median", N_("Median days"), "days"),
)
TREND_COLS = (
    ("period", N_("Period"), "text"),
    ("count", N_("New opportunities"), "int"),
    ("amount", N_("Amount"), "money"),
)


def _pipeline(session: Session, c: Criteria) -> Any:
    """The chosen pipeline (422 when unknown), else the company's default pipeline."""
    from loam.opportunities import pipelines as pipeline_service

    if c.pipeline_id is not None:
        try:
            return pipeline_service.get_pipeline(session, c.pipeline_id)
        except NotFound:
            raise Invalid(_("Pipeline not found.")) from None
    found = pipeline_service.list_pipelines(session)
    default = [p for p in found if p.is_default] or [p for p in found if p.active] or found
    if not default:
        raise Invalid(_("Pipeline not found."))
    return default[0]


def _open_stages(session: Session, pipeline_id: int, used: set[int]) -> list[Any]:
    """Open stages in order; retired ones only while opportunities still sit in them."""
    from loam.opportunities import pipelines as pipeline_service

    return [
        s
        for s in pipeline_service.stages_of(session, pipeline_id)
        if s.kind == "open" and (s.retired_at is None or s.id in used)
    ]


def _days(seconds: Any) -> Decimal | None:
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / 86400).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def funnel_report(session: Session, scope: Scope, f: ReportFilters, c: Criteria) -> Built:
    """Open opportunities per open stage of one pipeline: count, amount and weighted amount."""
    pipeline = _pipeline(session, c)
    found = funnel.stage_totals(session, scope, c, pipeline.id)
    rows: list[dict[str, Any]] = []
    for stage in _open_stages(session, pipeline.id, set(found)):
        n, amount, weighted = found.get(stage.id, (0, None, None))
        name = pick(stage.name_zh, stage.name_en)
        weighted_amount = money(Decimal(str(weighted or 0)) / 100)
        rows.append({"stage": name, "probability": stage.probability, "count": n, "amount": money(amount)})
        rows[-1]["weighted"] = weighted_amount
    title = _("Funnel of %(pipeline)s", pipeline=pick(pipeline.name_zh, pipeline.name_en))
    total = totals(rows, "stage", ("count", "amount", "weighted"))
    amounts = [(_("Amount"), pluck(rows, "amount")), (_("Weighted amount"), pluck(rows, "weighted"))]
    shown = [
        Chart(
            "funnel",
            _("Opportunities per stage"),
            charts.funnel(list(zip(pluck(rows, "stage"), pluck(rows, "count"), strict=True)), _("Opportunities")),
        ),
        Chart("amounts", _("Amount per stage"), charts.bars(pluck(rows, "stage"), amounts)),
    ]
    return [table("stages", title, cols(*FUNNEL_COLS), rows, total)], shown


def _rate_row(counts: Counts, key: Any) -> dict[str, Any]:
    won, won_amount = counts.get((key, "won"), (0, None))
    lost, lost_amount = counts.get((key, "lost"), (0, None))
    return {
        "won": won,
        "lost": lost,
        "rate": pct(won, won + lost),
        "won_amount": money(won_amount),
        "lost_amount": money(lost_amount),
    }


def winrate_report(session: Session, scope: Scope, f: ReportFilters, c: Criteria) -> Built:
    """Won ÷ (won + lost) per month and per owner, and the reasons of lost and invalid opportunities."""
    months = periods.buckets(c.window, "month")
    rows = winrate.closed(session, scope, c, months)
    by_month = _counts(rows, 0, ("won", "lost"))
    month_rows = [{"period": b.label} | _rate_row(by_month, i) for i, b in enumerate(months)]
    total = {"period": _("Total")} | _rate_row(_counts(rows, None, ("won", "lost")), None)
    by_owner = _counts(rows, 1, ("won", "lost"))
    who = people(session, {o for o, _s in by_owner if o is not None})
    owners = sorted({o for o, _s in by_owner}, key=lambda o: (-by_owner.get((o, "won"), (0, 0))[0], who.user(o)))
    user_rows = [
        {"user": who.user(o), "department": who.department_of(o) if o else ""} | _rate_row(by_owner, o) for o in owners
    ]
    reason_rows = _reason_rows(session, _counts(rows, 3, ("lost", "invalid")))
    user_cols = cols(("user", N_("User"), "text"), ("department", N_("Department"), "text"), *RATE_COLS)
    tables = [
        table("months", _("Win rate per month"), cols(("period", N_("Month"), "text"), *RATE_COLS), month_rows, total),
        table("users", _("Win rate per user"), user_cols, user_rows),
        table("reasons", _("Lost reasons"), cols(*REASON_COLS), reason_rows),
    ]
    return tables, _winrate_charts(month_rows, reason_rows)


def _winrate_charts(month_rows: list[dict[str, Any]], reason_rows: list[dict[str, Any]]) -> list[Chart]:
    bars = [(_("Won"), pluck(month_rows, "won")), (_("Lost"), pluck(month_rows, "lost"))]
    lost = _(STATUS_LABELS["lost"])
    reasons = [(r["reason"], r["count"]) for r in reason_rows if r["status"] == lost]
    return [
        Chart(
            "months",
            _("Won and lost per month"),
            charts.bars(pluck(month_rows, "period"), bars, line=(_("Win rate %"), pluck(month_rows, "rate"))),
        ),
        Chart("reasons", _("Lost reasons"), charts.pie(reasons, _("Lost"))),
    ]


def _counts(rows: winrate.Closed, position: int | None, statuses: tuple[str, ...]) -> Counts:
    """Sum the grouped rows by one of their keys (month, owner or reason; None: everything) and status."""
    out: dict[tuple[Any, str], tuple[int, Any]] = {}
    for row in rows:
        status, n, amount = row[2], row[4], row[5]
        if status not in statuses:
            continue
        key = (row[position] if position is not None else None, status)
        prev_n, prev_amount = out.get(key, (0, Decimal("0")))
        out[key] = (prev_n + n, Decimal(str(prev_amount)) + Decimal(str(amount or 0)))
    return out


def _reason_rows(session: Session, counts: Counts) -> list[dict[str, Any]]:
    from loam.opportunities import pipelines as pipeline_service

    names = {r.id: pick(r.name_zh, r.name_en) for r in pipeline_service.reasons(session)}
    per_status: dict[str, int] = {}
    for (_reason, status), (n, _amount) in counts.items():
        per_status[status] = per_status.get(status, 0) + n
    order = sorted(counts.items(), key=lambda kv: (kv[0][1] != "lost", -kv[1][0], str(names.get(kv[0][0], ""))))
    return [
        {
            "status": _(STATUS_LABELS[status]),
            "reason": names.get(reason, f"#{reason}") if reason is not None else _("(no reason given)"),
            "count": n,
            "amount": money(amount),
            "share": pct(n, per_status[status]),
        }
        for (reason, status), (n, amount) in order
    ]


def conversion_report(session: Session, scope: Scope, f: ReportFilters, c: Criteria) -> Built:
    """For the opportunities created in the period: how many reached each stage and went on to the next
    (won at the end); and, from the stage moves made in the period, the days spent in each stage."""
    pipeline = _pipeline(session, c)
    stages = _open_stages(session, pipeline.id, set())
    reached, won, size = funnel.reached(session, scope, c, pipeline.id, {s.id: s.position for s in stages})
    names = [pick(s.name_zh, s.name_en) for s in stages] + [_("Won")]
    counts = [*reached, won]
    conv_rows = []
    for i, (name, n) in enumerate(zip(names, counts, strict=True)):
        following = counts[i + 1] if i + 1 < len(counts) else None
        conv_rows.append({"stage": name, "reached": n, "share": pct(n, size), "next": following})
        conv_rows[-1]["conversion"] = pct(following, n) if following is not None else None
    timing = funnel.time_in_stage(session, scope, c, [s.id for s in stages])
    time_rows = []
    for stage, name in zip(stages, names, strict=False):
        n, avg, median = timing.get(stage.id, (0, None, None))
        time_rows.append({"stage": name, "moves": n, "average": _days(avg), "median": _days(median)})
    title = _("Stage conversion (%(n)s opportunities created in the period)", n=size)
    tables = [
        table("conversion", title, cols(*CONVERSION_COLS), conv_rows),
        table("time", _("Time in stage (moves out of a stage in the period)"), cols(*TIME_COLS), time_rows),
    ]
    days = [(_("Average days"), pluck(time_rows, "average")), (_("Median days"), pluck(time_rows, "median"))]
    return tables, [
        Chart(
            "conversion",
            _("Opportunities that reached each stage"),
            charts.funnel(list(zip(names, counts, strict=True)), _("Reached")),
        ),
        Chart("time", _("Days in stage"), charts.bars(names[:-1], days)),
    ]


def trend_report(session: Session, scope: Scope, f: ReportFilters, c: Criteria) -> Built:
    """Opportunities created per week, month, quarter or year: count and amount."""
    items = periods.buckets(c.window, f.interval or "month")
    found = funnel.created_per_bucket(session, scope, c, items)
    rows: list[dict[str, Any]] = []
    for i, b in enumerate(items):
        n, amount = found.get(i, (0, None))
        rows.append({"period": b.label, "count": n, "amount": money(amount)})
    total = totals(rows, "period", ("count", "amount"))
    series = [(_("New opportunities"), pluck(rows, "count"))]
    chart = charts.bars(pluck(rows, "period"), series, line=(_("Amount"), pluck(rows, "amount")), line_percent=False)
    title = _("New opportunities")
    return [table("trend", title, cols(*TREND_COLS), rows, total)], [Chart("trend", title, chart)]
