"""Login with throttling, server-side sessions, personal access tokens (stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from loam.auth import repository as repo
from loam.auth.models import ApiToken, LoginAttempt, UserSession
from loam.auth.passwords import hash_password, needs_rehash, verify_password
from loam.config import settings
from loam.db import utcnow
from loam.errors import NotAuthenticated, NotFound, TooManyRequests
from loam.kit.i18n import gettext as _
from loam.org import repository as org_repo
from loam.org.models import User

TOKEN_PREFIX = "loam_"  # noqa: S105 - a public prefix that marks Loam tokens


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def authenticate(session: Session, login: str, password: str, ip: str | None = None) -> User:
    """Check a login; the same message for an unknown user and a wrong password; throttled.

    After ``login_max_failures`` failures for one login from one address within
    ``login_lockout_minutes``, that address is refused (429) for that login, whether or not the user
    exists; after ten times as many failures from anywhere the login itself is refused. So a guesser
    is stopped quickly, and someone else cannot lock a colleague out with a handful of bad tries.
    """
    key = login.strip().lower()[:254]
    since = utcnow() - timedelta(minutes=settings.login_lockout_minutes)
    here = _failures(session, key, since, ip, any_ip=False)
    anywhere = _failures(session, key, since)
    if here >= settings.login_max_failures or anywhere >= 10 * settings.login_max_failures:
        raise TooManyRequests(_("Too many failed attempts. Try again in a few minutes."))
    user = org_repo.user_by_login(session, key) if key else None
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        session.add(LoginAttempt(username=key, ip=ip, success=False))
        raise NotAuthenticated(_("Invalid username or password."))
    session.add(LoginAttempt(username=key, ip=ip, success=True))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def _failures(session: Session, key: str, since: datetime, ip: str | None = None, any_ip: bool = True) -> int:
    """Failed attempts for a login since a moment: from one address, or from anywhere."""
    return repo.failures(session, key, since, ip, any_ip)


def start_session(session: Session, user: User, ip: str | None = None, user_agent: str | None = None) -> str:
    """Create a server-side session and return the raw cookie value (only its hash is stored)."""
    raw = new_token()
    session.add(
        UserSession(
            token_hash=token_hash(raw),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            expires_at=utcnow() + timedelta(days=settings.session_days),
            ip=ip,
            user_agent=(user_agent or "")[:300],
        )
    )
    session.flush()
    return raw


def resolve_session(session: Session, raw: str | None) -> tuple[UserSession, User] | None:
    """The live session and its active user for a cookie value, or None (expired, revoked, deactivated)."""
    if not raw or len(raw) > 200:
        return None
    row = repo.session_by_hash(session, token_hash(raw))
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if now - row.last_seen_at > timedelta(minutes=1):
        _touch(session, row, "last_seen_at", now)
    return row, user


def _touch(session: Session, row: UserSession | ApiToken, attr: str, now: datetime) -> None:
    """Best-effort "last seen": a GET reads first, and on SQLite its write fails at once if another
    connection committed since (a big import commits every second). The stamp then waits for the next
    request instead of failing this one; it only has a minute's precision anyway."""
    try:
        with session.begin_nested():
            setattr(row, attr, now)
            session.flush()
    except OperationalError:
        pass


def end_session(session: Session, raw: str | None) -> None:
    if raw:
        repo.revoke_session(session, token_hash(raw), utcnow())


def revoke_user_sessions(session: Session, user_id: int) -> None:
    """End every session and token of a user (deactivation, password reset)."""
    repo.revoke_all(session, user_id, utcnow())


def create_api_token(
    session: Session, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a personal access token; the raw value is returned once and never stored."""
    raw = new_token()
    token = ApiToken(
        user_id=user.id, name=name[:100], prefix=raw[:12], token_hash=token_hash(raw), expires_at=expires_at
    )
    session.add(token)
    session.flush()
    return token, raw


def resolve_api_token(session: Session, raw: str | None) -> User | None:
    if not raw or len(raw) > 200:
        return None
    token = repo.token_by_hash(session, token_hash(raw))
    now = utcnow()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        _touch(session, token, "last_used_at", now)
    return user


def list_api_tokens(session: Session, user_id: int) -> list[ApiToken]:
    return repo.live_tokens(session, user_id)


def revoke_api_token(session: Session, user_id: int, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id or token.revoked_at is not None:
        raise NotFound(_("Token not found."))
    token.revoked_at = utcnow()
