"""The demo company: a Guangxi account team and its customers, contacts, follow-ups, leads and pools, its
opportunity-to-cash story (products, opportunities, contracts, approvals, receivables, targets) and its
relationships story (profiles, power maps, checklist, intelligence, pairings, monthly snapshots).

Everything is drawn from :mod:`loam.demo.names` and :mod:`loam.demo.companies` with a fixed seed, so
two loads produce the same data (dates are relative to "now"). Rows are inserted in bulk with every
server-owned field set as the services would set it (normalised names and phones, owner, department,
owner_since, last follow-up, next contact, pool state). The opportunity-to-cash and relationships stories go
through the domains' services instead (:mod:`loam.demo.o2c`, :mod:`loam.demo.relationships`). The caller owns the
transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, inspect, select, text, update
from sqlalchemy.orm import Session

import loam.models  # noqa: F401 - registers every table for wipe()
from loam.db import Base
from loam.demo import accounts, o2c, oa, records, relationships
from loam.demo import org as demo_org
from loam.demo.loader import DEMO_USERS, SEED, Loader
from loam.kit.models import AuditLog
from loam.org.models import Department, User
from loam.pools.models import PoolEvent

__all__ = ["DEMO_USERS", "SEED", "NoDemo", "has_data", "load", "scale", "wipe"]

# Tables whose rows the migrations create (the default pipeline, lost reasons, approval flows, the scoring model):
# a wiped database keeps them, as a fresh one has them; their references to users are cleared.
SEEDED = (
    "pipelines",
    "pipeline_stages",
    "lost_reasons",
    "approval_flows",
    "approval_flow_steps",
    "opportunity_scoring",
    "contact_scenarios",
    "oa_types",
    "authz_state",
)


def has_data(session: Session) -> int:
    """How many users exist (the demo loads only into an empty database)."""
    return session.scalar(select(func.count()).select_from(User)) or 0


def wipe(session: Session) -> None:
    """Delete every row of every table (children first); the schema, alembic_version and the rows the migrations
    seed (:data:`SEEDED`) stay."""
    present = set(inspect(session.connection()).get_table_names())
    known = [t for t in Base.metadata.sorted_tables if t.name in present and t.name not in SEEDED]
    kept = [t for t in Base.metadata.sorted_tables if t.name in present and t.name in SEEDED]
    other = sorted(
        present - {t.name for t in known} - set(SEEDED) - {"alembic_version"} - _virtual_tables(session, present)
    )
    for name in other:
        # Tables of newer domains, not in loam.models yet; names come from the database's own catalogue.
        session.execute(text(f'DELETE FROM "{name}"'))  # noqa: S608
    if "departments" in present:
        session.execute(update(Department).values(head_user_id=None))
    for table in kept:
        refs = {fk.parent.name for fk in table.foreign_keys if fk.column.table.name not in SEEDED}
        if refs:
            session.execute(table.update().values(dict.fromkeys(refs)))
    for table in reversed(known):
        session.execute(table.delete())
    _empty_fts(session)
    for name in other:  # rows that triggers wrote while the tables above were emptied (the search queue)
        session.execute(text(f'DELETE FROM "{name}"'))  # noqa: S608
    session.flush()
    session.expunge_all()


def _virtual_tables(session: Session, present: set[str]) -> set[str]:
    """SQLite virtual tables (loam.search's FTS5 tables) and their shadow tables: never deleted row by row."""
    if session.get_bind().dialect.name != "sqlite":
        return set()
    names = set(session.scalars(text("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")))
    return names | {t for t in present for n in names if t.startswith(f"{n}_")}


def _empty_fts(session: Session) -> None:
    if session.get_bind().dialect.name != "sqlite":
        return
    for name, sql in session.execute(
        text("SELECT name, sql FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")
    ):
        if "fts5(" in sql.lower():
            session.execute(text(f'INSERT INTO "{name}" ("{name}") VALUES (\'delete-all\')'))  # noqa: S608


def load(session: Session, seed: int = SEED, now: datetime | None = None) -> dict[str, int]:
    """Load the demo company into an empty database; return the number of rows per table."""
    ld = Loader(session, seed, now or datetime.now(UTC))
    ld.org = o = demo_org.build(session)
    owners = (o.director, o.ar1, o.ar2, o.sr1, o.fr1)
    ld.u = {u.username: u.id for u in owners}
    ld.dept = {u.id: u.department_id for u in owners if u.department_id is not None}
    ld.names = {u.id: u.display_name for u in owners}
    ld.pools = accounts.make_pools(ld)
    accounts.custom_fields(ld)
    plans = accounts.plan_customers(ld)
    accounts.insert_customers(ld, plans)
    records.insert_contacts(ld, plans)
    records.insert_followups(ld, plans)
    records.insert_leads(ld, plans)
    records.team_members(ld, plans)
    records.notifications(ld, plans)
    ld.insert(PoolEvent, ld.events)
    ld.insert(AuditLog, ld.audit)
    ld.fix_sequences()
    story = o2c.load(ld, plans)
    story |= relationships.load(ld, plans)
    story |= oa.load(ld)
    ld.counts["users"] = len(DEMO_USERS)
    ld.counts["departments"] = session.scalar(select(func.count()).select_from(Department)) or 0
    for table in ("notifications", "audit_log", "record_members", "stage_moves", "approval_instances"):
        ld.counts[table] = session.scalar(text(f'SELECT COUNT(*) FROM "{table}"')) or 0  # noqa: S608 - our names
    return dict(ld.counts) | story


class NoDemo(Exception):
    """The database has data but not the demo company (the scale load builds on its users and customers)."""


def scale(session: Session, n: int, seed: int = SEED) -> dict[str, int]:
    """Add ``n`` opportunities and ``n // 2`` contracts in bulk on top of the demo company (loam.demo.o2c_scale)."""
    from loam.demo import o2c_scale

    names = set(session.scalars(select(User.username).where(User.username.in_(DEMO_USERS))))
    if names != set(DEMO_USERS):
        raise NoDemo("The database does not hold the demo company: load it with `loam demo` first.")
    return o2c_scale.scale(session, n, seed)
