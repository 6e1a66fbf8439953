"""Property-based tests of data-scope resolution (build_scope) on random org trees, managers and roles.

Every example runs inside a SAVEPOINT that is rolled back, on top of a fixed pool of users created
once per test through the org services (argon2 hashing is too slow to create users per example).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loam.authz import service as authz_service
from loam.authz.permissions import Module
from loam.authz.scope import Scope
from loam.errors import Invalid
from loam.org import service as org_service
from loam.org.models import Department, User
from loam.org.schemas import DepartmentCreate, DepartmentUpdate, RoleWrite, UserUpdate
from tests.org.factories import user

SYSTEM = Scope.system()
POOL = 6
MODULES = [m.value for m in Module]
# One probe role shows four levels at once: leads=own … followups=department and below.
PROBE = {"leads": 1, "customers": 2, "contacts": 3, "followups": 4}

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Org:
    parents: list[int | None]  # department i's parent index (< i): a forest
    moves: list[tuple[int, int | None]]
    user_dept: list[int | None]
    managers: list[int | None]
    force_cycles: bool
    roles: list[dict[str, int]]
    user_roles: list[list[int]]
    extra_role: list[int]


@st.composite
def orgs(draw: st.DrawFn) -> Org:
    n = draw(st.integers(1, 6))
    parents: list[int | None] = [None] + [draw(st.none() | st.integers(0, i - 1)) for i in range(1, n)]
    dept_ix = st.integers(0, n - 1)
    moves = draw(st.lists(st.tuples(dept_ix, st.none() | dept_ix), max_size=3))
    user_dept = draw(st.lists(st.none() | dept_ix, min_size=POOL, max_size=POOL))
    managers = draw(st.lists(st.none() | st.integers(0, POOL - 1), min_size=POOL, max_size=POOL))
    levels = st.dictionaries(st.sampled_from(MODULES), st.integers(1, 5), max_size=4)
    roles = draw(st.lists(levels, min_size=1, max_size=3))
    role_ix = st.integers(0, len(roles) - 1)
    user_roles = draw(st.lists(st.lists(role_ix, unique=True, max_size=len(roles)), min_size=POOL, max_size=POOL))
    extra = draw(st.lists(role_ix, min_size=POOL, max_size=POOL))
    return Org(parents, moves, user_dept, managers, draw(st.booleans()), roles, user_roles, extra)


# --- the model: what the answer should be, computed without the database ---------------------------


def subtree(parents: list[int | None], d: int) -> set[int]:
    out = {d}
    changed = True
    while changed:
        changed = False
        for i, p in enumerate(parents):
            if p in out and i not in out:
                out.add(i)
                changed = True
    return out


def reaches(managers: list[int | None], start: int | None, target: int) -> bool:
    seen: set[int] = set()
    while start is not None and start not in seen:
        if start == target:
            return True
        seen.add(start)
        start = managers[start]
    return False


def reports(managers: list[int | None], u: int) -> set[int]:
    out: set[int] = set()
    frontier = {u}
    while frontier:
        frontier = {i for i, m in enumerate(managers) if m in frontier and i not in out and i != u}
        out |= frontier
    return out


def expected(org: Org, parents: list[int | None], managers: list[int | None], u: int, level: int) -> set[int] | None:
    if level == 5:
        return None
    if level == 1:
        return {u}
    if level == 2:
        return {u} | reports(managers, u)
    d = org.user_dept[u]
    if d is None:
        return {u}
    depts = subtree(parents, d) if level == 4 else {d}
    return {u} | {i for i in range(POOL) if org.user_dept[i] in depts}


# --- building the random org through the services ------------------------------------------------


@pytest.fixture
def pool(session) -> list[int]:
    return [user(session, f"hyp_user_{i}").id for i in range(POOL)]


def _build(session, org: Org, pool: list[int]) -> tuple[list[int], list[int | None], list[int | None]]:
    """Create departments, apply the moves, place users and managers; return dept ids and the model's state."""
    dept_ids: list[int] = []
    for i, p in enumerate(org.parents):
        data = DepartmentCreate(name=f"部门{i}", parent_id=None if p is None else dept_ids[p])
        dept_ids.append(org_service.add_department(session, SYSTEM, data).id)
    parents = list(org.parents)
    for d, target in org.moves:
        legal = target is None or target not in subtree(parents, d)
        dept = session.get(Department, dept_ids[d])
        data = DepartmentUpdate(
            name=dept.name, parent_id=None if target is None else dept_ids[target], version=dept.version
        )
        if legal:
            org_service.update_department(session, SYSTEM, dept.id, data)
            parents[d] = target
        else:
            with pytest.raises(Invalid):
                org_service.update_department(session, SYSTEM, dept.id, data)
    managers: list[int | None] = [None] * POOL
    refused: list[int] = []
    for i, uid in enumerate(pool):
        u = session.get(User, uid)
        m = org.managers[i]
        dept = None if org.user_dept[i] is None else dept_ids[org.user_dept[i]]
        data = UserUpdate(display_name=u.display_name, department_id=dept, manager_id=None, version=u.version)
        cycle = m is not None and reaches(managers, m, i)
        if m is not None and not cycle:
            data.manager_id = pool[m]
            managers[i] = m
        elif cycle:
            with pytest.raises(Invalid):
                org_service.update_user(session, SYSTEM, uid, data.model_copy(update={"manager_id": pool[m]}))
            refused.append(i)
        org_service.update_user(session, SYSTEM, uid, data)
    if org.force_cycles:  # stored data can still hold cycles (imports, older versions): resolution must end
        for i in refused:
            session.get(User, pool[i]).manager_id = pool[org.managers[i]]  # type: ignore[index]
            managers[i] = org.managers[i]
        session.flush()
    return dept_ids, parents, managers


def _roles(session, levels: list[dict[str, int]], prefix: str) -> list[int]:
    return [
        org_service.add_role(
            session, SYSTEM, RoleWrite(code=f"{prefix}{i}", name_zh="r", name_en="r", data_scopes=lv)
        ).id
        for i, lv in enumerate(levels)
    ]


def _scope(session, uid: int, role_ids: list[int]) -> Scope:
    u = session.get(User, uid)
    org_service.set_user_roles(session, u, role_ids)
    session.flush()
    return authz_service.build_scope(session, u)


def _as_ids(pool: list[int], owners: set[int] | None) -> frozenset[int] | None:
    return None if owners is None else frozenset(pool[i] for i in owners)


def _subset(a: frozenset[int] | None, b: frozenset[int] | None) -> bool:
    """a ⊆ b where None means everyone."""
    return b is None or (a is not None and a <= b)


# --- properties ----------------------------------------------------------------------------------


@SETTINGS
@given(org=orgs())
def test_scope_levels_form_a_lattice_and_match_the_model(session, pool, org):
    nested = session.begin_nested()
    try:
        _dept_ids, parents, managers = _build(session, org, pool)
        probe, everything = _roles(session, [PROBE, dict.fromkeys(MODULES, 5)], "probe")
        for i, uid in enumerate(pool):
            scope = _scope(session, uid, [probe])
            own, subs, dept, below = (scope.owners(m) for m in ("leads", "customers", "contacts", "followups"))
            for level, got in zip((1, 2, 3, 4), (own, subs, dept, below), strict=True):
                assert got == _as_ids(pool, expected(org, parents, managers, i, level)), (level, i)
                assert got is not None and uid in got  # the user always sees themselves
            assert own == {uid}
            assert _subset(own, subs) and _subset(own, dept) and _subset(dept, below)
            all_scope = _scope(session, uid, [everything])
            assert all(all_scope.owners(m) is None for m in MODULES)
    finally:
        nested.rollback()


@SETTINGS
@given(org=orgs())
def test_widest_role_wins_and_more_roles_never_see_less(session, pool, org):
    nested = session.begin_nested()
    try:
        _dept_ids, parents, managers = _build(session, org, pool)
        role_ids = _roles(session, org.roles, "hyp")
        for i, uid in enumerate(pool):
            mine = [role_ids[r] for r in org.user_roles[i]]
            scope = _scope(session, uid, mine)
            for m in MODULES:
                # every granted level counts (a module a role leaves out is "own" for that role)
                granted = {org.roles[r].get(m, 1) for r in org.user_roles[i]} or {1}
                want = [expected(org, parents, managers, i, lv) for lv in granted]
                union = None if any(w is None for w in want) else set().union(*want)  # type: ignore[arg-type]
                assert scope.owners(m) == _as_ids(pool, union), (m, granted)
                if max(granted) == 5:
                    assert scope.owners(m) is None
            more = _scope(session, uid, sorted({*mine, role_ids[org.extra_role[i]]}))
            for m in MODULES:
                assert _subset(scope.owners(m), more.owners(m))
    finally:
        nested.rollback()
