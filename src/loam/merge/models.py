"""Merges (合并记录): who merged which duplicates into which record, and what it takes to undo it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, JsonType, utcnow


class Merge(Base):
    """One merge of ``merged_ids`` into ``survivor_id`` (all of kind ``entity``).

    ``changes`` holds ``{field: [before, after]}`` of the survivor's fields the merge changed (the before-values
    are what an undo puts back); ``moved`` holds the ids of the children moved per kind and source record,
    e.g. ``{"contacts": {"12": [40, 41]}, "audit": [900, 901]}``, so an undo moves exactly those back.
    """

    __tablename__ = "merges"
    __table_args__ = (Index("ix_merges_entity_survivor", "entity", "survivor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    survivor_id: Mapped[int] = mapped_column()
    merged_ids: Mapped[list[int]] = mapped_column(JsonType, default=list)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    moved: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(default=None)
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undo_note: Mapped[dict[str, Any]] = mapped_column(default=dict)


class MergedRecord(Base):
    """One record merged away by a merge: lets the recycle bin find "merged into #N" through an index."""

    __tablename__ = "merge_records"
    __table_args__ = (Index("ix_merge_records_entity_record", "entity", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merge_id: Mapped[int] = mapped_column(ForeignKey("merges.id", ondelete="CASCADE"), index=True)
    entity: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column()


class MergeDismissal(Base):
    """Two records someone marked as *not* duplicates (不是重复): the finder no longer pairs them."""

    __tablename__ = "merge_dismissals"
    __table_args__ = (UniqueConstraint("entity", "low_id", "high_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    low_id: Mapped[int] = mapped_column()
    high_id: Mapped[int] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
