"""The dashboard's opportunity-to-cash sections: my pipeline, my approvals, my overdue receivables and my
expiring contracts — each the caller's own, and only with the domain's permission."""

from __future__ import annotations

from decimal import Decimal

from loam.dashboard import service
from tests.helpers import login, scope_of
from tests.reports.factories import CUR

D = Decimal


def test_sections_hold_the_callers_own_numbers(session, world, ids):
    ar1 = service.for_user(session, scope_of(session, ids["ar1"]))
    mine = [(line.stage, line.count, line.amount) for line in ar1.my_pipeline if line.currency == CUR]
    assert mine == [
        ("验证客户", 1, D("100000.00")),
        ("需求分析", 1, D("200000.00")),
        ("方案/报价", 1, D("300000.00")),
        ("谈判", 1, D("400000.00")),
    ]
    assert [(p.contract_number, p.outstanding) for p in ar1.overdue_receivables] == [
        (world.contracts["C1"].number, D("200000.00"))
    ]
    assert [c.id for c in ar1.expiring_contracts] == [world.contracts["C1"].id]  # ends in 10 days
    assert ar1.approvals_pending == 0
    director = service.for_user(session, scope_of(session, ids["director"]))
    assert [line for line in director.my_pipeline if line.currency == CUR] == []  # owns none himself
    assert director.overdue_receivables == [] and director.expiring_contracts == []
    finance = service.for_user(session, scope_of(session, ids["finance1"]))
    assert finance.my_pipeline == [] and finance.expiring_contracts == []


def test_pending_approvals_count_is_the_approvers(session, world, ids):
    from loam.approvals import service as approval_service
    from loam.contracts import lifecycle

    draft = world.contracts["C3"]
    lifecycle.submit(session, scope_of(session, ids["ar1"]), draft.id)
    session.flush()
    instance = approval_service.pending(session, "contract", draft.id)
    assert instance is not None
    approvers = {t.user_id for t in approval_service.tasks(session, instance) if t.status == "pending"}
    approver = sorted(approvers)[0]
    assert service.for_user(session, scope_of(session, approver)).approvals_pending >= 1
    assert service.for_user(session, scope_of(session, ids["ar2"])).approvals_pending == 0


def test_sections_need_the_domain_permission(session, ids):
    from loam.authz import service as authz_service
    from loam.org import service as org_service
    from loam.org.schemas import UserCreate

    user = org_service.create_user(
        session, UserCreate(username="bare", display_name="无权限", password="loam-demo-pass", role_ids=[])
    )
    session.flush()
    board = service.for_user(session, authz_service.build_scope(session, user))
    assert (board.my_pipeline, board.overdue_receivables, board.expiring_contracts) == (None, None, None)
    assert board.approvals_pending == 0  # anyone may be asked to approve


def test_page_shows_the_sections(connection, world):
    html = login("ar1").get("/").text
    for testid in ("my-pipeline", "my-overdue", "expiring-contracts", "stat-approvals"):
        assert f'data-testid="{testid}"' in html
    assert world.contracts["C1"].number in html and "200,000.00" in html
