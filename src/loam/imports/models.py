"""Import bookkeeping: per-row outcomes of a job (for the error file and the dedup listing), and the
column mappings remembered per header set."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, Timestamped


class ImportIssue(Base):
    """A row that was not imported as new: ``outcome`` is error | skipped | updated (with the record id)."""

    __tablename__ = "import_issues"
    __table_args__ = (Index("ix_import_issues_job_outcome_row", "job_id", "outcome", "row_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("background_jobs.id", ondelete="CASCADE"))
    row_no: Mapped[int] = mapped_column(Integer)  # 1-based data row (the header is row 0)
    outcome: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text, default="")
    record_id: Mapped[int | None] = mapped_column(Integer, default=None)


class ImportMapping(Timestamped, Base):
    """The column mapping last used for a header set (per entity), offered again next time."""

    __tablename__ = "import_mappings"
    __table_args__ = (UniqueConstraint("entity", "header_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(30))
    header_key: Mapped[str] = mapped_column(String(64))  # sha256 of the normalised header row
    mapping: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
