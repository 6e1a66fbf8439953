"""Background jobs (imports, exports, big reports): status, progress and checkpoint (R20)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, Timestamped


class BackgroundJob(Timestamped, Base):
    """One run of long work. ``checkpoint`` is committed with each batch of work, so a worker killed
    mid-way resumes from it; ``heartbeat_at`` tells the watchdog whether a running job is still alive."""

    __tablename__ = "background_jobs"
    __table_args__ = (
        Index("ix_background_jobs_user_created", "created_by", "created_at"),
        Index("ix_background_jobs_status", "status", "heartbeat_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # import | export
    entity: Mapped[str] = mapped_column(String(30))  # customer | lead | contact | followup
    status: Mapped[str] = mapped_column(String(12), default="queued")  # queued running done failed cancelled
    title: Mapped[str] = mapped_column(String(300), default="")
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    total: Mapped[int | None] = mapped_column(Integer, default=None)
    done: Mapped[int] = mapped_column(Integer, default=0)
    checkpoint: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    input_file: Mapped[str | None] = mapped_column(String(300), default=None)  # under settings.files_path
    input_name: Mapped[str | None] = mapped_column(String(255), default=None)  # the uploaded file's own name
    output_file: Mapped[str | None] = mapped_column(String(300), default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
