"""FastAPI dependencies that turn a request into a Scope (cookie session, bearer token) and check CSRF."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from loam.auth import service as auth_service
from loam.auth.models import UserSession
from loam.authz import service as authz_service
from loam.authz.scope import Scope
from loam.errors import Forbidden, NotAuthenticated
from loam.kit.http import DbSession
from loam.kit.i18n import gettext as _
from loam.kit.i18n import set_locale

SESSION_COOKIE = "loam_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def _from_cookie(request: Request, session: DbSession) -> tuple[UserSession, Scope] | None:
    found = auth_service.resolve_session(session, request.cookies.get(SESSION_COOKIE))
    if found is None:
        return None
    row, user = found
    scope = authz_service.scope_for(session, user)
    request.state.csrf = row.csrf_token
    request.state.scope = scope
    set_locale(scope.locale)
    return row, scope


async def _csrf_value(request: Request) -> str | None:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def _check_csrf(row: UserSession, sent: str | None) -> None:
    if not sent or not secrets.compare_digest(sent, row.csrf_token):
        raise Forbidden(_("Your form has expired. Reload the page and try again."))


async def csrf_token_sent(request: Request) -> str | None:
    if request.method in SAFE_METHODS:
        return None
    return await _csrf_value(request)


async def web_scope(
    request: Request, session: DbSession, sent: Annotated[str | None, Depends(csrf_token_sent)]
) -> Scope:
    """The logged-in caller of a page; CSRF is checked on every state-changing request.

    Async on purpose: the locale it sets (a context variable) must be seen by the endpoint's thread.
    """
    found = _from_cookie(request, session)
    if found is None:
        raise NotAuthenticated(_("Please log in."))
    row, scope = found
    if request.method not in SAFE_METHODS:
        _check_csrf(row, sent)
    return scope


async def api_scope(
    request: Request,
    session: DbSession,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Scope:
    """The caller of the API: a bearer token (personal or OAuth2), or a session cookie plus X-CSRF-Token."""
    if token:
        user = auth_service.resolve_api_token(session, token)
        if user is None:
            raise NotAuthenticated(_("Invalid or expired token."))
        scope = authz_service.scope_for(session, user)
        request.state.scope = scope
        set_locale(request.headers.get("accept-language") or scope.locale)
        return scope
    found = _from_cookie(request, session)
    if found is None:
        raise NotAuthenticated(_("Not authenticated."))
    row, scope = found
    if request.method not in SAFE_METHODS:
        _check_csrf(row, request.headers.get("x-csrf-token"))
    return scope


CurrentScope = Annotated[Scope, Depends(web_scope)]
ApiScope = Annotated[Scope, Depends(api_scope)]
