"""Follow-ups (跟进记录): visits, calls, meetings … on a customer or a lead."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from loam.db import Base, SoftDeleted, Timestamped, Versioned

followup_participants = Table(
    "followup_participants",
    Base.metadata,
    Column("followup_id", ForeignKey("followups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)

followup_contacts = Table(
    "followup_contacts",
    Base.metadata,
    Column("followup_id", ForeignKey("followups.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class FollowUp(Timestamped, Versioned, SoftDeleted, Base):
    __tablename__ = "followups"
    __table_args__ = (
        Index("ix_followups_customer_occurred", "customer_id", "occurred_at"),
        Index("ix_followups_lead_occurred", "lead_id", "occurred_at"),
        Index("ix_followups_author_next", "created_by", "next_contact_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"))
    kind: Mapped[str] = mapped_column(String(20))  # visit call meeting email reception wechat other
    occurred_at: Mapped[datetime] = mapped_column()
    content: Mapped[str] = mapped_column(Text)
    next_step: Mapped[str | None] = mapped_column(String(500))
    next_contact_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
