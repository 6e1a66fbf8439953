"""pipelines, stages, opportunities and stage moves

Revision ID: i4c_opportunities
Revises: i4b_products
Create Date: 2026-12-03 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import loam.db

revision: str = "i4c_opportunities"
down_revision: str | None = "i4b_products"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TS = loam.db.UTCDateTime(timezone=True)

DEFAULT_STAGES = [
    ("验证客户", "Qualify", 10, "open"),
    ("需求分析", "Needs analysis", 25, "open"),
    ("方案/报价", "Proposal / quote", 50, "open"),
    ("谈判", "Negotiation", 75, "open"),
    ("赢单", "Won", 100, "won"),
    ("输单", "Lost", 0, "lost"),
    ("无效", "Invalid", 0, "invalid"),
]
DEFAULT_REASONS = [
    ("lost", "价格", "Price"),
    ("lost", "技术方案", "Technical solution"),
    ("lost", "关系", "Relationship"),
    ("lost", "竞争对手", "Competitor"),
    ("lost", "预算取消", "Budget cancelled"),
    ("lost", "需求变化", "Requirements changed"),
    ("lost", "其他", "Other"),
    ("invalid", "重复商机", "Duplicate opportunity"),
    ("invalid", "需求不真实", "No real need"),
    ("invalid", "客户无预算", "No budget"),
    ("invalid", "其他", "Other"),
]


def _timestamps() -> list[sa.Column]:
    return [sa.Column("created_at", TS, nullable=False), sa.Column("updated_at", TS, nullable=False)]


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    ref = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{ref}"), ondelete=ondelete)


def _create_pipelines() -> None:
    op.create_table(
        "pipelines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("department_ids", JSON, nullable=False),
        sa.Column("product_category_ids", JSON, nullable=False),
        *_timestamps(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipelines")),
    )
    op.create_table(
        "pipeline_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=60), nullable=False),
        sa.Column("name_en", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("required_fields", JSON, nullable=False),
        sa.Column("checklist", JSON, nullable=False),
        sa.Column("retired_at", TS, nullable=True),
        *_timestamps(),
        _fk("pipeline_stages", "pipeline_id", "pipelines.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_stages")),
    )
    op.create_index("ix_pipeline_stages_pipeline_position", "pipeline_stages", ["pipeline_id", "position"])
    op.create_table(
        "lost_reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lost_reasons")),
    )


def _create_opportunities() -> None:
    t = "opportunities"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_from_lines", sa.Boolean(), nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=True),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("probability_override", sa.Integer(), nullable=True),
        sa.Column("computed_probability", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=40), nullable=True),
        sa.Column("remark", sa.Text(), nullable=True),
        sa.Column("lost_reason_id", sa.Integer(), nullable=True),
        sa.Column("lost_note", sa.String(length=500), nullable=True),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("stage_entered_at", TS, nullable=False),
        sa.Column("checklist_done", JSON, nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("custom", JSON, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        sa.Column("deleted_by", sa.Integer(), nullable=True),
        _fk(t, "created_by", "users.id"),
        _fk(t, "customer_id", "customers.id"),
        _fk(t, "department_id", "departments.id"),
        _fk(t, "lost_reason_id", "lost_reasons.id"),
        _fk(t, "owner_id", "users.id"),
        _fk(t, "pipeline_id", "pipelines.id"),
        _fk(t, "stage_id", "pipeline_stages.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunities")),
    )
    for column in ("customer_id", "deleted_at", "department_id", "owner_id"):
        op.create_index(op.f(f"ix_opportunities_{column}"), t, [column])
    op.create_index("ix_opportunities_owner_updated", t, ["owner_id", "updated_at"])
    op.create_index("ix_opportunities_pipeline_stage", t, ["pipeline_id", "stage_id"])
    op.create_index("ix_opportunities_status_close", t, ["status", "expected_close"])


def _create_children() -> None:
    op.create_table(
        "opportunity_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("remark", sa.String(length=500), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _fk("opportunity_contacts", "contact_id", "contacts.id", "CASCADE"),
        _fk("opportunity_contacts", "opportunity_id", "opportunities.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_contacts")),
        sa.UniqueConstraint(
            "opportunity_id", "contact_id", name=op.f("uq_opportunity_contacts_opportunity_id_contact_id")
        ),
    )
    op.create_index(op.f("ix_opportunity_contacts_contact_id"), "opportunity_contacts", ["contact_id"])
    op.create_table(
        "opportunity_competitors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("quoted_price", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("remark", sa.Text(), nullable=True),
        *_timestamps(),
        _fk("opportunity_competitors", "opportunity_id", "opportunities.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_competitors")),
    )
    op.create_index(op.f("ix_opportunity_competitors_opportunity_id"), "opportunity_competitors", ["opportunity_id"])
    t = "stage_moves"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("from_stage_id", sa.Integer(), nullable=True),
        sa.Column("to_stage_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        _fk(t, "from_stage_id", "pipeline_stages.id"),
        _fk(t, "opportunity_id", "opportunities.id", "CASCADE"),
        _fk(t, "to_stage_id", "pipeline_stages.id"),
        _fk(t, "user_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_moves")),
    )
    op.create_index("ix_stage_moves_opportunity_at", t, ["opportunity_id", "at"])
    op.create_index("ix_stage_moves_to_stage_at", t, ["to_stage_id", "at"])
    op.create_index("ix_stage_moves_at", t, ["at"])


def _create_saved_views() -> None:
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        *_timestamps(),
        _fk("saved_views", "user_id", "users.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sa.UniqueConstraint("user_id", "entity", "name", name=op.f("uq_saved_views_user_id_entity_name")),
    )
    op.create_index("ix_saved_views_entity_shared", "saved_views", ["entity", "shared"])


def _seed() -> None:
    now = datetime.now(UTC)
    pipelines = sa.table(
        "pipelines",
        *(sa.column(c) for c in ("id", "name_zh", "name_en", "is_default", "active", "position", "version")),
        sa.column("department_ids", JSON),
        sa.column("product_category_ids", JSON),
        sa.column("created_at", TS),
        sa.column("updated_at", TS),
    )
    op.bulk_insert(
        pipelines,
        [
            {"id": 1, "name_zh": "标准商机流程", "name_en": "Standard sales process", "is_default": True,
             "active": True, "position": 0, "version": 1, "department_ids": [], "product_category_ids": [],
             "created_at": now, "updated_at": now},
        ],
    )  # fmt: skip
    stages = sa.table(
        "pipeline_stages",
        *(sa.column(c) for c in ("pipeline_id", "name_zh", "name_en", "position", "probability", "kind")),
        sa.column("required_fields", JSON),
        sa.column("checklist", JSON),
        sa.column("created_at", TS),
        sa.column("updated_at", TS),
    )
    op.bulk_insert(
        stages,
        [
            {"pipeline_id": 1, "name_zh": zh, "name_en": en, "position": i, "probability": p, "kind": kind,
             "required_fields": [], "checklist": [], "created_at": now, "updated_at": now}
            for i, (zh, en, p, kind) in enumerate(DEFAULT_STAGES)
        ],
    )  # fmt: skip
    reasons = sa.table(
        "lost_reasons",
        *(sa.column(c) for c in ("kind", "name_zh", "name_en", "position", "active")),
        sa.column("created_at", TS),
    )
    op.bulk_insert(
        reasons,
        [
            {"kind": kind, "name_zh": zh, "name_en": en, "position": i, "active": True, "created_at": now}
            for i, (kind, zh, en) in enumerate(DEFAULT_REASONS)
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('pipelines', 'id'), (SELECT MAX(id) FROM pipelines))")


def upgrade() -> None:
    _create_pipelines()
    _create_opportunities()
    _create_children()
    _create_saved_views()
    with op.batch_alter_table("record_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=20), nullable=True))
    _seed()


def downgrade() -> None:
    with op.batch_alter_table("record_members", schema=None) as batch_op:
        batch_op.drop_column("role")
    op.drop_index("ix_saved_views_entity_shared", table_name="saved_views")
    op.drop_table("saved_views")
    op.drop_index("ix_stage_moves_at", table_name="stage_moves")
    op.drop_index("ix_stage_moves_to_stage_at", table_name="stage_moves")
    op.drop_index("ix_stage_moves_opportunity_at", table_name="stage_moves")
    op.drop_table("stage_moves")
    op.drop_index(op.f("ix_opportunity_competitors_opportunity_id"), table_name="opportunity_competitors")
    op.drop_table("opportunity_competitors")
    op.drop_index(op.f("ix_opportunity_contacts_contact_id"), table_name="opportunity_contacts")
    op.drop_table("opportunity_contacts")
    for name in ("ix_opportunities_status_close", "ix_opportunities_pipeline_stage", "ix_opportunities_owner_updated"):
        op.drop_index(name, table_name="opportunities")
    for column in ("owner_id", "department_id", "deleted_at", "customer_id"):
        op.drop_index(op.f(f"ix_opportunities_{column}"), table_name="opportunities")
    op.drop_table("opportunities")
    op.drop_table("lost_reasons")
    op.drop_index("ix_pipeline_stages_pipeline_position", table_name="pipeline_stages")
    op.drop_table("pipeline_stages")
    op.drop_table("pipelines")
