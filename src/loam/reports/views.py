"""Report pages (one route per report, with its xlsx export) and the sales-target grid editor."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from loam.auth.deps import CurrentScope
from loam.authz.scope import Scope
from loam.kit.choices import translated
from loam.kit.http import DbSession, TxRoute
from loam.kit.i18n import gettext as _
from loam.org import service as org_service
from loam.reports import periods, service, targets_service
from loam.reports.api import XLSX
from loam.reports.schemas import BY, METRICS, ReportFilters, TargetGrid
from loam.web.forms import FormData, list_filters, raise_invalid, record_id, submit
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/reports", include_in_schema=False)
_filters = list_filters(ReportFilters)


def choices() -> dict[str, Any]:
    return {
        "periods": translated(periods.PERIODS),
        "intervals": translated(periods.INTERVALS),
        "dimensions": translated(BY),
        "metrics": translated(METRICS),
        "years": list(range(periods.today().year + 1, periods.today().year - 5, -1)),
    }


@router.get("", name="reports:index")
def index(request: Request, scope: CurrentScope) -> Response:
    return render(request, "reports/index.html", {"reports": service.catalogue(scope)})


def _page(name: str) -> Callable[..., Response]:
    def page(
        request: Request,
        session: DbSession,
        scope: CurrentScope,
        filters: Annotated[ReportFilters, Depends(_filters)],
    ) -> Response:
        report = service.run(session, scope, name, filters)
        d = service.definition(scope, name)
        ctx = {"report": report, "d": d, "f": filters, "query": request.url.query}
        ctx |= service.form_options(session, scope, d) | choices()
        return render(request, "reports/report.html", ctx)

    return page


def _export(name: str) -> Callable[..., Response]:
    def export(
        session: DbSession, scope: CurrentScope, filters: Annotated[ReportFilters, Depends(_filters)]
    ) -> Response:
        filename, content = service.export(session, scope, name, filters)
        return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    return export


@router.get("/targets", name="reports:targets")
def targets(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    year: Annotated[int | None, Query(ge=2000, le=2999)] = None,
    metric: Annotated[Literal["contract_amount", "receipts"] | None, Query()] = None,
    department_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    saved: Annotated[int | None, Query(ge=0, le=10_000)] = None,
) -> Response:
    return _grid_page(request, session, scope, {"year": year, "metric": metric}, department_id, {}, 200, saved=saved)


def _grid_page(
    request: Request,
    session: Any,
    scope: Scope,
    values: dict[str, Any],
    department_id: int | None,
    errors: dict[str, str],
    status: int,
    form: dict[str, Any] | None = None,
    saved: int | None = None,
) -> Response:
    year = _int(values.get("year")) or periods.today().year
    metric = values.get("metric") if values.get("metric") in METRICS else "contract_amount"
    department_id = department_id or scope.department_id or _first_department(session)
    lines = targets_service.grid(session, scope, year, metric, department_id)  # type: ignore[arg-type]
    rows = [_grid_row(i, line, form) for i, line in enumerate(lines)]
    currency = (form or {}).get("currency") or next((line.target.currency for line in lines if line.target), "CNY")
    ctx = {"year": year, "metric": metric, "department_id": department_id, "rows": rows, "currency": currency}
    ctx |= {"departments": [(d.id, "\u3000" * depth + d.name) for d, depth in org_service.department_tree(session)]}
    return render(
        request,
        "reports/targets.html",
        ctx | choices() | {"errors": errors, "saved": saved, "cell_errors": any(k.startswith("rows.") for k in errors)},
        status_code=status,
    )


def _int(value: Any) -> int | None:
    return record_id(value)


def _first_department(session: Any) -> int | None:
    tree = org_service.department_tree(session)
    return tree[0][0].id if tree else None


def _grid_row(i: int, line: Any, form: dict[str, Any] | None) -> dict[str, Any]:
    months = list(line.target.months) if line.target else [Decimal("0.00")] * 12
    if form is not None:
        months = [form.get(f"rows-{i}-m{m}") or "" for m in range(1, 13)]
    numbers = [_decimal(v) for v in months]
    quarters = [sum(numbers[q * 3 : q * 3 + 3], Decimal("0.00")) for q in range(4)]
    version = line.target.version if line.target else None
    return {"i": i, "kind": line.kind, "id": line.id, "name": line.name, "version": version, "months": months} | {
        "quarters": quarters,
        "total": sum(quarters, Decimal("0.00")),
    }


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal("0.00")
    except InvalidOperation:
        return Decimal("0.00")


def grid_payload(form: dict[str, Any]) -> dict[str, Any]:
    """The grid form as the TargetGrid schema's input: ``rows-N-...`` fields, blank cells are 0."""
    rows = []
    i = 0
    while f"rows-{i}-kind" in form:
        subject = "user_id" if form.get(f"rows-{i}-kind") == "user" else "department_id"
        rows.append(
            {
                subject: form.get(f"rows-{i}-id"),
                "version": form.get(f"rows-{i}-version"),
                "months": [form.get(f"rows-{i}-m{m}") or "0" for m in range(1, 13)],
            }
        )
        i += 1
    return {
        "year": form.get("year"),
        "metric": form.get("metric"),
        "currency": form.get("currency") or "CNY",
        "rows": rows,
    }


@router.post("/targets", name="reports:save_targets")
def save_targets(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    payload = grid_payload(form)
    department_id = record_id(form.get("department_id"))
    if department_id is None:
        raise_invalid({"department_id": _("Choose a department.")})
    written, failed = submit(
        session,
        payload,
        TargetGrid,
        lambda data: targets_service.save_grid(session, scope, department_id, data),  # type: ignore[arg-type]
        lambda errors, status: _grid_page(request, session, scope, payload, department_id, errors, status, form),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    url = request.url_for("reports:targets").include_query_params(
        year=payload["year"], metric=payload["metric"], department_id=department_id, saved=written
    )
    return redirect(request, str(url))


# One page and one export per report, named reports:<name> and reports:<name>_xlsx.
for _name in service.DEFINITIONS:
    router.add_api_route(f"/{_name}.xlsx", _export(_name), methods=["GET"], name=f"reports:{_name}_xlsx")
    router.add_api_route(f"/{_name}", _page(_name), methods=["GET"], name=f"reports:{_name}")
