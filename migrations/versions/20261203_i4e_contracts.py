"""contracts, numbering and templates

Revision ID: i4e_contracts
Revises: i4d_approvals
Create Date: 2026-12-03 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import loam.db

revision: str = "i4e_contracts"
down_revision: str | None = "i4d_approvals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _contracts() -> None:
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("customer_signatory_id", sa.Integer(), nullable=True),
        sa.Column("our_signatory_id", sa.Integer(), nullable=True),
        sa.Column("signing_entity", sa.String(length=200), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_terms", sa.Text(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("remark", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("approved_at", loam.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.String(length=500), nullable=True),
        sa.Column("voided_at", loam.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voided_by", sa.Integer(), nullable=True),
        sa.Column("custom", JSON, nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", loam.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_contracts_customer_id_customers")),
        sa.ForeignKeyConstraint(
            ["opportunity_id"], ["opportunities.id"], name=op.f("fk_contracts_opportunity_id_opportunities")
        ),
        sa.ForeignKeyConstraint(
            ["customer_signatory_id"], ["contacts.id"], name=op.f("fk_contracts_customer_signatory_id_contacts")
        ),
        sa.ForeignKeyConstraint(["our_signatory_id"], ["users.id"], name=op.f("fk_contracts_our_signatory_id_users")),
        sa.ForeignKeyConstraint(["voided_by"], ["users.id"], name=op.f("fk_contracts_voided_by_users")),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_contracts_owner_id_users")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_contracts_department_id_departments")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_contracts_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("number", name="uq_contracts_number"),
    )
    op.create_index(op.f("ix_contracts_customer_id"), "contracts", ["customer_id"], unique=False)
    op.create_index(op.f("ix_contracts_opportunity_id"), "contracts", ["opportunity_id"], unique=False)
    op.create_index(op.f("ix_contracts_owner_id"), "contracts", ["owner_id"], unique=False)
    op.create_index(op.f("ix_contracts_department_id"), "contracts", ["department_id"], unique=False)
    op.create_index(op.f("ix_contracts_deleted_at"), "contracts", ["deleted_at"], unique=False)
    op.create_index("ix_contracts_owner_updated", "contracts", ["owner_id", "updated_at"], unique=False)
    op.create_index("ix_contracts_status_end", "contracts", ["status", "end_on"], unique=False)
    op.create_index("ix_contracts_signed_on", "contracts", ["signed_on"], unique=False)


def _support_tables() -> None:
    op.create_table(
        "contract_counters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_counters")),
        sa.UniqueConstraint("prefix", name="uq_contract_counters_prefix"),
    )
    op.create_table(
        "contract_settings",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.Column("updated_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_contract_settings_updated_by_users")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_contract_settings")),
    )
    op.create_table(
        "contract_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.id"], name=op.f("fk_contract_templates_uploaded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_templates")),
    )
    op.create_index("ix_contract_templates_kind_active", "contract_templates", ["kind", "active"], unique=False)
    op.create_table(
        "contract_prints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", loam.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"], ["contract_templates.id"], name=op.f("fk_contract_prints_template_id_contract_templates")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_contract_prints_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_prints")),
    )
    op.create_index("ix_contract_prints_entity_record", "contract_prints", ["entity", "record_id", "id"], unique=False)
    op.create_index(op.f("ix_contract_prints_template_id"), "contract_prints", ["template_id"], unique=False)


def upgrade() -> None:
    _contracts()
    _support_tables()


def downgrade() -> None:
    op.drop_index(op.f("ix_contract_prints_template_id"), table_name="contract_prints")
    op.drop_index("ix_contract_prints_entity_record", table_name="contract_prints")
    op.drop_table("contract_prints")
    op.drop_index("ix_contract_templates_kind_active", table_name="contract_templates")
    op.drop_table("contract_templates")
    op.drop_table("contract_settings")
    op.drop_table("contract_counters")
    op.drop_index("ix_contracts_signed_on", table_name="contracts")
    op.drop_index("ix_contracts_status_end", table_name="contracts")
    op.drop_index("ix_contracts_owner_updated", table_name="contracts")
    op.drop_index(op.f("ix_contracts_deleted_at"), table_name="contracts")
    op.drop_index(op.f("ix_contracts_department_id"), table_name="contracts")
    op.drop_index(op.f("ix_contracts_owner_id"), table_name="contracts")
    op.drop_index(op.f("ix_contracts_opportunity_id"), table_name="contracts")
    op.drop_index(op.f("ix_contracts_customer_id"), table_name="contracts")
    op.drop_table("contracts")
