"""Login, logout, language switch and personal access tokens (pages)."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from loam.auth import service as auth_service
from loam.auth.deps import SESSION_COOKIE, CurrentScope
from loam.config import settings
from loam.errors import Forbidden, LoamError
from loam.kit.http import DbSession, PathId, TxRoute
from loam.kit.i18n import gettext as _
from loam.kit.i18n import normalise
from loam.org import service as org_service
from loam.web.templating import redirect, render

router = APIRouter(route_class=TxRoute, include_in_schema=False)
LOGIN_CSRF = "loam_login_csrf"


def _secure(request: Request) -> bool:
    """Cookies are Secure behind TLS: when configured, or when the request came over https
    (uvicorn honours X-Forwarded-Proto from the reverse proxy)."""
    return settings.secure_cookies or request.url.scheme == "https"


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/"
    return target


def _login_page(request: Request, next_: str, error: str | None = None, status: int = 200) -> Response:
    token = request.cookies.get(LOGIN_CSRF) or secrets.token_urlsafe(24)
    request.state.login_csrf = token
    response = render(request, "auth/login.html", {"next": next_, "error": error}, status_code=status)
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="lax", secure=_secure(request))
    return response


@router.get("/login", name="auth:login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, _safe_next(next))


@router.post("/login", name="auth:login_post")
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF, "")
    if not cookie or not secrets.compare_digest(cookie, csrf_token):
        return _login_page(request, _safe_next(next), _("Your form has expired. Try again."), 403)
    ip = request.client.host if request.client else None
    try:
        user = auth_service.authenticate(session, username, password, ip)
    except LoamError as exc:
        session.commit()  # keep the failed attempt for throttling
        return _login_page(request, _safe_next(next), exc.message, exc.status_code)
    raw = auth_service.start_session(session, user, ip, request.headers.get("user-agent"))
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=settings.session_days * 86400,
    )
    response.delete_cookie(LOGIN_CSRF)
    if user.locale:
        response.set_cookie("loam_locale", user.locale, samesite="lax", secure=_secure(request))
    return response


@router.post("/logout", name="auth:logout")
def logout(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    auth_service.end_session(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/locale", name="auth:locale")
def switch_locale(
    request: Request, session: DbSession, scope: CurrentScope, locale: Annotated[str, Form(max_length=10)]
) -> Response:
    """Switch the interface language; remembered on the user."""
    code = normalise(locale)
    user = org_service.get_user(session, scope.user_id or 0)
    user.locale = code
    response = redirect(request, _safe_next(urlsplit(request.headers.get("referer", "/")).path))
    response.set_cookie("loam_locale", code, samesite="lax", secure=_secure(request))
    return response


@router.get("/account/tokens", name="auth:tokens")
def tokens(request: Request, session: DbSession, scope: CurrentScope) -> Response:
    rows = auth_service.list_api_tokens(session, scope.user_id or 0)
    return render(request, "auth/tokens.html", {"tokens": rows, "created": None})


@router.post("/account/tokens", name="auth:tokens_create")
def create_token(
    request: Request,
    session: DbSession,
    scope: CurrentScope,
    name: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    user = org_service.get_user(session, scope.user_id or 0)
    _token, raw = auth_service.create_api_token(session, user, name.strip() or "token")
    rows = auth_service.list_api_tokens(session, user.id)
    return render(request, "auth/tokens.html", {"tokens": rows, "created": raw})


@router.post("/account/tokens/{token_id}/revoke", name="auth:tokens_revoke")
def revoke_token(request: Request, session: DbSession, scope: CurrentScope, token_id: PathId) -> Response:
    if scope.user_id is None:
        raise Forbidden()
    auth_service.revoke_api_token(session, scope.user_id, token_id)
    return redirect(request, str(request.url_for("auth:tokens")))
