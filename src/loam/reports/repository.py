"""Shared SQL of the reports: the criteria every report query applies, the data-scope clauses, sales targets.

Reports are a read-only aggregator across domains (like :mod:`loam.dedup.service`). Where a report needs
an aggregate (GROUP BY) over another domain's table that the domain's service does not offer, the query
lives in this package (``funnel``, ``winrate``, ``contracts``, ``receivables``, ``leaderboards``,
``targets``) and reads that domain's models directly — an accepted exception to R2: these modules never
write, and every query is restricted to the rows the caller may see, by the same rule the domain's list
uses (R10, R13): the owner in ``scope.owners(Module.X)`` or the caller on the record's team, plus the
view permission and ``deleted_at IS NULL``. The rule is written once per table below.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, and_, exists, false, func, or_, select, text, true
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.permissions import Module, Permission
from loam.authz.scope import Scope
from loam.kit.listing import paginate
from loam.reports.models import SalesTarget
from loam.reports.periods import Window


@dataclass(frozen=True)
class Criteria:
    """The resolved filters of one report run (ids already expanded to their sub-trees)."""

    window: Window
    currency: str
    department_ids: tuple[int, ...] | None = None
    user_id: int | None = None
    pipeline_id: int | None = None
    category_ids: tuple[int, ...] | None = None


CENT = Decimal("0.01")


def money(value: Any) -> Decimal:
    """A SUM from either database as an exact two-place Decimal (SQLite computes NUMERIC sums in floats)."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def pct(part: Any, whole: Any) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (two places), or None when ``whole`` is zero."""
    if not whole:
        return None
    return (Decimal(str(part)) * 100 / Decimal(str(whole))).quantize(CENT, rounding=ROUND_HALF_UP)


def tune_for_reports(session: Session) -> None:
    """PostgreSQL: no JIT compilation for the rest of this (read-only) transaction. The report queries are short
    aggregates whose correlated sub-selects inflate the planner's cost estimates past ``jit_above_cost``, and
    compiling then costs more than the queries themselves (measured on the receivables report at 100,000 plan
    periods: 6.9 s with JIT, 4.0 s without, before its own queries were rewritten)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def false_clause() -> Any:
    return false()


def owned(c: Criteria, owner_col: Any, department_col: Any) -> list[Any]:
    """The user and department filters on a record's owner and department columns."""
    out = []
    if c.user_id is not None:
        out.append(owner_col == c.user_id)
    if c.department_ids is not None:
        out.append(department_col.in_(c.department_ids))
    return out


def with_category(entity: str, id_col: Any, c: Criteria) -> list[Any]:
    """Records with at least one product line of a product in the chosen category (or below)."""
    if c.category_ids is None:
        return []
    from loam.products.models import Product, ProductLine

    line = (
        select(ProductLine.id)
        .join(Product, Product.id == ProductLine.product_id)
        .where(ProductLine.entity == entity, ProductLine.record_id == id_col, Product.category_id.in_(c.category_ids))
    )
    return [exists(line)]


def _owner_rule(scope: Scope, module: Module, entity: str, owner_col: Any, id_col: Any) -> Any:
    owners = scope.owners(module)
    if owners is None:
        return true()
    return or_(owner_col.in_(owners), id_col.in_(authz_service.member_record_ids(scope, entity)))


def opportunity_visible(scope: Scope) -> Any:
    """The opportunities list's rule (loam.opportunities): view permission, live, owner in scope or team member."""
    from loam.opportunities.models import Opportunity

    if not scope.can(Permission.opportunities_view):
        return false()
    rule = _owner_rule(scope, Module.opportunities, "opportunity", Opportunity.owner_id, Opportunity.id)
    return and_(Opportunity.deleted_at.is_(None), rule)


def contract_visible(scope: Scope) -> Any:
    """The contracts list's rule (loam.contracts): view permission, live, owner in scope or team member."""
    from loam.contracts.models import Contract

    if not scope.can(Permission.contracts_view):
        return false()
    rule = _owner_rule(scope, Module.contracts, "contract", Contract.owner_id, Contract.id)
    return and_(Contract.deleted_at.is_(None), rule)


def receivable_contract_rule(scope: Scope) -> Any:
    """The receivables domain's rule on the ``Contract`` of a plan or receipt: its owner in the caller's
    receivables scope, or the contract itself visible to the caller (contracts' own rule)."""
    from loam.contracts.models import Contract

    owners = scope.owners(Module.receivables)
    if owners is None:
        return true()
    parts = [Contract.owner_id.in_(owners)]
    if scope.can(Permission.contracts_view):
        parts.append(_owner_rule(scope, Module.contracts, "contract", Contract.owner_id, Contract.id))
    return or_(*parts)


def receivable_visible(scope: Scope) -> Any:
    """The receipts list's rule (loam.receivables); the query joins ``Contract`` on ``contract_id``."""
    from loam.contracts.models import Contract
    from loam.receivables.models import Receivable

    if not scope.can(Permission.receivables_view):
        return false()
    return and_(Receivable.deleted_at.is_(None), Contract.deleted_at.is_(None), receivable_contract_rule(scope))


def customer_visible(scope: Scope) -> Any:
    """Owned customers the customers list shows the caller (pool customers have no owner to rank)."""
    from loam.customers.models import Customer

    if not scope.can(Permission.customers_view):
        return false()
    rule = _owner_rule(scope, Module.customers, "customer", Customer.owner_id, Customer.id)
    return and_(Customer.deleted_at.is_(None), rule)


def followup_visible(scope: Scope) -> Any:
    """The follow-ups list's rule: live, and its customer or its lead visible (through their services)."""
    from loam.activities.models import FollowUp
    from loam.customers import service as customer_service
    from loam.leads import service as lead_service

    if not scope.can(Permission.followups_view):
        return false()
    return and_(
        FollowUp.deleted_at.is_(None),
        or_(
            FollowUp.customer_id.in_(customer_service.visible_ids(scope)),
            FollowUp.lead_id.in_(lead_service.visible_ids(scope)),
        ),
    )


# --- sales targets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetReach:
    """Whose targets a caller may see, per metric: user ids (None = all) and department ids (None = all)."""

    users: dict[str, frozenset[int] | None]
    departments: dict[str, frozenset[int] | None]

    def clause(self) -> Any:
        parts = []
        for metric in self.users:
            users, depts = self.users[metric], self.departments[metric]
            user_ok = SalesTarget.user_id.is_not(None) if users is None else SalesTarget.user_id.in_(users)
            dept_ok = SalesTarget.department_id.is_not(None) if depts is None else SalesTarget.department_id.in_(depts)
            parts.append(and_(SalesTarget.metric == metric, or_(user_ok, dept_ok)))
        return or_(*parts) if parts else false()


def target(session: Session, target_id: int, reach: TargetReach) -> SalesTarget | None:
    return session.scalar(select(SalesTarget).where(SalesTarget.id == target_id, reach.clause()))


def target_for(
    session: Session, year: int, metric: str, user_id: int | None, department_id: int | None
) -> SalesTarget | None:
    """The one target of a subject for a year and metric, whoever may see it (uniqueness checks)."""
    stmt = select(SalesTarget).where(SalesTarget.year == year, SalesTarget.metric == metric)
    if user_id is not None:
        stmt = stmt.where(SalesTarget.user_id == user_id)
    else:
        stmt = stmt.where(SalesTarget.department_id == department_id)
    return session.scalar(stmt)


def _targets(
    reach: TargetReach, year: int | None, metric: str | None, user_ids: Any, department_ids: Any
) -> Select[Any]:
    stmt = select(SalesTarget).where(reach.clause())
    if year is not None:
        stmt = stmt.where(SalesTarget.year == year)
    if metric is not None:
        stmt = stmt.where(SalesTarget.metric == metric)
    if user_ids is not None or department_ids is not None:
        stmt = stmt.where(
            or_(
                SalesTarget.user_id.in_(user_ids or ()),
                SalesTarget.department_id.in_(department_ids or ()),
            )
        )
    return stmt


def target_page(
    session: Session,
    reach: TargetReach,
    year: int | None,
    metric: str | None,
    user_ids: Any,
    department_ids: Any,
    page: int,
    size: int,
) -> tuple[list[SalesTarget], int]:
    stmt = _targets(reach, year, metric, user_ids, department_ids).order_by(
        SalesTarget.year.desc(), SalesTarget.metric, SalesTarget.department_id, SalesTarget.user_id, SalesTarget.id
    )
    return paginate(session, stmt, page, size)


def targets_of(
    session: Session, reach: TargetReach, year: int, metric: str, user_ids: Any, department_ids: Any
) -> list[SalesTarget]:
    """Every visible target of one year and metric, optionally only of these users / departments."""
    stmt = _targets(reach, year, metric, user_ids, department_ids).order_by(SalesTarget.id)
    return list(session.scalars(stmt))


def count_targets(session: Session, reach: TargetReach, year: int) -> int:
    stmt = select(func.count()).select_from(SalesTarget).where(reach.clause(), SalesTarget.year == year)
    return int(session.scalar(stmt) or 0)
