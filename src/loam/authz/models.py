"""Team members (协作人): per-record read or read-write access, optionally until a date."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, utcnow


class RecordMember(Base):
    __tablename__ = "record_members"
    __table_args__ = (
        UniqueConstraint("entity", "record_id", "user_id"),
        Index("ix_record_members_user_entity", "user_id", "entity", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    access: Mapped[str] = mapped_column(String(10), default="read")  # read | write
    role: Mapped[str | None] = mapped_column(String(20), default=None)  # team role: AR/SR/FR/finance/...
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuthzState(Base):
    """One row: a random token that database triggers replace whenever anything a Scope is built from changes
    (users' department, manager, activity, locale and names; role grants; departments; pools and their members).
    Scopes are cached per process under (database, user, token) — see :func:`loam.authz.service.scope_for`."""

    __tablename__ = "authz_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40))
