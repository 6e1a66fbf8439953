"""Test database built by the migrations; each test runs inside a transaction that is rolled back (R25, R26).

SQLite by default; PostgreSQL when LOAM_TEST_BACKEND=postgresql and LOAM_TEST_DATABASE_URL are set (one
database per xdist worker). The demo org (loam.demo.org) is committed once per worker; every test sees it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_TMP = Path(tempfile.mkdtemp(prefix=f"loam-test-{WORKER}-"))
os.environ["LOAM_HUEY_PATH"] = str(_TMP / "huey.db")
os.environ["LOAM_FILES_PATH"] = str(_TMP / "files")
os.environ.setdefault("LOAM_LOGIN_MAX_FAILURES", "5")


def _database_url() -> str:
    if os.environ.get("LOAM_TEST_BACKEND") == "postgresql":
        base = os.environ["LOAM_TEST_DATABASE_URL"]
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        url = make_url(base)
        name = f"loam_test_{WORKER}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return url.set(database=name).render_as_string(hide_password=False)
    return f"sqlite:///{_TMP / 'test.db'}"


os.environ["LOAM_DATABASE_URL"] = _database_url()

from loam import db, migrate  # noqa: E402
from loam.demo import org as demo_org  # noqa: E402

migrate.upgrade(os.environ["LOAM_DATABASE_URL"])
with db.session_scope() as _s:
    _ORG = demo_org.build(_s)
    ORG_IDS = {k: v.id for k, v in vars(_ORG).items()}


@pytest.fixture
def connection() -> Iterator[object]:
    conn = db.engine.connect()
    outer = conn.begin()
    db.SessionLocal.configure(bind=conn, join_transaction_mode="create_savepoint")
    try:
        yield conn
    finally:
        db.SessionLocal.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
        if outer.is_active:
            outer.rollback()
        conn.close()


@pytest.fixture
def session(connection: object) -> Iterator[object]:
    s = db.SessionLocal()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def ids() -> dict[str, int]:
    """Ids of the demo org's departments and users (admin, director, ar1, ar2, sr1, fr1, finance1)."""
    return dict(ORG_IDS)
