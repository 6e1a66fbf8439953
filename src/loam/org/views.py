"""Organisation pages (org.manage): the department tree, users and roles with their permissions."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from loam.auth.deps import CurrentScope
from loam.authz.permissions import DATA_SCOPE_LABELS, MODULE_LABELS, PERMISSION_LABELS, Module, Permission
from loam.errors import LoamError
from loam.kit import audit
from loam.kit.choices import translated
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _
from loam.kit.schemas import MAX_ID
from loam.org import service
from loam.org.models import Department, Role, User
from loam.org.schemas import (
    DEPARTMENT_KIND_LABELS,
    DepartmentCreate,
    DepartmentUpdate,
    PasswordReset,
    RoleUpdate,
    RoleWrite,
    UserCreate,
    UserFilters,
    UserUpdate,
)
from loam.web.forms import FormData, errors_of, lax, parse, query_dict, raise_invalid
from loam.web.templating import redirect, render

M = TypeVar("M", bound=BaseModel)
router = APIRouter(route_class=TxRoute, prefix="/settings", include_in_schema=False)

PERMISSION_GROUPS = {
    "leads": MODULE_LABELS[Module.leads],
    "customers": MODULE_LABELS[Module.customers],
    "contacts": MODULE_LABELS[Module.contacts],
    "followups": MODULE_LABELS[Module.followups],
    "pools": N_("Public pools"),
    "org": N_("Organisation"),
    "customfields": N_("Custom fields"),
    "recycle": N_("Recycle bin"),
    "audit": N_("Audit history"),
}
PAGE_SIZE = 50


def _fail(session: Session, exc: LoamError) -> dict[str, str]:
    """A service refusal to show on the form: 403/404 propagate; anything written is rolled back."""
    if exc.status_code in (403, 404):
        raise exc
    session.rollback()
    return errors_of(exc) | {"__status__": str(exc.status_code)}


# --- departments -------------------------------------------------------------------------------


def _departments_page(
    request: Request,
    session: Session,
    values: dict[str, Any],
    errors: dict[str, str],
    editing: Department | None = None,
    status: int = 200,
) -> Response:
    tree = service.department_tree(session)
    blocked = {d.id for d, _depth in tree if editing and d.path.startswith(editing.path)}
    ctx = {
        "tree": tree,
        "editing": editing,
        "values": values,
        "errors": errors,
        "parents": [(d.id, "\u2003" * depth + d.name) for d, depth in tree if d.id not in blocked],
        "kinds": translated(DEPARTMENT_KIND_LABELS),
        "KINDS": DEPARTMENT_KIND_LABELS,
        "users": service.active_users(session),
        "names": service.names_by_id(session),
        "counts": service.user_counts_by_department(session),
    }
    return render(request, "org/departments.html", ctx, status_code=status)


@router.get("/departments", name="org:departments")
def departments(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    edit: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    service.require_manage(scope)
    dept = service.get_department(session, edit) if edit else None
    values = {c: getattr(dept, c) for c in DepartmentUpdate.model_fields} if dept else {"kind": "team"}
    return _departments_page(request, session, values, {}, dept)


@router.post("/departments", name="org:department_create")
def department_create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    service.require_manage(scope)
    data, errors = parse(lax(DepartmentCreate), _given(form))
    if data is not None:
        try:
            service.add_department(session, scope, data)
            return redirect(request, str(request.url_for("org:departments")))
        except LoamError as exc:
            errors = _fail(session, exc)
    return _departments_page(request, session, form, errors, status=_status(errors))


@router.post("/departments/{department_id}", name="org:department_update")
def department_update(
    request: Request, session: DbSession, scope: CurrentScope, department_id: PathId, form: FormData
) -> Response:
    service.require_manage(scope)
    dept = service.get_department(session, department_id)
    data, errors = parse(lax(DepartmentUpdate), _given(form))
    if data is not None:
        try:
            service.update_department(session, scope, department_id, data)
            return redirect(request, str(request.url_for("org:departments")))
        except LoamError as exc:
            errors = _fail(session, exc)
    return _departments_page(request, session, form, errors, dept, status=_status(errors))


@router.post("/departments/{department_id}/delete", name="org:department_delete")
def department_delete(request: Request, session: DbSession, scope: CurrentScope, department_id: PathId) -> Response:
    service.delete_department(session, scope, department_id)
    return redirect(request, str(request.url_for("org:departments")))


def _given(form: dict[str, Any]) -> dict[str, Any]:
    """The form without its empty inputs, so the schema's defaults apply (empty = "no value")."""
    return {k: v for k, v in form.items() if v is not None}


def _status(errors: dict[str, str]) -> int:
    return int(errors.pop("__status__", 422))


# --- users -------------------------------------------------------------------------------------


def _user_form(
    request: Request,
    session: Session,
    values: dict[str, Any],
    errors: dict[str, str],
    user: User | None = None,
    status: int = 200,
) -> Response:
    ctx: dict[str, Any] = {
        "values": values,
        "errors": errors,
        "user": user,
        "departments": [(d.id, "\u2003" * depth + d.name) for d, depth in service.department_tree(session)],
        "managers": [(u.id, u.display_name) for u in service.active_users(session) if not user or u.id != user.id],
        "roles": service.list_roles(session),
        "locales": [("zh_CN", "中文"), ("en", "English")],
    }
    if user is not None:
        ctx["history"] = audit.history(session, service.USER, user.id)
        ctx["names"] = service.names_by_id(session, {h.user_id for h in ctx["history"]})
    return render(request, "org/user_form.html", ctx, status_code=status)


def _user_filters(request: Request) -> UserFilters:
    """The filter form; blank options mean "any"; bad values are a 422 page."""
    values = {k: v for k, v in query_dict(request).items() if k != "page"}
    data, errors = parse(UserFilters, values)
    if data is None:
        raise_invalid(errors)
    assert data is not None
    return data


@router.get("/users", name="org:users")
def users(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    filters: Annotated[UserFilters, Depends(_user_filters)],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    service.require_manage(scope)
    items, total = service.list_users(session, filters, page, PAGE_SIZE)
    ctx = {
        "items": items,
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "filters": filters,
        "departments": service.department_tree(session),
        "dept_names": {d.id: d.name for d in service.list_departments(session)},
        "names": service.names_by_id(session, {u.manager_id for u in items}),
        "role_ids": service.role_ids_by_user(session, [u.id for u in items]),
        "role_names": {r.id: r for r in service.list_roles(session)},
    }
    return render(request, "org/users.html", ctx)


@router.get("/users/new", name="org:user_new")
def user_new(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    service.require_manage(scope)
    return _user_form(request, session, {"role_ids": []}, {})


@router.post("/users", name="org:user_create")
def user_create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    service.require_manage(scope)
    form.setdefault("role_ids", [])
    data, errors = parse(lax(UserCreate), form)
    if data is not None:
        try:
            user = service.add_user(session, scope, data)
            return redirect(request, str(request.url_for("org:user_edit", user_id=user.id)))
        except LoamError as exc:
            errors = _fail(session, exc)
    form.pop("password", None)
    return _user_form(request, session, form, errors, status=_status(errors))


@router.get("/users/{user_id}/edit", name="org:user_edit")
def user_edit(request: Request, session: DbSession, scope: CurrentScope, user_id: PathId) -> Response:
    service.require_manage(scope)
    user = service.get_user(session, user_id)
    values = {k: getattr(user, k) for k in UserUpdate.model_fields if k != "role_ids"}
    values["role_ids"] = service.role_ids_by_user(session, [user.id])[user.id]
    return _user_form(request, session, values, {}, user)


@router.post("/users/{user_id}/edit", name="org:user_update")
def user_update(request: Request, session: DbSession, scope: CurrentScope, user_id: PathId, form: FormData) -> Response:
    service.require_manage(scope)
    user = service.get_user(session, user_id)
    form.setdefault("role_ids", [])
    data, errors = parse(lax(UserUpdate), form)
    if data is not None:
        try:
            service.update_user(session, scope, user_id, data)
            return redirect(request, str(request.url_for("org:users")))
        except LoamError as exc:
            errors = _fail(session, exc)
    return _user_form(request, session, form, errors, user, status=_status(errors))


@router.post("/users/{user_id}/deactivate", name="org:user_deactivate")
def user_deactivate(request: Request, session: DbSession, scope: CurrentScope, user_id: PathId) -> Response:
    service.deactivate_user(session, scope, user_id)
    return redirect(request, str(request.url_for("org:user_edit", user_id=user_id)))


@router.post("/users/{user_id}/activate", name="org:user_activate")
def user_activate(request: Request, session: DbSession, scope: CurrentScope, user_id: PathId) -> Response:
    service.activate_user(session, scope, user_id)
    return redirect(request, str(request.url_for("org:user_edit", user_id=user_id)))


@router.post("/users/{user_id}/password", name="org:user_password")
def user_password(
    request: Request, session: DbSession, scope: CurrentScope, user_id: PathId, form: FormData
) -> Response:
    service.require_manage(scope)
    user = service.get_user(session, user_id)
    data, errors = parse(lax(PasswordReset), form)
    if data is not None:
        service.reset_password(session, scope, user_id, data.password)
        return redirect(request, str(request.url_for("org:user_edit", user_id=user_id)) + "?password=reset")
    values = {k: getattr(user, k) for k in UserUpdate.model_fields if k != "role_ids"}
    values["role_ids"] = service.role_ids_by_user(session, [user.id])[user.id]
    return _user_form(request, session, values, {f"pw.{k}": v for k, v in errors.items()}, user, status=422)


# --- roles -------------------------------------------------------------------------------------


def _role_values(form: dict[str, Any]) -> dict[str, Any]:
    """The role form: ``permissions[]`` checkboxes and one ``scope_<module>`` select per module."""
    values = {k: v for k, v in form.items() if not k.startswith("scope_")}
    values.setdefault("permissions", [])
    values["data_scopes"] = {k[6:]: v for k, v in form.items() if k.startswith("scope_") and v not in (None, "")}
    return values


def _role_form(
    request: Request,
    session: Session,
    values: dict[str, Any],
    errors: dict[str, str],
    role: Role | None = None,
    status: int = 200,
) -> Response:
    groups: dict[str, list[tuple[str, str]]] = {}
    for perm in Permission:
        groups.setdefault(perm.value.split(".")[0], []).append((perm.value, _(PERMISSION_LABELS[perm])))
    for key in [k for k in errors if k.startswith("permissions.")]:
        errors.setdefault("permissions", errors.pop(key))
    ctx = {
        "values": values,
        "errors": errors,
        "role": role,
        "groups": [(key, _(PERMISSION_GROUPS.get(key, key)), perms) for key, perms in groups.items()],
        "modules": {m.value for m in Module},
        "levels": [(int(k), _(v)) for k, v in DATA_SCOPE_LABELS.items()],
    }
    return render(request, "org/role_form.html", ctx, status_code=status)


@router.get("/roles", name="org:roles")
def roles(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    service.require_manage(scope)
    items = service.list_roles(session)
    ctx = {"items": items, "counts": service.user_counts_by_role(session)}
    return render(request, "org/roles.html", ctx)


@router.get("/roles/new", name="org:role_new")
def role_new(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    service.require_manage(scope)
    return _role_form(request, session, {"permissions": [], "data_scopes": {m.value: 1 for m in Module}}, {})


@router.post("/roles", name="org:role_create")
def role_create(request: Request, session: DbSession, scope: CurrentScope, form: FormData) -> Response:
    service.require_manage(scope)
    values = _role_values(form)
    data, errors = parse(lax(RoleWrite), values)
    if data is not None:
        try:
            service.add_role(session, scope, data)
            return redirect(request, str(request.url_for("org:roles")))
        except LoamError as exc:
            errors = _fail(session, exc)
    return _role_form(request, session, values, errors, status=_status(errors))


@router.get("/roles/{role_id}/edit", name="org:role_edit")
def role_edit(request: Request, session: DbSession, scope: CurrentScope, role_id: PathId) -> Response:
    service.require_manage(scope)
    role = service.get_role(session, role_id)
    perms, scopes = service.grants_by_role(session, [role.id])[role.id]
    values = {k: getattr(role, k) for k in ("name_zh", "name_en", "description", "version")}
    return _role_form(request, session, values | {"permissions": sorted(perms), "data_scopes": scopes}, {}, role)


@router.post("/roles/{role_id}/edit", name="org:role_update")
def role_update(request: Request, session: DbSession, scope: CurrentScope, role_id: PathId, form: FormData) -> Response:
    service.require_manage(scope)
    role = service.get_role(session, role_id)
    values = _role_values(form)
    data, errors = parse(lax(RoleUpdate), values)
    if data is not None:
        try:
            service.update_role(session, scope, role_id, data)
            return redirect(request, str(request.url_for("org:roles")))
        except LoamError as exc:
            errors = _fail(session, exc)
    return _role_form(request, session, values, errors, role, status=_status(errors))


@router.post("/roles/{role_id}/delete", name="org:role_delete")
def role_delete(request: Request, session: DbSession, scope: CurrentScope, role_id: PathId) -> Response:
    service.delete_role(session, scope, role_id)
    return redirect(request, str(request.url_for("org:roles")))
