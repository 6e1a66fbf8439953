"""Approver resolution for every approver kind, through the org as the demo company has it."""

from __future__ import annotations

from loam.approvals import resolve
from loam.org import service as org_service
from tests.approvals.factories import set_head
from tests.helpers import scope_of


def test_named_users_drop_inactive_and_duplicates(session, ids):
    step = {"approver_kind": "users", "user_ids": [ids["sr1"], ids["fr1"], ids["sr1"]]}
    assert resolve.approvers(session, step, ids["ar1"]) == [ids["sr1"], ids["fr1"]]
    org_service.deactivate_user(session, scope_of(session, ids["admin"]), ids["fr1"])
    session.flush()
    assert resolve.approvers(session, step, ids["ar1"]) == [ids["sr1"]]


def test_role_resolves_to_its_active_holders(session, ids):
    assert resolve.approvers(session, {"approver_kind": "role", "role_code": "director"}, None) == [ids["director"]]
    assert resolve.approvers(session, {"approver_kind": "role", "role_code": "finance"}, None) == [ids["finance1"]]
    ars = resolve.approvers(session, {"approver_kind": "role", "role_code": "ar"}, None)
    assert {ids["ar1"], ids["ar2"]} <= set(ars)
    assert resolve.approvers(session, {"approver_kind": "role", "role_code": "nope"}, None) == []


def test_department_head_walks_up_to_the_nearest_head_who_is_not_the_submitter(session, ids):
    step = {"approver_kind": "dept_head"}
    # ar1's team has no head: the account department above it is headed by the director
    assert resolve.approvers(session, step, ids["ar1"]) == [ids["director"]]
    # the director heads his own department: nobody above has a head yet
    assert resolve.approvers(session, step, ids["director"]) == []
    set_head(session, ids["company"], ids["admin"])
    assert resolve.approvers(session, step, ids["director"]) == [ids["admin"]]
    set_head(session, ids["team1"], ids["sr1"])
    assert resolve.approvers(session, step, ids["ar1"]) == [ids["sr1"]]
    assert resolve.approvers(session, step, ids["sr1"]) == [ids["director"]]  # sr1 heads team1 but is the submitter
    assert resolve.approvers(session, step, None) == []


def test_nth_supervisor_follows_managers_then_department_heads(session, ids):
    def sup(user: str, level: int) -> list[int]:
        return resolve.approvers(session, {"approver_kind": "supervisor", "level": level}, ids[user])

    assert sup("ar1", 1) == [ids["director"]]  # manager_id
    assert sup("ar1", 2) == []  # the director has no manager and nobody above heads a department
    assert sup("finance1", 1) == []
    set_head(session, ids["company"], ids["admin"])
    assert sup("ar1", 2) == [ids["admin"]]  # the director's fallback: the company's head
    assert sup("finance1", 1) == [ids["admin"]]  # no manager: the nearest department head above
    assert sup("ar1", 3) == []  # the chain ends (never loops back)


def test_supervisor_that_is_inactive_resolves_to_nobody(session, ids):
    org_service.deactivate_user(session, scope_of(session, ids["admin"]), ids["director"])
    session.flush()
    assert resolve.approvers(session, {"approver_kind": "supervisor", "level": 1}, ids["ar1"]) == []
    assert resolve.approvers(session, {"approver_kind": "dept_head"}, ids["ar1"]) == []


def test_chosen_uses_the_submitters_picks_and_administrators_hold_approvals_manage(session, ids):
    step = {"approver_kind": "chosen", "chosen_ids": [ids["fr1"], ids["sr1"]]}
    assert resolve.approvers(session, step, ids["ar1"]) == [ids["fr1"], ids["sr1"]]
    assert resolve.administrators(session) == [ids["admin"]]
