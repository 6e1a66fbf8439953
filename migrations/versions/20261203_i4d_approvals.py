"""approval flows and instances

Revision ID: i4d_approvals
Revises: i4c_opportunities
Create Date: 2026-12-03 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import loam.db

revision: str = "i4d_approvals"
down_revision: str | None = "i4c_opportunities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TS = loam.db.UTCDateTime(timezone=True)

# The default flows (all editable in 设置 → 审批流): (doc_type, name, description, steps)
# step: (name, approver_kind, role_code, conditions, mode, when_empty)
DEFAULT_FLOWS: list[tuple[str, str, str, list[tuple[str, str, str | None, list[dict[str, Any]], str, str]]]] = [
    (
        "contract",
        "合同审批",
        "部门负责人审批；合同金额超过 1,000,000 时再由销售总监审批。",
        [
            ("部门负责人审批", "dept_head", None, [], "any", "admin"),
            ("销售总监审批", "role", "director", [{"field": "amount", "op": "gt", "value": "1000000"}], "any", "admin"),
        ],
    ),
    ("receivable", "回款审批", "回款记录由财务确认。", [("财务确认", "role", "finance", [], "any", "admin")]),
    ("opportunity", "商机立项审批", "商机立项由销售总监审批。", [("立项审批", "role", "director", [], "any", "admin")]),
]


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    ref = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{ref}"), ondelete=ondelete)


def _create_flows() -> None:
    op.create_table(
        "approval_flows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("conditions", JSON, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("approval_flows", "created_by", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_flows")),
    )
    op.create_index("ix_approval_flows_doc_type_active", "approval_flows", ["doc_type", "active", "priority"])
    op.create_table(
        "approval_flow_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("approver_kind", sa.String(length=20), nullable=False),
        sa.Column("user_ids", JSON, nullable=False),
        sa.Column("role_code", sa.String(length=40), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("conditions", JSON, nullable=False),
        sa.Column("mode", sa.String(length=3), nullable=False),
        sa.Column("when_empty", sa.String(length=5), nullable=False),
        _fk("approval_flow_steps", "flow_id", "approval_flows.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_flow_steps")),
        sa.UniqueConstraint("flow_id", "position", name=op.f("uq_approval_flow_steps_flow_id_position")),
    )


def _create_instances() -> None:
    t = "approval_instances"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=30), nullable=False),
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("flow_id", sa.Integer(), nullable=True),
        sa.Column("flow_name", sa.String(length=100), nullable=True),
        sa.Column("flow_revision", sa.Integer(), nullable=True),
        sa.Column("flow_snapshot", JSON, nullable=False),
        sa.Column("doc_values", JSON, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("current_step", sa.Integer(), nullable=True),
        sa.Column("submitter_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        _fk(t, "flow_id", "approval_flows.id", "SET NULL"),
        _fk(t, "submitter_id", "users.id"),
        _fk(t, "owner_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_instances")),
    )
    op.create_index("ix_approval_instances_doc", t, ["doc_type", "doc_id", "id"])
    op.create_index("ix_approval_instances_submitter", t, ["submitter_id", "id"])
    op.create_index(op.f("ix_approval_instances_flow_id"), t, ["flow_id"])
    op.create_index(
        "uq_approval_instances_pending_doc",
        t,
        ["doc_type", "doc_id"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "approval_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("mode", sa.String(length=3), nullable=False),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        _fk("approval_steps", "instance_id", "approval_instances.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_steps")),
        sa.UniqueConstraint("instance_id", "position", name=op.f("uq_approval_steps_instance_id_position")),
    )


def _create_tasks() -> None:
    t = "approval_tasks"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column("delegated_from_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        _fk(t, "instance_id", "approval_instances.id", "CASCADE"),
        _fk(t, "step_id", "approval_steps.id", "CASCADE"),
        _fk(t, "user_id", "users.id"),
        _fk(t, "delegated_from_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_tasks")),
    )
    op.create_index("ix_approval_tasks_user_status", t, ["user_id", "status", "id"])
    op.create_index("ix_approval_tasks_instance_step", t, ["instance_id", "step_id"])
    t = "approval_events"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("step_position", sa.Integer(), nullable=True),
        sa.Column("step_name", sa.String(length=100), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("target_ids", JSON, nullable=False),
        sa.Column("to_step", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", TS, nullable=False),
        _fk(t, "instance_id", "approval_instances.id", "CASCADE"),
        _fk(t, "user_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_events")),
    )
    op.create_index("ix_approval_events_instance", t, ["instance_id", "id"])
    t = "approval_ccs"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _fk(t, "instance_id", "approval_instances.id", "CASCADE"),
        _fk(t, "user_id", "users.id", "CASCADE"),
        _fk(t, "added_by", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_ccs")),
        sa.UniqueConstraint("instance_id", "user_id", name=op.f("uq_approval_ccs_instance_id_user_id")),
    )
    op.create_index("ix_approval_ccs_user", t, ["user_id", "id"])


def _seed() -> None:
    flows = sa.table(
        "approval_flows",
        *(sa.column(c) for c in ("id", "doc_type", "name", "description", "active", "priority", "revision")),
        sa.column("conditions", JSON),
        sa.column("created_at", TS),
        sa.column("updated_at", TS),
        sa.column("version", sa.Integer()),
    )
    steps = sa.table(
        "approval_flow_steps",
        *(sa.column(c) for c in ("flow_id", "position", "name", "approver_kind", "role_code", "level", "mode")),
        sa.column("when_empty"),
        sa.column("user_ids", JSON),
        sa.column("conditions", JSON),
    )
    now = datetime.now(UTC)
    bind = op.get_bind()
    for doc_type, name, description, flow_steps in DEFAULT_FLOWS:
        values = {"doc_type": doc_type, "name": name, "description": description, "active": True, "priority": 100}
        values |= {"revision": 1, "conditions": [], "created_at": now, "updated_at": now, "version": 1}
        flow_id = bind.execute(sa.insert(flows).values(**values).returning(flows.c.id)).scalar_one()
        for position, (step, kind, role, conditions, mode, when_empty) in enumerate(flow_steps, start=1):
            row = {"flow_id": flow_id, "position": position, "name": step, "approver_kind": kind, "role_code": role}
            row |= {"level": None, "mode": mode, "when_empty": when_empty, "user_ids": [], "conditions": conditions}
            bind.execute(sa.insert(steps).values(**row))


def upgrade() -> None:
    _create_flows()
    _create_instances()
    _create_tasks()
    _seed()


def downgrade() -> None:
    op.drop_index("ix_approval_ccs_user", table_name="approval_ccs")
    op.drop_table("approval_ccs")
    op.drop_index("ix_approval_events_instance", table_name="approval_events")
    op.drop_table("approval_events")
    op.drop_index("ix_approval_tasks_instance_step", table_name="approval_tasks")
    op.drop_index("ix_approval_tasks_user_status", table_name="approval_tasks")
    op.drop_table("approval_tasks")
    op.drop_table("approval_steps")
    op.drop_index("uq_approval_instances_pending_doc", table_name="approval_instances")
    op.drop_index(op.f("ix_approval_instances_flow_id"), table_name="approval_instances")
    op.drop_index("ix_approval_instances_submitter", table_name="approval_instances")
    op.drop_index("ix_approval_instances_doc", table_name="approval_instances")
    op.drop_table("approval_instances")
    op.drop_table("approval_flow_steps")
    op.drop_index("ix_approval_flows_doc_type_active", table_name="approval_flows")
    op.drop_table("approval_flows")
