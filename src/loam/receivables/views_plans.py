"""Plan pages: the plan form (one period, a batch, or a recurring series), period detail, edit, delete."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from loam.auth.deps import CurrentScope
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.errors import LoamError
from loam.kit import audit, customfields
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.schemas import MAX_ID
from loam.org import service as org_service
from loam.receivables import common, dates, plans
from loam.receivables.forms import batch_data, batch_rows, flat_errors, options, safe_next
from loam.receivables.schemas import PlanBatch, PlanCreate, PlanRecurring, PlanUpdate
from loam.web.forms import FormData, errors_of, parse, submit
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/receivables/plans", include_in_schema=False)
Mode = Literal["single", "batch", "recurring"]
FORM_SCHEMAS: dict[str, Any] = {"single": PlanCreate, "batch": PlanBatch, "recurring": PlanRecurring}


def _form(
    request: Request,
    session: Any,
    scope: Scope,
    mode: str,
    values: dict[str, Any],
    errors: dict[str, str],
    plan: Any = None,
    status: int = 200,
) -> Response:
    ctx = {
        "mode": mode,
        "values": values,
        "errors": flat_errors(errors),
        "plan": plan,
        "contracts": [] if plan else common.contract_choices(session, scope),
        "rows": batch_rows(values),
        "next": safe_next(values.get("next")),
        "fields": customfields.definitions(session, plans.ENTITY),
        "users": org_service.active_users(session),
    }
    return render(request, "receivables/plan_form.html", ctx | options(), status_code=status)


@router.get("/new", name="receivables:plan_new")
def new(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    contract_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    mode: Mode = "single",
    next: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The plan form for one contract (``contract_id``) or with a contract picker."""
    if contract_id is not None:
        common.contract_for(session, scope, contract_id)
    return _form(request, session, scope, mode, {"contract_id": contract_id, "next": next}, {})


def _back(request: Request, nxt: Any, contract_id: Any) -> str:
    url = request.url_for("receivables:list")
    return safe_next(nxt) or str(url.include_query_params(contract_id=contract_id) if contract_id else url)


def _create(request: Request, session: Any, scope: Scope, form: dict[str, Any], mode: str) -> Response:
    """The body of the three create forms: parse into the mode's schema, create, redirect (PRG)."""
    nxt = form.pop("next", None)
    data = batch_data(form) if mode == "batch" else form
    actions: dict[str, Any] = {"single": plans.create, "batch": plans.create_batch, "recurring": plans.create_recurring}
    done, failed = submit(
        session,
        data,
        FORM_SCHEMAS[mode],
        lambda d: actions[mode](session, scope, d),
        lambda errors, status: _form(request, session, scope, mode, form | {"next": nxt}, errors, status=status),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    if mode == "single" and not safe_next(nxt):
        return redirect(request, str(request.url_for("receivables:plan", plan_id=done.id)))
    return redirect(request, _back(request, nxt, form.get("contract_id")))


@router.post("", name="receivables:plan_create")
def create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    return _create(request, session, scope, form, "single")


@router.post("/batch", name="receivables:plan_batch")
def create_batch(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    return _create(request, session, scope, form, "batch")


@router.post("/recurring", name="receivables:plan_recurring")
def create_recurring(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    return _create(request, session, scope, form, "recurring")


@router.post("/recurring/preview", name="receivables:plan_preview")
def preview(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    """HTMX fragment: the periods a recurring form would create (dates and amounts), or what is wrong."""
    form.pop("next", None)
    data, errors = parse(PlanRecurring, form | {"contract_id": form.get("contract_id") or 1})
    rows: list[dict[str, Any]] = []
    try:
        rows = plans.recurring_rows(data) if data is not None else []
    except LoamError as exc:
        errors = errors_of(exc)
    return render(request, "receivables/_preview.html", {"rows": rows, "errors": errors})


@router.get("/{plan_id:int}", name="receivables:plan")
def detail(request: Request, session: DbSession, scope: CurrentScope, plan_id: PathId) -> Response:
    plan = plans.get(session, scope, plan_id)
    history = plans.history(session, scope, plan_id) if scope.can(Permission.audit_view) else []
    fields = customfields.definitions(session, plans.ENTITY)
    users = {plan.owner_id, plan.created_by} | audit.user_ids_in(history) | common.custom_user_ids([plan], fields)
    ctx = {
        "p": plan,
        "contract": common.contract_labels(session, {plan.contract_id})[plan.contract_id],
        "payments": plans.payments(session, scope, plan_id),
        "history": history,
        "names": org_service.names_by_id(session, users),
        "fields": fields,
        "today": dates.today(),
        "can_edit": common.may_write(scope, plan.owner_id, Permission.receivables_update, plan.created_by),
        "can_delete": common.may_write(scope, plan.owner_id, Permission.receivables_delete),
    }
    return render(request, "receivables/plan.html", ctx | options())


@router.get("/{plan_id:int}/edit", name="receivables:plan_edit")
def edit(request: Request, session: DbSession, scope: CurrentScope, plan_id: PathId) -> Response:
    plan = plans.get(session, scope, plan_id)
    values = {k: getattr(plan, k) for k in PlanUpdate.model_fields}
    values["custom"] = dict(plan.custom or {})
    return _form(request, session, scope, "single", values, {}, plan)


@router.post("/{plan_id:int}/edit", name="receivables:plan_update")
def update(request: Request, session: DbSession, scope: CurrentScope, plan_id: PathId, form: FormData) -> Response:
    plan = plans.get(session, scope, plan_id)
    _done, failed = submit(
        session,
        form,
        PlanUpdate,
        lambda data: plans.update(session, scope, plan_id, data),
        lambda errors, status: _form(request, session, scope, "single", form, errors, plan, status=status),
    )
    if failed is not None:
        return failed  # type: ignore[no-any-return]
    return redirect(request, str(request.url_for("receivables:plan", plan_id=plan_id)))


@router.post("/{plan_id:int}/delete", name="receivables:plan_delete")
def delete(request: Request, session: DbSession, scope: CurrentScope, plan_id: PathId) -> Response:
    plan = plans.delete_(session, scope, plan_id)
    return redirect(request, _back(request, None, plan.contract_id))
