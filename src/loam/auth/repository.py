"""All SQL of the auth domain: login attempts, sessions and tokens, looked up by their hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from loam.auth.models import ApiToken, LoginAttempt, UserSession


def failures(session: Session, key: str, since: datetime, ip: str | None, any_ip: bool) -> int:
    stmt = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.username == key, LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    )
    if not any_ip:
        stmt = stmt.where(LoginAttempt.ip.is_(None) if ip is None else LoginAttempt.ip == ip)
    return int(session.scalar(stmt) or 0)


def session_by_hash(session: Session, digest: str) -> UserSession | None:
    return session.scalar(select(UserSession).where(UserSession.token_hash == digest))


def revoke_session(session: Session, digest: str, at: datetime) -> None:
    session.execute(update(UserSession).where(UserSession.token_hash == digest).values(revoked_at=at))


def revoke_all(session: Session, user_id: int, at: datetime) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    session.execute(
        update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).values(revoked_at=at)
    )


def token_by_hash(session: Session, digest: str) -> ApiToken | None:
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))


def live_tokens(session: Session, user_id: int) -> list[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    return list(session.scalars(stmt.order_by(ApiToken.id.desc())))
