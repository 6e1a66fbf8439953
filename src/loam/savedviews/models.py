"""Saved list views (保存的视图): a named query string of a list page, per user, optionally shared."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, Timestamped


class SavedView(Timestamped, Base):
    __tablename__ = "saved_views"
    __table_args__ = (
        UniqueConstraint("user_id", "entity", "name"),
        Index("ix_saved_views_entity_shared", "entity", "shared"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[str] = mapped_column(String(2000), default="")
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
