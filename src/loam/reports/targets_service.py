"""Sales targets (业绩目标): per user or department, per year, twelve months, contract amount or receipts.

Seeing targets needs ``reports.view``; changing them ``targets.manage``. Either way a caller reaches only
the targets of people in their data scope for the metric's module (contracts or receivables) and of
departments whose every member is in it — the same people whose actual numbers they can see.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Module, Permission
from loam.authz.scope import Scope
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.org import service as org_service
from loam.reports import repository as repo
from loam.reports.models import MONTHS, SalesTarget
from loam.reports.repository import TargetReach
from loam.reports.schemas import GridRow, TargetCreate, TargetFilters, TargetGrid, TargetUpdate

ENTITY = "sales_target"
MODULES = {"contract_amount": Module.contracts, "receipts": Module.receivables}
ZERO = Decimal("0.00")


def _members_by_department(session: Session) -> dict[int, set[int]]:
    """Active users in each department and below."""
    departments = org_service.list_departments(session)
    direct: dict[int, set[int]] = {}
    for user in org_service.active_users(session):
        if user.department_id is not None:
            direct.setdefault(user.department_id, set()).add(user.id)
    return {
        d.id: set().union(*[direct.get(o.id, set()) for o in departments if o.path.startswith(d.path)])
        for d in departments
    }


def reach(session: Session, scope: Scope) -> TargetReach:
    """Whose targets the caller reaches, per metric (see the module docstring)."""
    users: dict[str, frozenset[int] | None] = {}
    departments: dict[str, frozenset[int] | None] = {}
    members: dict[int, set[int]] | None = None
    for metric, module in MODULES.items():
        owners = scope.owners(module)
        users[metric] = owners
        if owners is None:
            departments[metric] = None
            continue
        members = members if members is not None else _members_by_department(session)
        departments[metric] = frozenset(d for d, people in members.items() if people and people <= owners)
    return TargetReach(users, departments)


def list_targets(
    session: Session, scope: Scope, f: TargetFilters, page: int = 1, size: int = 25
) -> tuple[list[SalesTarget], int]:
    """One page of the targets the caller reaches (``reports.view``), newest year first."""
    authz_service.require(scope, Permission.reports_view)
    user_ids = [f.user_id] if f.user_id else None
    department_ids = [f.department_id] if f.department_id else None
    if f.user_id and not f.department_id:
        department_ids = []
    if f.department_id and not f.user_id:
        user_ids = []
    return repo.target_page(session, reach(session, scope), f.year, f.metric, user_ids, department_ids, page, size)


def get_target(session: Session, scope: Scope, target_id: int) -> SalesTarget:
    """A target the caller reaches, or 404 (``reports.view``, else 403)."""
    authz_service.require(scope, Permission.reports_view)
    found = repo.target(session, target_id, reach(session, scope))
    if found is None:
        raise NotFound(_("Target not found."))
    return found


def _check_subject(session: Session, scope: Scope, metric: str, user_id: int | None, department_id: int | None) -> None:
    """The subject exists (422) and is within the caller's reach for the metric (403)."""
    if user_id is not None:
        try:
            org_service.get_user(session, user_id)
        except NotFound:
            raise Invalid(_("User not found."), detail={"user_id": _("Choose a user.")}) from None
    elif department_id is not None:
        try:
            org_service.get_department(session, department_id)
        except NotFound:
            raise Invalid(_("Department not found."), detail={"department_id": _("Choose a department.")}) from None
    r = reach(session, scope)
    users, departments = r.users[metric], r.departments[metric]
    ok = (
        (users is None or user_id in users)
        if user_id is not None
        else (departments is None or department_id in departments)
    )
    if not ok:
        raise Forbidden(_("You can only set targets for people whose numbers you can see."))


def _months(values: list[Decimal]) -> dict[str, Decimal]:
    return {f"m{m}": values[m - 1] for m in MONTHS}


def _flush(session: Session) -> None:
    """Flush in a savepoint so that a target created meanwhile for the same subject is a 409, not a 500."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(_("This person or department already has a target for that year and metric.")) from None


def create_target(session: Session, scope: Scope, data: TargetCreate) -> SalesTarget:
    """Add a target (``targets.manage``); one per subject, year and metric (409); audited."""
    authz_service.require(scope, Permission.targets_manage)
    _check_subject(session, scope, data.metric, data.user_id, data.department_id)
    if repo.target_for(session, data.year, data.metric, data.user_id, data.department_id) is not None:
        raise Conflict(_("This person or department already has a target for that year and metric."))
    values = data.model_dump(exclude={"months"}) | _months(data.months)
    target = SalesTarget(**values, created_by=scope.user_id)
    session.add(target)
    _flush(session)
    audit.record(session, scope, ENTITY, target.id, "create", {k: [None, audit.jsonable(v)] for k, v in values.items()})
    return target


def update_target(session: Session, scope: Scope, target_id: int, data: TargetUpdate) -> SalesTarget:
    """New month values (``targets.manage``); a stale ``version`` is a 409 and nothing is written."""
    target = get_target(session, scope, target_id)
    authz_service.require(scope, Permission.targets_manage)
    if data.version != target.version:
        raise Conflict(_("Someone else changed this target. Reload and try again."))
    _apply(session, scope, target, data.currency, data.months)
    return target


def _apply(session: Session, scope: Scope, target: SalesTarget, currency: str, months: list[Decimal]) -> None:
    changes = audit.apply_changes(target, {"currency": currency} | _months(months))
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, target.id, "update", changes)


def delete_target(session: Session, scope: Scope, target_id: int) -> None:
    """Remove a target for good (``targets.manage``; targets are settings, not records: no recycle bin);
    the audit row keeps its values."""
    target = get_target(session, scope, target_id)
    authz_service.require(scope, Permission.targets_manage)
    audit.record(
        session,
        scope,
        ENTITY,
        target.id,
        "delete",
        {f"m{m}": [str(v), None] for m, v in zip(MONTHS, target.months, strict=True)},
    )
    session.delete(target)
    session.flush()


@dataclass
class GridLine:
    """One row of the grid editor: a department or a user, and their target (None: not set yet)."""

    kind: str  # "department" | "user"
    id: int
    name: str
    target: SalesTarget | None


def grid(session: Session, scope: Scope, year: int, metric: str, department_id: int) -> list[GridLine]:
    """The grid editor's rows for one department: the department, its direct sub-departments and its users,
    each with its target for the year and metric (``targets.manage``; only subjects the caller reaches)."""
    authz_service.require(scope, Permission.targets_manage)
    department = org_service.get_department(session, department_id)
    r = reach(session, scope)
    users, depts = r.users[metric], r.departments[metric]
    lines = [GridLine("department", department.id, department.name, None)]
    lines += [
        GridLine("department", d.id, d.name, None)
        for d in org_service.list_departments(session)
        if d.parent_id == department.id
    ]
    lines = [line for line in lines if depts is None or line.id in depts]
    people = [u for u in org_service.active_users(session) if u.department_id == department.id]
    lines += [GridLine("user", u.id, u.display_name, None) for u in people if users is None or u.id in users]
    found = repo.targets_of(
        session,
        r,
        year,
        metric,
        [x.id for x in lines if x.kind == "user"],
        [x.id for x in lines if x.kind == "department"],
    )
    by_subject = {("user", t.user_id) if t.user_id else ("department", t.department_id): t for t in found}
    for line in lines:
        line.target = by_subject.get((line.kind, line.id))
    return lines


def save_grid(session: Session, scope: Scope, department_id: int, data: TargetGrid) -> int:
    """Save the grid of one department (``targets.manage``): each row creates, updates or leaves its target;
    a row for a subject not on the grid is a 422, a stale row a 409, and then nothing is saved. Returns the
    number of targets written."""
    lines = grid(session, scope, data.year, data.metric, department_id)
    allowed = {(line.kind, line.id): line.target for line in lines}
    written = 0
    for row in data.rows:
        key = ("user", row.user_id) if row.user_id else ("department", row.department_id)
        if key not in allowed:
            raise Invalid(_("A row of the grid is not part of this department."))
        written += _save_row(session, scope, data, row, allowed[key])  # type: ignore[arg-type]
    return written


def _save_row(session: Session, scope: Scope, data: TargetGrid, row: GridRow, existing: SalesTarget | None) -> int:
    if existing is None:
        if row.version is not None:
            raise Conflict(_("Someone else changed these targets. Reload and try again."))
        if not any(row.months):
            return 0
        create_target(
            session,
            scope,
            TargetCreate(
                year=data.year,
                metric=data.metric,
                user_id=row.user_id,
                department_id=row.department_id,
                currency=data.currency,
                months=row.months,
            ),
        )
        return 1
    if row.version != existing.version:
        raise Conflict(_("Someone else changed these targets. Reload and try again."))
    before = existing.version
    _apply(session, scope, existing, data.currency, row.months)
    return int(existing.version != before)
