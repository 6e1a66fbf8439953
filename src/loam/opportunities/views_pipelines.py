"""Pipeline administration pages (``pipelines.manage``): pipelines, their stages, lost/invalid reasons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from loam.auth.deps import CurrentScope
from loam.authz import service as authz_service
from loam.authz.permissions import Permission
from loam.authz.scope import Scope
from loam.errors import LoamError
from loam.kit import customfields
from loam.kit.http import DbSession, PathId, TxRoute
from loam.opportunities import gate, pipelines, presenters, scoring
from loam.opportunities.pipeline_schemas import GateSettingsWrite, PipelineWrite, ReasonWrite, StageWrite
from loam.opportunities.schemas import ScoringSettings
from loam.org import service as org_service
from loam.web.forms import FormData, errors_of, lax, parse
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, prefix="/opportunities/pipelines", include_in_schema=False)


def _categories(session: Session, scope: Scope) -> list[Any]:
    from loam.products import service as product_service

    return product_service.tree(session, scope) if scope.can("products.view") else []


def _page(
    request: Request,
    session: Session,
    scope: Scope,
    pipeline_id: int | None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """The pipelines page (``pipeline_id`` None) or one pipeline's page, with an optional error to show."""
    authz_service.require(scope, Permission.pipelines_manage)
    ctx: dict[str, Any] = {
        "errors": errors or {},
        "values": values or {},
        "departments": org_service.department_tree(session),
        "categories": _categories(session, scope),
        "custom_fields": customfields.definitions(session, "opportunity"),
        "reasons": pipelines.reasons(session),
    }
    if pipeline_id is None:
        found = pipelines.list_pipelines(session)
        ctx["items"] = [(p, len(pipelines.stages_of(session, p.id, include_retired=False))) for p in found]
        template = "opportunities/pipelines.html"
    else:
        ctx["p"] = pipelines.get_pipeline(session, pipeline_id)
        ctx["stage_rows"] = pipelines.stages_of(session, pipeline_id)
        ctx["usage"] = pipelines.stage_usage(session, pipeline_id)
        template = "opportunities/pipeline.html"
    return render(request, template, ctx | presenters.options(), status_code=status)


def _do(
    request: Request,
    session: Session,
    scope: Scope,
    pipeline_id: int | None,
    schema: type[BaseModel] | None,
    form: dict[str, Any],
    action: Callable[[Any], Any],
) -> Response:
    data, errors = parse(lax(schema), form) if schema else (None, {})
    if not errors:
        try:
            action(data)
        except LoamError as exc:
            if exc.status_code in (403, 404):
                raise
            session.rollback()
            return _page(request, session, scope, pipeline_id, errors_of(exc), form, exc.status_code)
        if pipeline_id is None:
            return redirect(request, str(request.url_for("opportunities:pipelines")))
        return redirect(request, str(request.url_for("opportunities:pipeline", pipeline_id=pipeline_id)))
    errors.setdefault("__all__", "; ".join(f"{k}: {v}" for k, v in errors.items()))
    return _page(request, session, scope, pipeline_id, errors, form, 422)


def _stage_form(form: dict[str, Any]) -> dict[str, Any]:
    """The checklist arrives as one item per line."""
    out = dict(form)
    text = out.get("checklist")
    out["checklist"] = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    return out


def _pipeline_form(form: dict[str, Any]) -> dict[str, Any]:
    out = dict(form)
    out.setdefault("department_ids", [])
    out.setdefault("product_category_ids", [])
    return out


@router.get("", name="opportunities:pipelines")
def list_pipelines(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    return _page(request, session, scope, None)


@router.post("", name="opportunities:pipeline_create")
def create_pipeline(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    created: list[Any] = []
    response = _do(
        request, session, scope, None, PipelineWrite, _pipeline_form(form),
        lambda d: created.append(pipelines.create_pipeline(session, scope, d)),
    )  # fmt: skip
    if created:
        return redirect(request, str(request.url_for("opportunities:pipeline", pipeline_id=created[0].id)))
    return response


@router.post("/reasons", name="opportunities:reason_create")
def create_reason(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    return _do(request, session, scope, None, ReasonWrite, form, lambda d: pipelines.add_reason(session, scope, d))


@router.post("/reasons/{reason_id:int}", name="opportunities:reason_update")
def update_reason(
    request: Request, session: DbSession, scope: CurrentScope, reason_id: PathId, form: FormData
) -> Response:
    action = lambda d: pipelines.update_reason(session, scope, reason_id, d)  # noqa: E731
    return _do(request, session, scope, None, ReasonWrite, form, action)


def _scoring_page(
    request: Request,
    session: Session,
    scope: Scope,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """The probability model page (``pipelines.manage``): its settings, last training and "recompute now"."""
    authz_service.require(scope, Permission.pipelines_manage)
    model = scoring.settings(session)
    ctx = {
        "model": model,
        "errors": errors or {},
        "values": values or {"features": model.features, "min_closed": model.min_closed},
        "bands_text": (values or {}).get("amount_bands_text") or ", ".join(str(b) for b in scoring.bands_of(model)),
        "feature_options": [(k, scoring.feature_label(k)) for k in scoring.FEATURES],
    }
    return render(request, "opportunities/scoring.html", ctx, status_code=status)


def _scoring_form(form: dict[str, Any]) -> dict[str, Any]:
    """Feature checkboxes arrive as ``features[]``, the amount band limits as one text ("100000, 1000000")."""
    text = form.get("amount_bands_text") or ""
    bands = [part for part in text.replace("，", ",").replace(" ", ",").split(",") if part]
    return {
        "features": form.get("features") or [],
        "amount_bands": bands,
        "min_closed": form.get("min_closed"),
        "version": form.get("version"),
    }


@router.get("/scoring", name="opportunities:scoring")
def scoring_page(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    return _scoring_page(request, session, scope)


@router.post("/scoring", name="opportunities:scoring_update")
def update_scoring(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    authz_service.require(scope, Permission.pipelines_manage)
    data, errors = parse(lax(ScoringSettings), _scoring_form(form))
    status = 422
    if data is not None:
        try:
            scoring.update_settings(session, scope, data)
            return redirect(request, str(request.url_for("opportunities:scoring")))
        except LoamError as exc:
            if exc.status_code in (403, 404):
                raise
            session.rollback()
            errors, status = errors_of(exc), exc.status_code
    errors.setdefault("__all__", "; ".join(errors.values()))
    return _scoring_page(request, session, scope, errors, form, status)


@router.post("/scoring/run", name="opportunities:scoring_run")
def run_scoring(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    """Recompute now: train on the closed opportunities and score every open one."""
    scoring.run_now(session, scope)
    return redirect(request, str(request.url_for("opportunities:scoring")))


@router.post("/{pipeline_id:int}/gate", name="opportunities:pipeline_gate")
def update_gate(
    request: Request, session: DbSession, scope: CurrentScope, pipeline_id: PathId, form: FormData
) -> Response:
    """The pipeline's major-opportunity gate (立项): amount threshold and gate stage."""
    action = lambda d: gate.update_settings(session, scope, pipeline_id, d)  # noqa: E731
    return _do(request, session, scope, pipeline_id, GateSettingsWrite, form, action)


@router.get("/{pipeline_id:int}", name="opportunities:pipeline")
def pipeline_page(request: Request, session: DbSession, scope: CurrentScope, pipeline_id: PathId) -> Response:
    return _page(request, session, scope, pipeline_id)


@router.post("/{pipeline_id:int}", name="opportunities:pipeline_update")
def update_pipeline(
    request: Request, session: DbSession, scope: CurrentScope, pipeline_id: PathId, form: FormData
) -> Response:
    action = lambda d: pipelines.update_pipeline(session, scope, pipeline_id, d)  # noqa: E731
    return _do(request, session, scope, pipeline_id, PipelineWrite, _pipeline_form(form), action)


@router.post("/{pipeline_id:int}/delete", name="opportunities:pipeline_delete")
def delete_pipeline(request: Request, session: DbSession, scope: CurrentScope, pipeline_id: PathId) -> Response:
    action = lambda _d: pipelines.delete_pipeline(session, scope, pipeline_id)  # noqa: E731
    return _do(request, session, scope, None, None, {}, action)


@router.post("/{pipeline_id:int}/stages", name="opportunities:stage_create")
def add_stage(
    request: Request, session: DbSession, scope: CurrentScope, pipeline_id: PathId, form: FormData
) -> Response:
    action = lambda d: pipelines.add_stage(session, scope, pipeline_id, d)  # noqa: E731
    return _do(request, session, scope, pipeline_id, StageWrite, _stage_form(form), action)


@router.post("/{pipeline_id:int}/stages/{stage_id:int}", name="opportunities:stage_update")
def update_stage(
    request: Request, session: DbSession, scope: CurrentScope, pipeline_id: PathId, stage_id: PathId, form: FormData
) -> Response:
    def action(data: StageWrite) -> Any:
        return pipelines.update_stage(session, scope, pipelines.stage_in(session, pipeline_id, stage_id).id, data)

    return _do(request, session, scope, pipeline_id, StageWrite, _stage_form(form), action)


@router.post("/{pipeline_id:int}/stages/{stage_id:int}/{op}", name="opportunities:stage_action")
def stage_action(
    request: Request, session: DbSession, scope: CurrentScope, pipeline_id: PathId, stage_id: PathId, op: str
) -> Response:
    """``remove`` (delete when unused, else retire), ``restore``, ``up`` or ``down``."""

    def action(_data: Any) -> Any:
        sid = pipelines.stage_in(session, pipeline_id, stage_id).id
        if op == "remove":
            return pipelines.remove_stage(session, scope, sid)
        if op == "restore":
            return pipelines.restore_stage(session, scope, sid)
        if op in ("up", "down"):
            return pipelines.move_stage(session, scope, sid, -1 if op == "up" else 1)
        from loam.errors import NotFound
        from loam.kit.i18n import gettext as _

        raise NotFound(_("Page not found."))

    return _do(request, session, scope, pipeline_id, None, {}, action)
