"""Global search: one query over customers, contacts, leads, opportunities and contracts, through each domain's
own list (R13, R17).

Each kind is searched with that domain's scoped, filtered list statement (``list_statement`` with
``q``), so a result is exactly a row the caller would find in that list: same data scope, team
members, pools, soft-delete rules and permissions. The ``q`` filter of the customer, contact and lead lists is
:func:`match_clause`, served by the search indexes (see :mod:`loam.search.repository`); opportunities (by name)
and contracts (by number or name) are matched by their own lists' filter, a scan of the scoped rows that the
LIMIT stops early — they number in the hundreds of thousands at most, not millions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.search import repository as repo
from loam.search.schemas import SearchGroup, SearchHit, SearchResults

SORT = None  # the lists' default; repository.first_rows drops the ORDER BY anyway (see why there)
ROUTES = {
    "customer": ("customers:detail", "customer_id"),
    "contact": ("contacts:detail", "contact_id"),
    "lead": ("leads:detail", "lead_id"),
    "opportunity": ("opportunities:detail", "opportunity_id"),
    "contract": ("contracts:detail", "contract_id"),
}
FIELDS = {
    "customer": ("name", "phone", "email"),
    "contact": ("name", "phone", "email"),
    "lead": ("name", "company", "phone", "email"),
    "opportunity": ("name",),
    "contract": ("number", "name"),
}
SUBTITLES = {
    "customer": ("phone", "email", "city"),
    "contact": ("phone", "email"),
    "lead": ("company", "phone", "email"),
    "opportunity": ("amount",),
    "contract": ("number",),
}


def match_clause(entity: str, q: str) -> Any:
    """The condition "the record's name, company, phone (as typed or normalised) or e-mail contains ``q``"
    for the customers, contacts or leads list; case-insensitive; served by the search index."""
    return repo.match_clause(entity, q)


def search(session: Session, scope: Scope, q: str, limit: int = 5) -> SearchResults:
    """Up to ``limit`` records of each kind containing ``q`` (the first the index yields, shown newest first),
    with ``more`` when there are others; every result is visible to the caller (R13); a kind the caller may
    not view is empty."""
    q = q.strip()
    groups = []
    for entity, stmt in _statements(session, scope, q):
        rows = repo.first_rows(session, stmt, limit) if stmt is not None and q else []
        hits = [_hit(entity, row, q) for row in rows[:limit]]
        groups.append(SearchGroup(entity=entity, items=hits, more=len(rows) > limit))  # type: ignore[arg-type]
    return SearchResults(q=q, groups=groups)


def _statements(session: Session, scope: Scope, q: str) -> Iterator[tuple[str, Select[Any] | None]]:
    # Imported here: those domains' repositories import this module for match_clause.
    from loam.contacts import service as contact_service
    from loam.contacts.schemas import ContactFilters
    from loam.contracts import service as contract_service
    from loam.contracts.schemas import ContractFilters
    from loam.customers import service as customer_service
    from loam.customers.schemas import CustomerFilters
    from loam.leads import service as lead_service
    from loam.leads.schemas import LeadFilters
    from loam.opportunities import service as opportunity_service
    from loam.opportunities.schemas import OpportunityFilters

    can = scope.can
    yield (
        "customer",
        customer_service.list_statement(session, scope, CustomerFilters(q=q), SORT) if can("customers.view") else None,
    )
    yield (
        "contact",
        contact_service.list_statement(session, scope, ContactFilters(q=q), SORT) if can("contacts.view") else None,
    )
    yield "lead", lead_service.list_statement(session, scope, LeadFilters(q=q), SORT) if can("leads.view") else None
    yield (
        "opportunity",
        opportunity_service.list_statement(session, scope, OpportunityFilters(q=q), SORT)
        if can("opportunities.view")
        else None,
    )
    yield (
        "contract",
        contract_service.list_statement(session, scope, ContractFilters(q=q), SORT) if can("contracts.view") else None,
    )


def matched_field(entity: str, row: Any, q: str) -> str:
    """Which field holds the query (a phone matches by its digits or normalised form too)."""
    wanted = [t.casefold() for t in repo.terms(q)]
    for field in FIELDS[entity]:
        values = [getattr(row, field, None)] + ([getattr(row, "phone_norm", None)] if field == "phone" else [])
        if any(v and any(t in v.casefold() for t in wanted) for v in values):
            return field
    return FIELDS[entity][0]


def _hit(entity: str, row: Any, q: str) -> SearchHit:
    route, param = ROUTES[entity]
    subtitle = next((getattr(row, f) for f in SUBTITLES[entity] if getattr(row, f, None)), None)
    if entity == "opportunity" and subtitle is not None:
        subtitle = f"{subtitle:,.2f} {row.currency}"
    return SearchHit(
        entity=entity,  # type: ignore[arg-type]
        id=row.id,
        name=row.name,
        subtitle=subtitle,
        matched=matched_field(entity, row, q),
        route=route,
        route_param=param,
    )


def flush_index(session: Session) -> int:
    """Bring the SQLite search index up to date with the rows written so far in this transaction (the commit
    hook does it anyway; bulk writers may call it earlier). Returns the number of queued changes applied."""
    return repo.flush_queue(session)


def rebuild_index(session: Session) -> None:
    """Rebuild the SQLite search index from the tables (repair after restoring an old backup; no-op on PostgreSQL)."""
    repo.rebuild(session)


def bulk_insert(session: Session, entity: str, ids: list[int]) -> Any:
    """A context for a bulk insert of ``ids`` that queues them for the search index in one statement instead
    of one trigger run per row (see :func:`loam.search.repository.bulk_insert`)."""
    return repo.bulk_insert(session, entity, ids)
