"""Resolving a user into a Scope, and the permission checks every service uses."""

from __future__ import annotations

import threading
from collections import OrderedDict
from types import MappingProxyType

from sqlalchemy.orm import Session

from loam.authz import repository as repo
from loam.authz.permissions import DataScope, Module, Permission
from loam.authz.scope import Scope
from loam.db import utcnow
from loam.errors import Forbidden
from loam.kit.i18n import gettext as _
from loam.org import service as org_service
from loam.org.models import User

SCOPE_CACHE_SIZE = 2048
_scopes: OrderedDict[tuple[str, int, str], Scope] = OrderedDict()
_scopes_lock = threading.Lock()


def scope_for(session: Session, user: User) -> Scope:
    """The user's Scope, from this process's cache when nothing it is built from has changed since.

    The key holds the database, the user and the ``authz_state`` token, which triggers (migration
    i5f_scope_token) replace whenever users, roles, grants, departments or pools change. The token is read
    before the data, so a cached Scope is never older than the token it is filed under. Scopes are immutable,
    so threads share them. Requests use this; code that changes roles and needs the new Scope in the same
    transaction calls :func:`build_scope`.
    """
    token = repo.scope_token(session)
    if token is None:  # a database without the token row: never cache
        return build_scope(session, user)
    key = (str(session.get_bind().engine.url), user.id, token)
    with _scopes_lock:
        found = _scopes.get(key)
        if found is not None:
            _scopes.move_to_end(key)
            return found
    scope = build_scope(session, user)
    with _scopes_lock:
        _scopes[key] = scope
        while len(_scopes) > SCOPE_CACHE_SIZE:
            _scopes.popitem(last=False)
    return scope


def build_scope(session: Session, user: User) -> Scope:
    """Resolve permissions (union of roles) and, per module, the union of what the user's roles' data scopes show.

    The levels are not nested (本人及下属 may reach people outside 本部门), so the widest wins by taking the
    union of the owners each granted level shows: adding a role never narrows what a user sees.
    """
    permissions, _widest = org_service.role_grants(session, user.id)
    levels = org_service.role_scope_levels(session, user.id)
    visible: dict[str, frozenset[int] | None] = {}
    cache: dict[int, frozenset[int] | None] = {}
    for module in Module:
        sets = []
        for level in levels.get(module.value) or {int(DataScope.own)}:
            if level not in cache:
                cache[level] = _owners_for(session, user, DataScope(level))
            sets.append(cache[level])
        visible[module.value] = None if any(s is None for s in sets) else frozenset().union(*sets)  # type: ignore[arg-type]
    return Scope(
        user_id=user.id,
        department_id=user.department_id,
        permissions=frozenset(permissions),
        visible_owners=MappingProxyType(visible),
        pool_ids=frozenset(_pool_ids(session, user)),
        locale=user.locale or "zh_CN",
        display_name=user.display_name,
        username=user.username,
    )


def _owners_for(session: Session, user: User, level: DataScope) -> frozenset[int] | None:
    if level == DataScope.all:
        return None
    if level == DataScope.own:
        return frozenset({user.id})
    if level == DataScope.own_and_subordinates:
        return frozenset({user.id, *org_service.subordinate_ids(session, user.id)})
    if user.department_id is None:
        return frozenset({user.id})
    below = level == DataScope.department_and_below
    return frozenset({user.id, *org_service.user_ids_in_department(session, user.department_id, below)})


def require(scope: Scope, permission: Permission) -> None:
    """Raise 403 unless the caller holds ``permission`` (call only after the record was found in scope)."""
    if not scope.can(permission):
        raise Forbidden(_("You do not have permission to do this."))


def member_record_ids(scope: Scope, entity: str, write: bool = False):  # type: ignore[no-untyped-def]
    """A sub-select of record ids where the caller is a current team member (协作人)."""
    return repo.member_record_ids(scope.user_id, entity, utcnow(), write)


def member_access(session: Session, scope: Scope, entity: str, record_id: int) -> str | None:
    """The caller's current team-member access to one record: 'read', 'write' or None."""
    if scope.user_id is None:
        return None
    return repo.member_access(session, scope.user_id, entity, record_id, utcnow())


def _pool_ids(session: Session, user: User) -> list[int]:
    """Active pools the user belongs to, directly or through their department (or one above it)."""
    dept_ids: list[int] = []
    if user.department_id is not None:
        path = repo.department_path(session, user.department_id)
        dept_ids = [int(p) for p in path.strip("/").split("/") if p]
    return repo.pool_ids(session, user.id, user.department_id, dept_ids)


def move_members(
    session: Session,
    entity: str,
    from_id: int,
    to_id: int,
    ids: list[int] | None = None,
    skip_user_ids: set[int] | None = None,
) -> list[int]:
    """Merge support: move the team members (协作人) of one record to another of the same kind without
    duplicates (a user already on the target's team, or in ``skip_user_ids`` such as its owner, is left on
    the source record); only rows ``ids`` when given (undo). The caller has authorised it; returns moved row ids."""
    return repo.move_members(session, entity, from_id, to_id, ids, skip_user_ids or set())


def cli_scope(session: Session, username: str | None) -> Scope:
    """The scope a command-line action runs with: ``--as USERNAME``, or the only active administrator
    when no name is given (several administrators: the caller must say who)."""
    from loam.errors import Invalid

    users = org_service.active_users(session)
    if username is not None:
        found = [u for u in users if u.username == username]
        if not found:
            raise Invalid(_("No active user %(name)s.", name=username[:64]))
        return build_scope(session, found[0])
    admins = [u for u in users if Permission.org_manage.value in org_service.role_grants(session, u.id)[0]]
    if len(admins) != 1:
        raise Invalid(_("There are %(n)s active administrators: say who with --as.", n=len(admins)))
    return build_scope(session, admins[0])
