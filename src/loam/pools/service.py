"""Public pools (公海): pool administration, release / claim / distribute, and the return rules job.

Customer rows are written only through ``loam.customers.service`` (its pool-support section); this
module decides who may do what, records every movement as a PoolEvent and sends the notifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from loam.authz import service as authz_service
from loam.authz.permissions import Module, Permission
from loam.authz.scope import Scope
from loam.config import settings
from loam.customers import service as customer_service
from loam.customers.models import Customer
from loam.customers.schemas import CustomerFilters
from loam.db import utcnow
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from loam.kit.i18n import N_
from loam.kit.i18n import gettext as _
from loam.notifications import service as notification_service
from loam.org import service as org_service
from loam.org.models import User
from loam.pools import repository as repo
from loam.pools import rules
from loam.pools.models import Pool, PoolMember
from loam.pools.schemas import PoolCreate, PoolFields, PoolUpdate

ENTITY = "pool"
# Audit actions written on customers (the history tab translates the action name).
ACTIONS = {"release": N_("release"), "return": N_("return"), "claim": N_("claim"), "distribute": N_("distribute")}
BATCH = 500


@dataclass
class RuleResult:
    returned: int = 0
    warned: int = 0
    checked: int = 0


# --- pools -------------------------------------------------------------------------------------------------


def _can_see(scope: Scope, pool: Pool) -> bool:
    return scope.can(Permission.pools_manage) or (pool.active and pool.id in scope.pool_ids)


def list_pools(session: Session, scope: Scope, include_inactive: bool = False) -> list[Pool]:
    """Pools the caller may use: the active pools they belong to; pool admins see every pool."""
    if not scope.can(Permission.pools_view):
        return []
    if scope.can(Permission.pools_manage):
        return repo.list_pools(session, active_only=not include_inactive)
    return repo.list_pools(session, scope.pool_ids, active_only=True)


def get_pool(session: Session, scope: Scope, pool_id: int) -> Pool:
    """A pool the caller belongs to (or any pool for a pool admin); otherwise 404."""
    pool = repo.get(session, pool_id)
    if pool is None or not _can_see(scope, pool):
        raise NotFound(_("Pool not found."))
    authz_service.require(scope, Permission.pools_view)
    return pool


def members(session: Session, pool_ids: list[int]) -> dict[int, list[PoolMember]]:
    """Members per pool id (users and departments)."""
    out: dict[int, list[PoolMember]] = {pid: [] for pid in pool_ids}
    for m in repo.members(session, pool_ids):
        out[m.pool_id].append(m)
    return out


def customer_counts(session: Session, pool_ids: list[int]) -> dict[int, int]:
    """Unowned customers waiting in each pool."""
    return customer_service.count_in_pools(session, pool_ids)


def department_choices(session: Session, scope: Scope) -> list[tuple[int, str, int]]:
    """Departments for the members editor (pool admins only)."""
    authz_service.require(scope, Permission.pools_manage)
    return repo.department_choices(session)


def _member_rows(session: Session, data: PoolFields) -> list[PoolMember]:
    users = {m.user_id for m in data.members if m.user_id is not None}
    depts = {m.department_id for m in data.members if m.department_id is not None}
    if repo.existing_user_ids(session, users) != users:
        raise Invalid(_("A pool member is not a known user."), {"members": _("Unknown user.")})
    if repo.existing_department_ids(session, depts) != depts:
        raise Invalid(_("A pool member is not a known department."), {"members": _("Unknown department.")})
    seen: set[tuple[int | None, int | None]] = set()
    rows = []
    for m in data.members:
        if (m.user_id, m.department_id) not in seen:
            seen.add((m.user_id, m.department_id))
            rows.append(
                PoolMember(user_id=m.user_id, department_id=m.department_id, include_children=m.include_children)
            )
    return rows


def _values(data: PoolFields) -> dict[str, object]:
    values = data.model_dump(exclude={"members", "level_rules", "version"})
    values["level_rules"] = data.level_rules_json()
    return values


def create_pool(session: Session, scope: Scope, data: PoolCreate) -> Pool:
    """Create a pool with its rules and members (pool admins); names are unique."""
    authz_service.require(scope, Permission.pools_manage)
    if repo.by_name(session, data.name) is not None:
        raise Conflict(_("A pool with this name already exists."), {"name": _("This name is taken.")})
    rows = _member_rows(session, data)
    pool = Pool(**_values(data))
    session.add(pool)
    session.flush()
    repo.replace_members(session, pool.id, rows)
    audit.record(session, scope, ENTITY, pool.id, "create", {"name": [None, pool.name], "members": [None, len(rows)]})
    return pool


def update_pool(session: Session, scope: Scope, pool_id: int, data: PoolUpdate) -> Pool:
    """Edit a pool's rules and members; a stale version is a 409; a pool holding customers stays active."""
    pool = repo.get(session, pool_id)
    if pool is None or not _can_see(scope, pool):
        raise NotFound(_("Pool not found."))
    authz_service.require(scope, Permission.pools_manage)
    if data.version != pool.version:
        raise Conflict(_("Someone else changed this pool. Reload and try again."))
    if repo.by_name(session, data.name, exclude_id=pool.id) is not None:
        raise Conflict(_("A pool with this name already exists."), {"name": _("This name is taken.")})
    if pool.active and not data.active and customer_counts(session, [pool.id]).get(pool.id):
        raise Conflict(_("This pool still holds customers; it cannot be deactivated."))
    rows = _member_rows(session, data)
    old = sorted((m.user_id or 0, m.department_id or 0, m.include_children) for m in repo.members(session, [pool.id]))
    new = sorted((m.user_id or 0, m.department_id or 0, m.include_children) for m in rows)
    changes = audit.apply_changes(pool, _values(data))
    if old != new:
        changes["members"] = [len(old), len(new)]
        pool.updated_at = utcnow()  # members live in another table: still one new version of the pool
        repo.replace_members(session, pool.id, rows)
    if changes:
        session.flush()
        audit.record(session, scope, ENTITY, pool.id, "update", changes)
    return pool


# --- membership ------------------------------------------------------------------------------------------


def _covers(member: PoolMember, user_id: int, dept_id: int | None, dept_path: list[int]) -> bool:
    if member.user_id is not None:
        return member.user_id == user_id
    if member.department_id == dept_id:
        return True
    return member.include_children and member.department_id in dept_path


def pools_by_owner(session: Session, owner_ids: list[int]) -> dict[int, Pool]:
    """For each owner, the pool their customers return to: the first active pool (lowest id) covering them."""
    pools = repo.list_pools(session, active_only=True)
    if not pools or not owner_ids:
        return {}
    by_pool = members(session, [p.id for p in pools])
    out: dict[int, Pool] = {}
    for uid, (dept_id, path) in repo.user_departments(session, owner_ids).items():
        for pool in pools:
            if any(_covers(m, uid, dept_id, path) for m in by_pool[pool.id]):
                out[uid] = pool
                break
    return out


def pool_for_owner(session: Session, user_id: int) -> Pool | None:
    """The pool a user's customers return to (None: their customers never return)."""
    return pools_by_owner(session, [user_id]).get(user_id)


def _is_member(session: Session, user_id: int, pool: Pool) -> bool:
    found = repo.user_departments(session, [user_id]).get(user_id)
    if found is None or not pool.active:
        return False
    return any(_covers(m, user_id, found[0], found[1]) for m in repo.members(session, [pool.id]))


def eligible_users(session: Session, scope: Scope, pool: Pool) -> list[User]:
    """Active users a pool customer can be distributed to (members of the pool); empty without ``pools.distribute``."""
    if not scope.can(Permission.pools_distribute):
        return []
    users = org_service.active_users(session)
    found = repo.user_departments(session, [u.id for u in users])
    rows = repo.members(session, [pool.id])
    return [u for u in users if u.id in found and any(_covers(m, u.id, *found[u.id]) for m in rows)]


# --- pool customers and actions --------------------------------------------------------------------------


def pool_customers(
    session: Session,
    scope: Scope,
    pool_id: int,
    filters: CustomerFilters | None = None,
    page: int = 1,
    size: int = 25,
    sort: str | None = None,
) -> tuple[list[Customer], int]:
    """One page of the unowned customers of a pool the caller belongs to (404 otherwise)."""
    pool = get_pool(session, scope, pool_id)
    return customer_service.pool_page(session, pool.id, filters or CustomerFilters.model_validate({}), page, size, sort)


def _pool_customer(session: Session, scope: Scope, customer_id: int) -> tuple[Customer, Pool]:
    """An unowned customer in a pool the caller can see (member, or pool admin), else 404."""
    customer = customer_service.get(session, Scope.system(), customer_id)
    pool = repo.get(session, customer.pool_id) if customer.pool_id and customer.owner_id is None else None
    if pool is None or not _can_see(scope, pool):
        customer_service.get(session, scope, customer_id)  # 404 if invisible, else it is owned:
        raise Conflict(_("This customer has already been claimed."))
    return customer, pool


def _start_of_today(now: datetime) -> datetime:
    tz = ZoneInfo(settings.timezone)
    return datetime.combine(now.astimezone(tz).date(), time.min, tzinfo=tz)


def _check_caps(session: Session, pool: Pool, user_id: int, now: datetime, claiming: bool) -> None:
    if pool.owned_cap is not None and customer_service.count_owned_by(session, user_id) >= pool.owned_cap:
        raise Conflict(_("The limit of %(n)s owned customers has been reached.", n=pool.owned_cap))
    cap = pool.daily_claim_cap if claiming else None
    if cap is not None and repo.count_claims(session, pool.id, user_id, _start_of_today(now)) >= cap:
        raise Conflict(_("The limit of %(n)s claims a day has been reached.", n=pool.daily_claim_cap))


def _check_cooldown(session: Session, pool: Pool, customer_id: int, user_id: int, now: datetime) -> None:
    if pool.cooldown_days <= 0:
        return
    lost = repo.lost_since(session, customer_id, user_id, now - timedelta(days=pool.cooldown_days))
    if lost is not None:
        until = lost + timedelta(days=pool.cooldown_days)
        local = until.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M")
        raise Conflict(_("You released this customer recently; you can claim it again after %(when)s.", when=local))


def claim(session: Session, scope: Scope, customer_id: int) -> Customer:
    """Take a pool customer as its owner. Checks membership (404), ``pools.claim`` (403), the caps and the
    previous owner's cool-down (409); the write is one atomic UPDATE, so of two concurrent claims one wins
    and the other gets 409."""
    customer = customer_service.get(session, scope, customer_id)
    authz_service.require(scope, Permission.pools_claim)
    if customer.owner_id is not None or customer.pool_id is None or scope.user_id is None:
        raise Conflict(_("This customer has already been claimed."))
    pool = repo.get(session, customer.pool_id)
    if pool is None or not pool.active or pool.id not in scope.pool_ids:
        raise Forbidden(_("Only members of this pool can claim its customers."))
    now = utcnow()
    _check_caps(session, pool, scope.user_id, now, claiming=True)
    _check_cooldown(session, pool, customer.id, scope.user_id, now)
    customer_service.take_from_pool(session, scope, customer, scope.user_id, scope.department_id, "claim")
    repo.add_event(session, pool.id, customer.id, "claim", scope.user_id, scope.user_id, now)
    return customer


def distribute(session: Session, scope: Scope, customer_id: int, user_id: int) -> Customer:
    """Assign a pool customer to an active member of its pool (``pools.distribute``); atomic like a claim.

    The owned-customer cap applies to the new owner; the daily claim cap and cool-down do not."""
    customer, pool = _pool_customer(session, scope, customer_id)
    authz_service.require(scope, Permission.pools_distribute)
    try:
        target = org_service.get_user(session, user_id)
    except NotFound:
        target = None
    if target is None or not target.is_active or not _is_member(session, target.id, pool):
        raise Invalid(_("Choose an active member of this pool."), {"user_id": _("Not a member of this pool.")})
    now = utcnow()
    _check_caps(session, pool, target.id, now, claiming=False)
    customer_service.take_from_pool(session, scope, customer, target.id, target.department_id, "distribute")
    repo.add_event(session, pool.id, customer.id, "distribute", scope.user_id, target.id, now)
    if target.id != scope.user_id:
        params = {"customer": customer.name, "pool": pool.name}
        notification_service.notify(session, target.id, "pool_assigned", params, "customer", customer.id)
    return customer


def release(
    session: Session, scope: Scope, customer_id: int, pool_id: int | None = None, reason: str | None = None
) -> Customer:
    """Put an owned customer into a pool (default: the owner's pool). Needs the owner in the caller's data
    scope and ``pools.release``; locked customers stay. The owner is kept as previous owner; the team is removed."""
    customer = customer_service.get(session, scope, customer_id)
    authz_service.require(scope, Permission.pools_release)
    owner = customer.owner_id
    if owner is None:
        raise Conflict(_("This customer is already in a public pool."))
    if not scope.sees_owner(Module.customers, owner):
        raise Forbidden(_("Only the owner or their managers can do this."))
    if customer.locked:
        raise Conflict(_("A locked customer cannot be released. Unlock it first."))
    pool = repo.get(session, pool_id) if pool_id is not None else pool_for_owner(session, owner)
    if pool is None or not pool.active:
        raise Invalid(_("Choose an active public pool."), {"pool_id": _("No active pool.")})
    if pool_id is not None and not (_can_see(scope, pool) or _is_member(session, owner, pool)):
        raise Invalid(_("Choose a public pool you or the owner belong to."), {"pool_id": _("Not your pool.")})
    now = utcnow()
    customer_service.put_in_pool(session, scope, customer, pool.id, "release", reason, now)
    repo.add_event(session, pool.id, customer.id, "release", scope.user_id, owner, now, reason)
    if scope.user_id != owner:
        params = {"customer": customer.name, "pool": pool.name, "user": scope.display_name}
        notification_service.notify(session, owner, "pool_released", params, "customer", customer.id)
    return customer


# --- the return rules ------------------------------------------------------------------------------------


def _local_date(at: datetime) -> str:
    return at.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d")


def _return(session: Session, pool: Pool, customer: Customer, cause: str | None, now: datetime) -> bool:
    owner = customer.owner_id
    assert owner is not None
    try:
        with session.begin_nested():
            customer_service.put_in_pool(session, Scope.system(), customer, pool.id, "return", cause, now)
            repo.add_event(session, pool.id, customer.id, "return", None, owner, now, cause)
    except StaleDataError:  # changed meanwhile (claimed, transferred, edited): next run decides again
        session.expire(customer)
        return False
    params = {"customer": customer.name, "pool": pool.name}
    notification_service.notify(session, owner, "pool_returned", params, "customer", customer.id)
    return True


def _warn(session: Session, customer: Customer, return_at: datetime) -> bool:
    assert customer.owner_id is not None
    date = _local_date(return_at)
    row = notification_service.notify(
        session,
        customer.owner_id,
        "pool_warning",
        {"customer": customer.name, "date": date},
        "customer",
        customer.id,
        dedupe_key=f"pool_warning:{customer.id}:{date}",
    )
    return row is not None


def _candidates(session: Session, owners: list[int], rule: rules.Rule, now: datetime):  # type: ignore[no-untyped-def]
    """Batches of customers the rule might return or warn about (keyset by id; rows change as we go)."""
    cutoff = rule.cutoff(now)
    if cutoff is None:
        return
    after = 0
    while batch := customer_service.rule_candidates(session, owners, cutoff, rule.exempt_closed, after, BATCH):
        after = batch[-1].id
        yield from batch


def run_rules(session: Session, now: datetime | None = None) -> RuleResult:
    """The system job: return every due customer to its owner's pool (notifying the owner) and warn owners
    of customers due within the pool's ``warn_days`` — one warning per customer per due date. Idempotent:
    a second run at the same moment changes nothing."""
    now = now or utcnow()
    result = RuleResult()
    owners_of: dict[int, tuple[Pool, list[int]]] = {}
    for owner, pool in pools_by_owner(session, customer_service.owner_ids(session)).items():
        owners_of.setdefault(pool.id, (pool, []))[1].append(owner)
    for pool, owners in owners_of.values():
        rule = rules.rule_of(pool)
        for customer in _candidates(session, owners, rule, now):
            result.checked += 1
            decision = rules.decide(rules.facts_of(customer), rule, now)
            if decision.due:
                result.returned += _return(session, pool, customer, decision.cause, now)
            elif decision.warn and decision.return_at is not None:
                result.warned += _warn(session, customer, decision.return_at)
    session.flush()
    return result


def run_rules_now(session: Session, scope: Scope) -> RuleResult:
    """Run the return rules on demand (pool admins)."""
    authz_service.require(scope, Permission.pools_manage)
    return run_rules(session)


def about_to_return(session: Session, scope: Scope, limit: int = 10) -> list[tuple[Customer, datetime]]:
    """The caller's own customers that return to their pool within its warn window (or are overdue),
    soonest first, with the moment each returns — for the dashboard."""
    if scope.user_id is None:
        return []
    pool = pool_for_owner(session, scope.user_id)
    if pool is None or pool.warn_days <= 0:
        return []
    rule, now = rules.rule_of(pool), utcnow()
    found = []
    for customer in _candidates(session, [scope.user_id], rule, now):
        decision = rules.decide(rules.facts_of(customer), rule, now)
        if decision.return_at is not None and (decision.due or decision.warn):
            found.append((customer, decision.return_at))
    found.sort(key=lambda pair: (pair[1], pair[0].id))
    return found[:limit]
