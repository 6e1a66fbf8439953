"""Reports (商业智能): the catalogue, running a report in the caller's scope, and exporting it.

Every report needs ``reports.view``; its numbers come only from records the caller may see in the domain's
own list (R13) — see :mod:`loam.reports.repository` for how the aggregate queries apply the data scope.
Sales targets live in :mod:`loam.reports.targets_service`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.errors import Invalid, NotFound
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _
from loam.reports import periods
from loam.reports.builders.common import installed
from loam.reports.repository import Criteria
from loam.reports.schemas import Report, ReportFilters

ALWAYS = frozenset({"period", "date_from", "date_to", "currency"})
OPPORTUNITY_FILTERS = ("period", "department", "user", "pipeline", "category")


@dataclass(frozen=True)
class Definition:
    """One report: where its builder lives, what it needs installed and seen, and which filters it takes."""

    name: str
    title: str  # msgid
    description: str  # msgid
    domain: str  # the domain that must be installed
    permission: str  # the view permission of the records it counts
    default_period: str
    filters: tuple[str, ...]
    builder: str  # "module:function" under loam.reports.builders

    def build(self) -> Callable[..., Any]:
        module, func = self.builder.split(":")
        return getattr(importlib.import_module(f"loam.reports.builders.{module}"), func)  # type: ignore[no-any-return]


DEFINITIONS: dict[str, Definition] = {
    d.name: d
    for d in (
        Definition(
            "funnel",
            N_("Sales funnel"),
            N_("Open opportunities per stage of a pipeline: count, amount and amount weighted by probability."),
            "opportunities",
            "opportunities.view",
            "all",
            OPPORTUNITY_FILTERS,
            "opportunities:funnel_report",
        ),
        Definition(
            "winrate",
            N_("Win rate and lost reasons"),
            N_("Won ÷ (won + lost) per month and per user, and why opportunities were lost."),
            "opportunities",
            "opportunities.view",
            "this_year",
            OPPORTUNITY_FILTERS,
            "opportunities:winrate_report",
        ),
        Definition(
            "conversion",
            N_("Stage conversion and time in stage"),
            N_("Share of opportunities that went on from each stage, and the days they spent in it."),
            "opportunities",
            "opportunities.view",
            "this_year",
            OPPORTUNITY_FILTERS,
            "opportunities:conversion_report",
        ),
        Definition(
            "trend",
            N_("New opportunities trend"),
            N_("Opportunities created per week or month, with their amount."),
            "opportunities",
            "opportunities.view",
            "this_year",
            (*OPPORTUNITY_FILTERS, "interval"),
            "opportunities:trend_report",
        ),
        Definition(
            "contracts",
            N_("Contract amount"),
            N_("Approved contracts by signing month, department, user or product."),
            "contracts",
            "contracts.view",
            "this_year",
            ("period", "department", "user", "category", "by"),
            "contracts:amount_report",
        ),
        Definition(
            "receivables",
            N_("Receivables"),
            N_("Planned against received per month, overdue plans and their ageing."),
            "receivables",
            "receivables.view",
            "this_year",
            ("period", "department", "user"),
            "receivables:overview_report",
        ),
        Definition(
            "attainment",
            N_("Targets vs actual"),
            N_("Sales targets against contract amount or receipts, per month, quarter or year."),
            "contracts",
            "contracts.view",
            "this_year",
            ("year", "metric", "interval", "department", "user"),
            "targets:versus_report",
        ),
        Definition(
            "leaderboard",
            N_("Leaderboards"),
            N_("Top ten users by contract amount, receipts, new customers and follow-ups."),
            "customers",
            "customers.view",
            "this_month",
            ("period", "department"),
            "leaderboards:build",
        ),
    )
}


def catalogue(scope: Scope) -> list[Definition]:
    """The reports this installation has and the caller may open; 403 without ``reports.view``."""
    authz_service.require(scope, Permission.reports_view)
    return [d for d in DEFINITIONS.values() if installed(d.domain) and scope.can(d.permission)]


def definition(scope: Scope, name: str) -> Definition:
    """One report's definition: 403 without ``reports.view``, 404 when unknown or not installed."""
    authz_service.require(scope, Permission.reports_view)
    found = DEFINITIONS.get(name)
    if found is None or not installed(found.domain):
        raise NotFound(_("Report not found."))
    return found


def _check_filters(d: Definition, f: ReportFilters) -> None:
    names = {"department_id": "department", "user_id": "user", "pipeline_id": "pipeline", "category_id": "category"}
    for key in f.model_fields_set - ALWAYS:
        if getattr(f, key) is not None and names.get(key, key) not in d.filters:
            raise Invalid(_("This report does not take the filter %(name)s.", name=key))


def criteria(session: Session, d: Definition, f: ReportFilters) -> Criteria:
    """Resolve the filters: the window, departments and categories with everything below them; 422 on
    an unknown department, user or category."""
    _check_filters(d, f)
    window = periods.year_window(f.year or periods.today().year) if "year" in d.filters else None
    if window is None:
        window = periods.resolve(f.period or d.default_period, f.date_from, f.date_to)
    return Criteria(
        window=window,
        currency=f.currency,
        department_ids=_departments(session, f.department_id),
        user_id=_user(session, f.user_id),
        pipeline_id=f.pipeline_id,
        category_ids=_categories(session, f.category_id),
    )


def _departments(session: Session, department_id: int | None) -> tuple[int, ...] | None:
    if department_id is None:
        return None
    from loam.org import service as org_service

    departments = org_service.list_departments(session)
    root = next((d for d in departments if d.id == department_id), None)
    if root is None:
        raise Invalid(_("Department not found."))
    return tuple(d.id for d in departments if d.path.startswith(root.path))


def _user(session: Session, user_id: int | None) -> int | None:
    from loam.org import service as org_service

    if user_id is not None and user_id not in org_service.names_by_id(session, {user_id}):
        raise Invalid(_("User not found."))
    return user_id


def _categories(session: Session, category_id: int | None) -> tuple[int, ...] | None:
    if category_id is None:
        return None
    from loam.products import categories as category_service

    rows = category_service.list_categories(session, Scope.system())
    children: dict[int | None, list[int]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row.id)
    if category_id not in {row.id for row in rows}:
        raise Invalid(_("Category not found."))
    out, todo = [], [category_id]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return tuple(out)


def run(session: Session, scope: Scope, name: str, filters: ReportFilters) -> Report:
    """Compute report ``name`` over the records the caller may see, with the filters applied; 403 without
    ``reports.view``, 404 for an unknown report, 422 for filters that do not fit it."""
    from loam.reports import repository as repo

    d = definition(scope, name)
    c = criteria(session, d, filters)
    repo.tune_for_reports(session)
    tables, charts = d.build()(session, scope, filters, c)
    end = c.window.end - timedelta(days=1) if c.window.end else None
    return Report(d.name, _(d.title), c.window.start, end, c.currency, tables, charts)


def export(session: Session, scope: Scope, name: str, filters: ReportFilters) -> tuple[str, bytes]:
    """The report as an xlsx workbook (one sheet per table): (file name, bytes). Same checks as :func:`run`."""
    from loam.reports import export as xlsx

    report = run(session, scope, name, filters)
    return xlsx.filename(report), xlsx.workbook(report)


def form_options(session: Session, scope: Scope, d: Definition) -> dict[str, Any]:
    """What the filter form of report ``d`` offers: departments (indented), users, pipelines, categories."""
    from loam.org import service as org_service

    out: dict[str, Any] = {
        "departments": [
            (dept.id, "\u3000" * depth + dept.name) for dept, depth in org_service.department_tree(session)
        ],
        "users": [(u.id, u.display_name) for u in org_service.active_users(session)],
        "pipelines": [],
        "categories": [],
    }
    if "pipeline" in d.filters and installed("opportunities"):
        from loam.kit.i18n import pick
        from loam.opportunities import pipelines as pipeline_service

        out["pipelines"] = [(p.id, pick(p.name_zh, p.name_en)) for p in pipeline_service.list_pipelines(session)]
    if "category" in d.filters and installed("products") and scope.can(Permission.products_view):
        from loam.products import categories as category_service

        out["categories"] = [(n.category.id, n.path) for n in category_service.tree(session, scope)]
    return out


@dataclass(frozen=True)
class PipelineStageLine:
    pipeline: str
    stage: str
    currency: str
    count: int
    amount: Any


def my_pipeline(session: Session, scope: Scope) -> list[PipelineStageLine]:
    """The dashboard's "my pipeline": the caller's own open opportunities per pipeline and stage (in stage
    order), count and amount per currency. Empty without ``opportunities.view`` or the opportunities domain."""
    if scope.user_id is None or not installed("opportunities") or not scope.can(Permission.opportunities_view):
        return []
    from loam.kit.i18n import pick
    from loam.opportunities import pipelines as pipeline_service
    from loam.reports import funnel
    from loam.reports.repository import money

    rows = funnel.mine_by_stage(session, scope)
    stages = pipeline_service.all_stages(session)
    pipelines = {p.id: p for p in pipeline_service.list_pipelines(session)}
    order = {p.id: i for i, p in enumerate(pipelines.values())}
    rows.sort(key=lambda r: (order.get(r[0], 0), stages[r[1]].position if r[1] in stages else 0, r[2]))
    out = []
    for pid, sid, currency, n, amount in rows:
        p, s = pipelines.get(pid), stages.get(sid)
        out.append(
            PipelineStageLine(
                pick(p.name_zh, p.name_en) if p else f"#{pid}",
                pick(s.name_zh, s.name_en) if s else f"#{sid}",
                currency,
                n,
                money(amount),
            )
        )
    return out
