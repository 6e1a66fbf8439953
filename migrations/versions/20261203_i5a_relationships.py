"""relationships quantified: contact profiles, power maps, organisational checklist, snapshots, intelligence,
executive pairings and the 12+1 contact scenarios

Revision ID: i5a_relationships
Revises: i4k_plan_received
Create Date: 2026-12-03 10:40:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import loam.db

revision: str = "i5a_relationships"
down_revision: str | None = "i4k_plan_received"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

SALES = ("admin", "director", "ar", "sr", "fr")
# New databases get these from loam.authz.permissions.BUILTIN_ROLES; existing ones here (a snapshot).
GRANTS = (
    ((*SALES, "finance"), "relationships.view"),
    ((*SALES, "finance"), "relationships.update"),
    (("admin", "director"), "relationships.manage"),
)

# The default 12+1 catalogue (DOMAIN.md §2.2): code, zh, en, layer, budget, checklist [(zh, en)], standard.
SCENARIOS = [
    (
        "daily_visit",
        "日常拜访",
        "Daily visit",
        "key",
        0,
        [
            ("明确拜访目的", "State the purpose of the visit"),
            ("了解对方近期关注点", "Learn what they care about now"),
            ("记录纪要与下一步", "Record the minutes and the next step"),
        ],
        "每次拜访有目的、有纪要、有下一步 / every visit has a purpose, minutes and a next step",
    ),
    (
        "executive_visit",
        "高层拜访",
        "Executive visit",
        "key",
        20000,
        [
            ("确认双方高层与议题", "Agree the executives and the agenda"),
            ("准备高层拜访材料", "Prepare the briefing"),
            ("会后一周内落实承诺", "Follow up the commitments within a week"),
        ],
        "议题事先确认，承诺一周内落实 / agenda agreed beforehand, commitments followed up within a week",
    ),
    (
        "tech_exchange",
        "技术交流",
        "Technical exchange",
        "broad",
        10000,
        [
            ("收集客户技术痛点", "Collect the technical pain points"),
            ("安排对口专家", "Bring matching experts"),
            ("发出交流纪要", "Send the summary"),
        ],
        "对口专家参加，纪要三天内发出 / matching experts attend, summary sent within three days",
    ),
    (
        "hq_visit",
        "参观公司",
        "HQ visit",
        "org",
        50000,
        [
            ("制定接待方案", "Plan the reception"),
            ("安排展厅与研发参观", "Showroom and R&D tour"),
            ("安排高层会见", "Executive meeting"),
            ("送行与回访", "Farewell and follow-up call"),
        ],
        "接待方案经审批，全程有人陪同 / reception plan approved, guests accompanied throughout",
    ),
    (
        "reference_site",
        "参观样板点",
        "Reference-site visit",
        "key",
        30000,
        [
            ("选择匹配的样板点", "Choose a matching reference site"),
            ("与样板点客户确认", "Confirm with the site's customer"),
            ("参观后收集反馈", "Collect feedback afterwards"),
        ],
        "样板点与客户场景匹配 / the site matches the customer's case",
    ),
    (
        "onsite_meeting",
        "现场会",
        "On-site meeting",
        "broad",
        20000,
        [
            ("现场准备与演示", "Prepare the site and the demo"),
            ("邀请相关部门", "Invite the departments concerned"),
            ("会后总结", "Write the summary"),
        ],
        "演示无故障，相关部门到场 / the demo runs cleanly, the departments concerned attend",
    ),
    (
        "exhibition",
        "展会",
        "Exhibition",
        "broad",
        30000,
        [
            ("发出邀请", "Send the invitations"),
            ("安排讲解与会谈", "Arrange guided tours and meetings"),
            ("记录客户兴趣点", "Record what interested them"),
        ],
        "每位来宾有专人讲解 / every guest has a named guide",
    ),
    (
        "summit",
        "峰会/年会",
        "Summit / annual meeting",
        "org",
        20000,
        [
            ("邀请确认", "Invitations confirmed"),
            ("安排议程与座次", "Agenda and seating"),
            ("会后致谢与跟进", "Thanks and follow-up"),
        ],
        "客户高层出席并有会见 / customer executives attend and meet ours",
    ),
    (
        "mgmt_seminar",
        "管理和经营研讨",
        "Management seminar",
        "org",
        20000,
        [
            ("确定研讨主题", "Agree the topic"),
            ("双方管理层参与", "Both managements attend"),
            ("输出改进建议", "Deliver improvement proposals"),
        ],
        "输出可执行的改进建议 / actionable proposals delivered",
    ),
    (
        "joint_innovation",
        "联合创新",
        "Joint innovation",
        "org",
        100000,
        [
            ("签署合作备忘", "Sign the memorandum"),
            ("组建联合团队", "Form the joint team"),
            ("里程碑评审", "Review the milestones"),
        ],
        "有联合团队与里程碑 / a joint team and milestones",
    ),
    (
        "training",
        "客户培训/认证",
        "Training / certification",
        "broad",
        10000,
        [
            ("确认培训需求", "Confirm the needs"),
            ("实施培训与考核", "Deliver and assess"),
            ("收集学员反馈", "Collect trainee feedback"),
        ],
        "学员满意度 ≥ 4/5 / trainee satisfaction at least 4 of 5",
    ),
    (
        "customer_forum",
        "服务恳谈会/满意度回访",
        "Customer forum / return visit",
        "org",
        10000,
        [
            ("收集满意度问题", "Collect satisfaction issues"),
            ("形成改进闭环", "Close the improvement loop"),
            ("回访确认", "Confirm on a return visit"),
        ],
        "每个问题有责任人和闭环 / every issue has an owner and is closed",
    ),
    (
        "hospitality",
        "商务与社交活动",
        "Hospitality",
        "key",
        5000,
        [
            ("合规检查并审批", "Compliance checked and approved"),
            ("费用在人均标准内", "Within the per-head limit"),
            ("记录参与人员", "Record the attendees"),
        ],
        "符合合规要求，不超过人均标准 / compliant and within the per-head limit",
    ),
]


def _grant() -> None:
    for codes, permission in GRANTS:
        op.execute(
            sa.text(
                "INSERT INTO role_permissions (role_id, permission) SELECT r.id, :p FROM roles r "
                "WHERE r.code IN :codes AND NOT EXISTS (SELECT 1 FROM role_permissions x "
                "WHERE x.role_id = r.id AND x.permission = :p)"
            ).bindparams(sa.bindparam("codes", expanding=True), p=permission, codes=list(codes))
        )


def _seed_scenarios() -> None:
    table = sa.table(
        "contact_scenarios",
        *(sa.column(c) for c in ("code", "name_zh", "name_en", "layer", "standard", "currency", "hospitality")),
        sa.column("checklist", JSON),
        sa.column("budget", sa.Numeric(18, 2)),
        sa.column("limit_per_head", sa.Numeric(18, 2)),
        *(sa.column(c) for c in ("position", "active", "created_at", "updated_at", "version")),
    )
    now = datetime.now(UTC)
    rows = []
    for position, (code, zh, en, layer, budget, checklist, standard) in enumerate(SCENARIOS, start=1):
        rows.append(
            {
                "code": code,
                "name_zh": zh,
                "name_en": en,
                "layer": layer,
                "standard": standard,
                "currency": "CNY",
                "hospitality": code == "hospitality",
                "checklist": [{"zh": z, "en": e} for z, e in checklist],
                "budget": Decimal(budget),
                "limit_per_head": Decimal(500) if code == "hospitality" else None,
                "position": position,
                "active": True,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    op.bulk_insert(table, rows)


def upgrade() -> None:
    op.create_table(
        "contact_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("layer", sa.String(length=8), nullable=False),
        sa.Column(
            "checklist", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("standard", sa.Text(), nullable=True),
        sa.Column("budget", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("hospitality", sa.Boolean(), nullable=False),
        sa.Column("limit_per_head", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_scenarios")),
        sa.UniqueConstraint("code", name=op.f("uq_contact_scenarios_code")),
    )
    op.create_table(
        "relationship_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "data", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_relationship_settings_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relationship_settings")),
        sa.UniqueConstraint("version", name=op.f("uq_relationship_settings_version")),
    )
    op.create_table(
        "org_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("factor", sa.Numeric(precision=3, scale=2), nullable=False),
        sa.Column("achieved_on", sa.Date(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("evidence_url", sa.String(length=500), nullable=True),
        sa.Column(
            "followup_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_org_marks_customer_id_customers")),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_org_marks_updated_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_marks")),
        sa.UniqueConstraint("customer_id", "item_key", name=op.f("uq_org_marks_customer_id_item_key")),
    )
    op.create_table(
        "relationship_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("settings_version", sa.Integer(), nullable=False),
        sa.Column("key_score", sa.SmallInteger(), nullable=False),
        sa.Column("broad_score", sa.SmallInteger(), nullable=False),
        sa.Column("org_score", sa.SmallInteger(), nullable=False),
        sa.Column("health", sa.SmallInteger(), nullable=False),
        sa.Column("band", sa.String(length=12), nullable=False),
        sa.Column(
            "details", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_relationship_snapshots_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relationship_snapshots")),
        sa.UniqueConstraint("customer_id", "month", name=op.f("uq_relationship_snapshots_customer_id_month")),
    )
    with op.batch_alter_table("relationship_snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_relationship_snapshots_month_health", ["month", "health"], unique=False)

    op.create_table(
        "contact_competitor_prefs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("competitor", sa.String(length=200), nullable=False),
        sa.Column("preference", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_competitor_prefs_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_competitor_prefs")),
        sa.UniqueConstraint("contact_id", "competitor", name=op.f("uq_contact_competitor_prefs_contact_id_competitor")),
    )
    op.create_table(
        "contact_profiles",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.SmallInteger(), nullable=False),
        sa.Column("support", sa.SmallInteger(), nullable=False),
        sa.Column("coach", sa.Boolean(), nullable=False),
        sa.Column("influence", sa.String(length=8), nullable=False),
        sa.Column("decision_role", sa.String(length=20), nullable=True),
        sa.Column("chain", sa.String(length=12), nullable=True),
        sa.Column("orientation", sa.String(length=200), nullable=True),
        sa.Column("expected_days", sa.Integer(), nullable=True),
        sa.Column("rising_star", sa.Boolean(), nullable=False),
        sa.Column(
            "rising_reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("rising_owner_id", sa.Integer(), nullable=True),
        sa.Column("rising_plan", sa.Text(), nullable=True),
        sa.Column("departed_on", sa.Date(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_contact_profiles_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["rising_owner_id"], ["users.id"], name=op.f("fk_contact_profiles_rising_owner_id_users")
        ),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_contact_profiles_updated_by_users")),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_contact_profiles")),
    )

    op.create_table(
        "contact_relation_owners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_relation_owners_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_contact_relation_owners_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_relation_owners")),
        sa.UniqueConstraint("contact_id", "user_id", name=op.f("uq_contact_relation_owners_contact_id_user_id")),
    )
    with op.batch_alter_table("contact_relation_owners", schema=None) as batch_op:
        batch_op.create_index("ix_contact_relation_owners_user", ["user_id"], unique=False)

    op.create_table(
        "contact_stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.SmallInteger(), nullable=True),
        sa.Column("to_stage", sa.SmallInteger(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("changed_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["changed_by"], ["users.id"], name=op.f("fk_contact_stage_changes_changed_by_users")),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_stage_changes_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_stage_changes")),
    )
    with op.batch_alter_table("contact_stage_changes", schema=None) as batch_op:
        batch_op.create_index("ix_contact_stage_changes_contact_at", ["contact_id", "changed_at"], unique=False)

    op.create_table(
        "exec_pairings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("expected_days", sa.Integer(), nullable=False),
        sa.Column("remark", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", loam.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_exec_pairings_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_exec_pairings_created_by_users")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_exec_pairings_customer_id_customers")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_exec_pairings_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exec_pairings")),
        sa.UniqueConstraint("contact_id", "user_id", name=op.f("uq_exec_pairings_contact_id_user_id")),
    )
    with op.batch_alter_table("exec_pairings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exec_pairings_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exec_pairings_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index("ix_exec_pairings_user", ["user_id"], unique=False)

    op.create_table(
        "intel_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("confidence", sa.String(length=8), nullable=False),
        sa.Column("competitor", sa.String(length=200), nullable=True),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("subject_contact_id", sa.Integer(), nullable=True),
        sa.Column("change", sa.String(length=12), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", loam.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_intel_items_created_by_users")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_intel_items_customer_id_customers")),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_intel_items_opportunity_id_opportunities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subject_contact_id"],
            ["contacts.id"],
            name=op.f("fk_intel_items_subject_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intel_items")),
    )
    with op.batch_alter_table("intel_items", schema=None) as batch_op:
        batch_op.create_index("ix_intel_items_customer_occurred", ["customer_id", "occurred_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_intel_items_deleted_at"), ["deleted_at"], unique=False)

    op.create_table(
        "power_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_contact_id", sa.Integer(), nullable=False),
        sa.Column("to_contact_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("strength", sa.SmallInteger(), nullable=False),
        sa.Column("remark", sa.String(length=500), nullable=True),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_power_links_created_by_users")),
        sa.ForeignKeyConstraint(
            ["from_contact_id"],
            ["contacts.id"],
            name=op.f("fk_power_links_from_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_contact_id"], ["contacts.id"], name=op.f("fk_power_links_to_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_links")),
        sa.UniqueConstraint(
            "from_contact_id", "to_contact_id", "kind", name=op.f("uq_power_links_from_contact_id_to_contact_id_kind")
        ),
    )
    with op.batch_alter_table("power_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_power_links_to_contact_id"), ["to_contact_id"], unique=False)

    op.create_table(
        "exec_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("followup_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_exec_meetings_created_by_users")),
        sa.ForeignKeyConstraint(
            ["followup_id"], ["followups.id"], name=op.f("fk_exec_meetings_followup_id_followups"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["pairing_id"],
            ["exec_pairings.id"],
            name=op.f("fk_exec_meetings_pairing_id_exec_pairings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exec_meetings")),
    )
    with op.batch_alter_table("exec_meetings", schema=None) as batch_op:
        batch_op.create_index("ix_exec_meetings_pairing_planned", ["pairing_id", "planned_on"], unique=False)

    op.create_table(
        "followup_scenarios",
        sa.Column("followup_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column(
            "checked", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("guests", sa.Integer(), nullable=True),
        sa.Column("spent", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("quality", sa.SmallInteger(), nullable=True),
        sa.Column("support_effect", sa.SmallInteger(), nullable=True),
        sa.Column("stage_effect", sa.SmallInteger(), nullable=True),
        sa.Column("rated_by", sa.Integer(), nullable=True),
        sa.Column("rated_at", loam.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["followup_id"],
            ["followups.id"],
            name=op.f("fk_followup_scenarios_followup_id_followups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["rated_by"], ["users.id"], name=op.f("fk_followup_scenarios_rated_by_users")),
        sa.ForeignKeyConstraint(
            ["scenario_id"], ["contact_scenarios.id"], name=op.f("fk_followup_scenarios_scenario_id_contact_scenarios")
        ),
        sa.PrimaryKeyConstraint("followup_id", name=op.f("pk_followup_scenarios")),
    )
    with op.batch_alter_table("followup_scenarios", schema=None) as batch_op:
        batch_op.create_index("ix_followup_scenarios_scenario", ["scenario_id"], unique=False)

    op.create_table(
        "intel_item_contacts",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_intel_item_contacts_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["intel_items.id"], name=op.f("fk_intel_item_contacts_item_id_intel_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("item_id", "contact_id", name=op.f("pk_intel_item_contacts")),
    )
    with op.batch_alter_table("intel_item_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intel_item_contacts_contact_id"), ["contact_id"], unique=False)

    op.create_table(
        "intel_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("stance", sa.String(length=12), nullable=False),
        sa.Column("noted_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_intel_sources_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["intel_items.id"], name=op.f("fk_intel_sources_item_id_intel_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_intel_sources_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intel_sources")),
    )
    with op.batch_alter_table("intel_sources", schema=None) as batch_op:
        batch_op.create_index("ix_intel_sources_contact", ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_intel_sources_item_id"), ["item_id"], unique=False)

    with op.batch_alter_table("opportunity_contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain", sa.String(length=12), nullable=True))
    _grant()
    _seed_scenarios()


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM role_permissions WHERE permission IN :p").bindparams(
            sa.bindparam("p", expanding=True), p=sorted({p for _c, p in GRANTS})
        )
    )
    with op.batch_alter_table("opportunity_contacts", schema=None) as batch_op:
        batch_op.drop_column("chain")
    op.drop_table("intel_sources")
    op.drop_table("intel_item_contacts")
    op.drop_table("followup_scenarios")
    op.drop_table("exec_meetings")
    op.drop_table("power_links")
    op.drop_table("intel_items")
    op.drop_table("exec_pairings")
    op.drop_table("contact_stage_changes")
    op.drop_table("contact_relation_owners")
    op.drop_table("contact_profiles")
    op.drop_table("contact_competitor_prefs")
    op.drop_table("relationship_snapshots")
    op.drop_table("org_marks")
    op.drop_table("relationship_settings")
    op.drop_table("contact_scenarios")
