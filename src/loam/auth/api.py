"""API authentication: OAuth2 password flow and the caller's own identity."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from loam.auth import service as auth_service
from loam.auth.deps import ApiScope
from loam.db import utcnow
from loam.kit.http import DbSession, TxRoute

router = APIRouter(route_class=TxRoute, prefix="/auth", tags=["auth"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class MeOut(BaseModel):
    id: int | None
    username: str
    display_name: str
    department_id: int | None
    locale: str
    permissions: list[str]


@router.post("/token", response_model=TokenOut)
def token(request: Request, session: DbSession, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
    """Exchange a username and password for a bearer token valid 12 hours (throttled like the login page)."""
    ip = request.client.host if request.client else None
    try:
        user = auth_service.authenticate(session, form.username[:254], form.password[:200], ip)
    except Exception:
        session.commit()  # keep the failed attempt for throttling
        raise
    _row, raw = auth_service.create_api_token(session, user, "oauth2", utcnow() + timedelta(hours=12))
    return TokenOut(access_token=raw, expires_in=12 * 3600)


@router.get("/me", response_model=MeOut)
def me(scope: ApiScope) -> MeOut:
    return MeOut(
        id=scope.user_id,
        username=scope.username,
        display_name=scope.display_name,
        department_id=scope.department_id,
        locale=scope.locale,
        permissions=sorted(scope.permissions),
    )
