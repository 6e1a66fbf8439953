"""Data scopes resolved by build_scope, on the demo org (deterministic cases)."""

from __future__ import annotations

from loam.authz import service as authz_service
from loam.authz.scope import Scope
from loam.org import service as org_service
from loam.org.models import User
from loam.org.schemas import RoleWrite
from tests.helpers import scope_of
from tests.org.factories import role, user

SYSTEM = Scope.system()


def _give(session, user_id: int, *role_ids: int) -> None:
    u = session.get(User, user_id)
    org_service.set_user_roles(session, u, list(role_ids))
    session.flush()


def test_builtin_defaults_on_the_demo_org(session, ids):
    ar1 = scope_of(session, ids["ar1"])
    assert ar1.owners("customers") == {ids["ar1"]}
    director = scope_of(session, ids["director"])
    assert director.owners("customers") >= {ids[u] for u in ("director", "ar1", "ar2", "sr1", "fr1")}
    assert ids["finance1"] not in director.owners("customers")
    assert scope_of(session, ids["admin"]).owners("leads") is None


def test_widest_role_wins_per_module(session, ids):
    wide = org_service.add_role(
        session, SYSTEM, RoleWrite(code="wide_cust", name_zh="宽", name_en="Wide", data_scopes={"customers": 3})
    )
    _give(session, ids["ar1"], role(session, "ar").id, wide.id)
    scope = scope_of(session, ids["ar1"])
    assert scope.owners("customers") == {ids["ar1"], ids["sr1"], ids["fr1"]}  # team1
    assert scope.owners("leads") == {ids["ar1"]}  # the other modules keep the widest: own
    assert "customers.view" in scope.permissions  # permissions are the union of the roles


def test_own_and_subordinates_follows_the_manager_chain(session, ids):
    mid = user(session, "mid_manager", manager_id=ids["ar1"])
    low = user(session, "low_worker", manager_id=mid.id)
    r = org_service.add_role(
        session, SYSTEM, RoleWrite(code="subs", name_zh="下属", name_en="Subs", data_scopes={"leads": 2})
    )
    _give(session, ids["ar1"], r.id)
    assert scope_of(session, ids["ar1"]).owners("leads") == {ids["ar1"], mid.id, low.id}


def test_department_levels_without_a_department_see_only_themselves(session, ids):
    loner = user(session, "loner")
    r = org_service.add_role(
        session,
        SYSTEM,
        RoleWrite(code="dept4", name_zh="部门", name_en="Dept", data_scopes={"leads": 3, "contacts": 4}),
    )
    _give(session, loner.id, r.id)
    scope = scope_of(session, loner.id)
    assert scope.owners("leads") == {loner.id} and scope.owners("contacts") == {loner.id}


def test_manager_cycles_in_stored_data_terminate(session, ids):
    a, b, c = user(session, "cyc_a"), user(session, "cyc_b"), user(session, "cyc_c")
    a.manager_id, b.manager_id, c.manager_id = c.id, a.id, b.id  # imported data: a ← b ← c ← a
    session.flush()
    assert org_service.subordinate_ids(session, a.id) == {b.id, c.id}
    a.manager_id = a.id  # reports to themselves
    session.flush()
    assert org_service.subordinate_ids(session, a.id) == {b.id, c.id}
    r = org_service.add_role(
        session, SYSTEM, RoleWrite(code="cyc", name_zh="环", name_en="Cycle", data_scopes={"customers": 2})
    )
    _give(session, b.id, r.id)
    assert authz_service.build_scope(session, b).owners("customers") == {b.id, c.id}  # a now reports to a
