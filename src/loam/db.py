"""Engine, sessions and the declarative base (DESIGN.md §2, R4, R21)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from loam.config import settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JsonType}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Versioned:
    """Optimistic locking: every UPDATE checks and bumps ``version`` (a stale write raises)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class SoftDeleted:
    """Business records go to the recycle bin first (R21)."""

    deleted_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    deleted_by: Mapped[int | None] = mapped_column(default=None)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, emit BEGIN so that SAVEPOINTs and transactional DDL work
    # (SQLAlchemy docs, "Serializable isolation / Savepoints / Transactional DDL").
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


# SQLite allows one writer. A transaction that starts with a read (BEGIN) and later writes must upgrade its
# lock; if another connection committed in between, SQLite refuses at once ("database is locked",
# SQLITE_BUSY_SNAPSHOT: waiting cannot help). During a big import, which commits a batch every second, most
# form posts (read, check, write) failed that way. Work that is meant to write — unsafe HTTP methods, import
# batches — starts with BEGIN IMMEDIATE instead: it waits (busy_timeout) for the write lock up front.
WRITE_INTENT: ContextVar[bool] = ContextVar("loam_write_intent", default=False)


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if WRITE_INTENT.get() else "BEGIN")


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside this block are going to write (SQLite: BEGIN IMMEDIATE)."""
    token = WRITE_INTENT.set(True)
    try:
        yield
    finally:
        WRITE_INTENT.reset(token)


def make_engine(url: str | None = None) -> Engine:
    url = url or settings.database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # PostgreSQL session settings, both measured at 1M customers:
    # - jit=off: JIT compiles any plan whose estimated cost passes jit_above_cost; a global search that ran in 15 ms
    #   spent ~0.9 s compiling. A CRM's statements are short.
    # - plan_cache_mode=force_custom_plan: psycopg prepares a statement after five runs, and PostgreSQL then may
    #   keep one generic plan for every value; search terms are skewed ("鲸鲨" matches nothing, "公司" nearly every
    #   name), so a plan made for a rare term cost a common one 100 ms. Each run is planned for its own values.
    options = "-c jit=off -c plan_cache_mode=force_custom_plan"
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, connect_args={"options": options})


engine = make_engine()
SessionLocal = sessionmaker(bind=engine, expire_on_commit=False)


def configure(url: str) -> Engine:
    """Point the process at another database (CLI ``--database``, tests)."""
    global engine
    engine.dispose()
    engine = make_engine(url)
    SessionLocal.configure(bind=engine)
    settings.database_url = url
    return engine


@contextmanager
def session_scope(write: bool = False) -> Iterator[Session]:
    """The one transaction framing for HTTP, jobs and CLI: commit on success, roll back on error.
    ``write``: the transaction reads and then writes (SQLite takes the write lock at its start, see WRITE_INTENT)."""
    token = WRITE_INTENT.set(True) if write else None
    session = SessionLocal()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        if token is not None:
            WRITE_INTENT.reset(token)
