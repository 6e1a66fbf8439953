"""OA approvals (办公审批): request types, requests, permissions, the OA data scope and a default flow

Six types are seeded (普通审批, 请假审批, 出差审批, 加班审批, 差旅报销, 借款申请), each with its fields; they are data,
edited under 设置 → 审批类型 (``oa.manage``, granted to the administrator role). ``oa.request`` (file requests) goes
to every built-in role, and every role sees OA requests as widely as it sees customers. The default flow for
``oa_request``: the head of the submitter's department, sent to the administrators when there is none.

Revision ID: i5e_oa
Revises: i5d_receivables_custom
Create Date: 2026-12-03 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import loam.db

revision: str = "i5e_oa"
down_revision: str | None = "i5d_receivables_custom"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TS = loam.db.UTCDateTime(timezone=True)
DOC_TYPE = "oa_request"

# New databases get these from loam.authz.permissions.BUILTIN_ROLES; existing ones here (a snapshot).
GRANTS = (
    (("admin", "director", "ar", "sr", "fr", "finance"), "oa.request"),
    (("admin",), "oa.manage"),
)
MODULE = "oa"


def _f(key: str, zh: str, en: str, kind: str, required: bool = True, choices: list[str] | None = None) -> dict:
    return {"key": key, "label_zh": zh, "label_en": en, "kind": kind, "required": required, "choices": choices or []}


LEAVE_KINDS = ["年假", "事假", "病假", "调休", "婚假", "产假", "陪产假", "丧假"]
EXPENSE_KINDS = ["交通费", "住宿费", "餐费", "通讯费", "办公用品", "业务招待费", "其他"]
# (code, name_zh, name_en, description, fields)
TYPES: list[tuple[str, str, str, str, list[dict[str, Any]]]] = [
    ("general", "普通审批", "General request", "标题和内容即可的一般事项审批。", []),
    (
        "leave",
        "请假审批",
        "Leave request",
        "年假、事假、病假、调休等请假申请。",
        [
            _f("leave_kind", "请假类型", "Leave type", "select", choices=LEAVE_KINDS),
            _f("start", "开始时间", "Start", "datetime"),
            _f("end", "结束时间", "End", "datetime"),
            _f("days", "请假天数", "Days", "number"),
        ],
    ),
    (
        "trip",
        "出差审批",
        "Business trip",
        "出差目的地、行程和预计费用。",
        [
            _f("destination", "目的地", "Destination", "text"),
            _f("start", "出发日期", "Departure date", "date"),
            _f("end", "返回日期", "Return date", "date"),
            _f("days", "出差天数", "Days", "number"),
            _f("estimated_cost", "预计费用", "Estimated cost", "money", required=False),
        ],
    ),
    (
        "overtime",
        "加班审批",
        "Overtime",
        "加班时间和时长。",
        [
            _f("start", "开始时间", "Start", "datetime"),
            _f("end", "结束时间", "End", "datetime"),
            _f("hours", "加班时长（小时）", "Hours", "number"),
        ],
    ),
    (
        "expense",
        "差旅报销",
        "Travel expenses",
        "差旅及业务费用报销。",
        [
            _f("amount", "报销金额", "Amount", "money"),
            _f("category", "费用类别", "Category", "select", choices=EXPENSE_KINDS),
            _f("expense_date", "费用日期", "Expense date", "date"),
        ],
    ),
    (
        "loan",
        "借款申请",
        "Loan request",
        "备用金、差旅借款等借款申请。",
        [
            _f("amount", "借款金额", "Amount", "money"),
            _f("reason", "借款事由", "Reason", "textarea"),
            _f("repay_date", "预计还款日期", "Repayment date", "date"),
        ],
    ),
]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    ref = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{ref}"))


def _tables() -> None:
    op.create_table(
        "oa_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.Column("fields", JSON, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("oa_types", "created_by", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oa_types")),
        sa.UniqueConstraint("code", name="uq_oa_types_code"),
    )
    t = "oa_requests"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("type_code", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("values", JSON, nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("days", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("submitted_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        sa.Column("deleted_by", sa.Integer(), nullable=True),
        _fk(t, "type_id", "oa_types.id"),
        _fk(t, "owner_id", "users.id"),
        _fk(t, "department_id", "departments.id"),
        _fk(t, "created_by", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oa_requests")),
    )
    for column in ("type_id", "owner_id", "department_id", "deleted_at"):
        op.create_index(op.f(f"ix_{t}_{column}"), t, [column], unique=False)
    op.create_index("ix_oa_requests_owner_updated", t, ["owner_id", "updated_at"], unique=False)
    op.create_index("ix_oa_requests_status_updated", t, ["status", "updated_at"], unique=False)


def _seed_types(now: datetime) -> None:
    table = sa.table(
        "oa_types",
        *(sa.column(c) for c in ("code", "name_zh", "name_en", "description", "active", "sort", "version")),
        sa.column("fields", JSON),
        sa.column("created_at", TS),
        sa.column("updated_at", TS),
    )
    rows = [
        {"code": code, "name_zh": zh, "name_en": en, "description": description, "active": True, "sort": i * 10}
        | {"fields": fields, "created_at": now, "updated_at": now, "version": 1}
        for i, (code, zh, en, description, fields) in enumerate(TYPES, start=1)
    ]
    op.bulk_insert(table, rows)


def _seed_flow(now: datetime) -> None:
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
    values = {"doc_type": DOC_TYPE, "name": "办公审批", "description": "由提交人所在部门负责人审批。", "active": True}
    values |= {"priority": 100, "revision": 1, "conditions": [], "created_at": now, "updated_at": now, "version": 1}
    flow_id = op.get_bind().execute(sa.insert(flows).values(**values).returning(flows.c.id)).scalar_one()
    step = {"flow_id": flow_id, "position": 1, "name": "部门负责人审批", "approver_kind": "dept_head"}
    step |= {"role_code": None, "level": None, "mode": "any", "when_empty": "admin", "user_ids": [], "conditions": []}
    op.execute(sa.insert(steps).values(**step))


def _grant() -> None:
    for codes, permission in GRANTS:
        op.execute(
            sa.text(
                "INSERT INTO role_permissions (role_id, permission) SELECT r.id, :p FROM roles r "
                "WHERE r.code IN :codes AND NOT EXISTS (SELECT 1 FROM role_permissions x "
                "WHERE x.role_id = r.id AND x.permission = :p)"
            ).bindparams(sa.bindparam("codes", expanding=True), p=permission, codes=list(codes))
        )
    # Every role sees OA requests as widely as it sees customers (a manager sees their reports' requests).
    op.execute(
        sa.text(
            "INSERT INTO role_data_scopes (role_id, module, level) SELECT s.role_id, :m, s.level "
            "FROM role_data_scopes s WHERE s.module = 'customers' AND NOT EXISTS (SELECT 1 FROM "
            "role_data_scopes x WHERE x.role_id = s.role_id AND x.module = :m)"
        ).bindparams(m=MODULE)
    )


def upgrade() -> None:
    now = datetime.now(UTC)
    _tables()
    _seed_types(now)
    _seed_flow(now)
    _grant()


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM role_data_scopes WHERE module = :m").bindparams(m=MODULE))
    op.execute(
        sa.text("DELETE FROM role_permissions WHERE permission IN :p").bindparams(
            sa.bindparam("p", expanding=True), p=[p for _c, p in GRANTS]
        )
    )
    # Approvals of OA requests go with them; the flows of the type too (their steps cascade).
    bind = op.get_bind()
    for table in ("approval_events", "approval_tasks", "approval_steps", "approval_ccs"):
        bind.execute(
            sa.text(
                f"DELETE FROM {table} WHERE instance_id IN "  # noqa: S608 - our table names
                "(SELECT id FROM approval_instances WHERE doc_type = :d)"
            ).bindparams(d=DOC_TYPE)
        )
    bind.execute(sa.text("DELETE FROM approval_instances WHERE doc_type = :d").bindparams(d=DOC_TYPE))
    bind.execute(
        sa.text(
            "DELETE FROM approval_flow_steps WHERE flow_id IN (SELECT id FROM approval_flows WHERE doc_type = :d)"
        ).bindparams(d=DOC_TYPE)
    )
    bind.execute(sa.text("DELETE FROM approval_flows WHERE doc_type = :d").bindparams(d=DOC_TYPE))
    op.drop_index("ix_oa_requests_status_updated", table_name="oa_requests")
    op.drop_index("ix_oa_requests_owner_updated", table_name="oa_requests")
    for column in ("deleted_at", "department_id", "owner_id", "type_id"):
        op.drop_index(op.f(f"ix_oa_requests_{column}"), table_name="oa_requests")
    op.drop_table("oa_requests")
    op.drop_table("oa_types")
