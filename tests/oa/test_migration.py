"""The OA tables built by the migration match the models; the seeds (types, default flow, grants) are there."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

import loam.models  # noqa: F401  (every table in the metadata)
from loam import db
from loam.approvals.models import ApprovalFlow, ApprovalFlowStep
from loam.db import Base
from loam.oa.models import OaType
from loam.org.models import Role, RolePermission

TABLES = {"oa_types", "oa_requests"}


def _mentions_ours(diff: object) -> bool:
    text = repr(diff)
    return any(f"'{t}'" in text or f"table_name='{t}'" in text or f"Table('{t}'" in text for t in TABLES)


def test_models_match_the_migration() -> None:
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert [d for d in diffs if _mentions_ours(d)] == []


def test_seeded_types_and_default_flow(session) -> None:
    types = {t.code: t for t in session.scalars(select(OaType))}
    assert {"general", "leave", "trip", "overtime", "expense", "loan"} <= set(types)
    assert types["general"].fields == []
    assert {f["kind"] for f in types["expense"].fields} == {"money", "select", "date"}
    flow = session.scalar(select(ApprovalFlow).where(ApprovalFlow.doc_type == "oa_request"))
    assert flow is not None and flow.active
    steps = list(session.scalars(select(ApprovalFlowStep).where(ApprovalFlowStep.flow_id == flow.id)))
    assert [(s.approver_kind, s.when_empty) for s in steps] == [("dept_head", "admin")]


def test_the_admin_role_manages_types(session) -> None:
    admin = session.scalar(select(Role).where(Role.code == "admin"))
    director = session.scalar(select(Role).where(Role.code == "director"))
    granted = {
        (p.role_id, p.permission)
        for p in session.scalars(select(RolePermission).where(RolePermission.permission.like("oa.%")))
    }
    assert (admin.id, "oa.manage") in granted and (director.id, "oa.manage") not in granted
    assert (director.id, "oa.request") in granted


def test_downgrade_removes_everything_and_upgrade_restores_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Down to i5d_receivables_custom with an OA request in approval (its approval rows go too), then up again."""
    from sqlalchemy import inspect, text
    from sqlalchemy.orm import Session

    from loam import migrate
    from loam.approvals import service as approval_service
    from loam.demo import org as demo_org
    from loam.oa import service
    from loam.oa.schemas import RequestCreate
    from tests.helpers import scope_of
    from tests.ops.scratch import WORKER, scratch_database

    with scratch_database(tmp_path, f"loam_oa_mig_{WORKER}") as url:
        migrate.upgrade(url)
        engine = db.make_engine(url)
        try:
            with Session(engine) as s:
                org = demo_org.build(s)
                scope = scope_of(s, org.ar1.id)
                r = service.create(s, scope, RequestCreate(type="general", title="迁移测试", values={}))
                service.submit(s, scope, r.id)
                assert approval_service.pending(s, "oa_request", r.id) is not None
                s.commit()
            migrate.downgrade(url, "i5d_receivables_custom")
            with engine.connect() as conn:
                assert not TABLES & set(inspect(conn).get_table_names())
                assert conn.scalar(text("SELECT COUNT(*) FROM approval_instances WHERE doc_type = 'oa_request'")) == 0
                assert conn.scalar(text("SELECT COUNT(*) FROM approval_flows WHERE doc_type = 'oa_request'")) == 0
                assert conn.scalar(text("SELECT COUNT(*) FROM role_permissions WHERE permission LIKE 'oa.%'")) == 0
                assert conn.scalar(text("SELECT COUNT(*) FROM role_data_scopes WHERE module = 'oa'")) == 0
            migrate.upgrade(url)
            with engine.connect() as conn:
                assert conn.scalar(text("SELECT COUNT(*) FROM oa_types")) == 6
                admin_grants = text(
                    "SELECT COUNT(*) FROM role_permissions p JOIN roles r ON r.id = p.role_id "
                    "WHERE r.code = 'admin' AND p.permission = 'oa.manage'"
                )
                assert conn.scalar(admin_grants) == 1
                scopes = text("SELECT COUNT(*) FROM role_data_scopes WHERE module = 'oa'")
                assert conn.scalar(scopes) == conn.scalar(text("SELECT COUNT(*) FROM roles"))
        finally:
            engine.dispose()
