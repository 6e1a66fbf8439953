"""SQLite write intent: a transaction that reads and then writes fails at once ("database is locked") when
another connection commits in between, which a big import (a commit a second) made the fate of most form
posts. Work meant to write starts with BEGIN IMMEDIATE and waits for the lock instead; unsafe HTTP methods
and the import and export jobs' bookkeeping run that way."""

from __future__ import annotations

import os
import threading
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from loam import db
from loam.auth import service as auth_service
from tests.helpers import client

sqlite_only = pytest.mark.skipif(
    os.environ.get("LOAM_TEST_BACKEND") == "postgresql", reason="SQLite's single-writer lock; PostgreSQL has none"
)


def _race(tmp_path: Path, intent: bool) -> int:
    """A connection reads, another inserts and commits, then the first inserts and commits."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'race.db'}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")

        def other() -> None:
            with engine.begin() as conn:
                conn.exec_driver_sql("INSERT INTO t (v) VALUES ('other')")

        with db.writing() if intent else nullcontext(), engine.connect() as mine:
            assert mine.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
            writer = threading.Thread(target=other)  # a thread of its own: no write intent there
            writer.start()
            if not intent:
                writer.join()  # it commits while our read transaction is open
            mine.exec_driver_sql("INSERT INTO t (v) VALUES ('mine')")
            mine.commit()
            writer.join()
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM t").scalar() or 0)
    finally:
        engine.dispose()


@sqlite_only
def test_without_write_intent_a_concurrent_commit_fails_the_upgrade(tmp_path: Path) -> None:
    with pytest.raises(OperationalError, match="locked"):
        _race(tmp_path, intent=False)


@sqlite_only
def test_with_write_intent_the_transaction_takes_the_lock_first_and_both_writes_land(tmp_path: Path) -> None:
    assert _race(tmp_path, intent=True) == 2


def test_unsafe_http_methods_run_with_write_intent_and_safe_ones_without(monkeypatch) -> None:
    seen: list[tuple[str, bool]] = []
    authenticate = auth_service.authenticate

    def spy(*args: Any, **kw: Any) -> Any:
        seen.append(("authenticate", db.WRITE_INTENT.get()))
        return authenticate(*args, **kw)

    monkeypatch.setattr(auth_service, "authenticate", spy)
    c = client()
    token = c.post("/api/v1/auth/token", data={"username": "ar1", "password": "loam-demo"}).json()["access_token"]
    assert seen == [("authenticate", True)]

    from loam.authz import service as authz_service

    scope_for = authz_service.scope_for

    def spy_scope(*args: Any, **kw: Any) -> Any:
        seen.append(("scope", db.WRITE_INTENT.get()))
        return scope_for(*args, **kw)

    monkeypatch.setattr(authz_service, "scope_for", spy_scope)
    assert c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert ("scope", False) in seen and ("scope", True) not in seen
    assert db.WRITE_INTENT.get() is False  # nothing leaks out of a request


@sqlite_only
def test_a_get_whose_last_seen_stamp_meets_a_concurrent_commit_still_answers(tmp_path: Path) -> None:
    """GET requests keep a plain BEGIN; the one write most of them may make — the session's "last seen",
    once a minute — gives way when another connection committed since the request began reading."""
    from datetime import timedelta

    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from loam import migrate
    from loam.auth.models import UserSession
    from loam.org.models import User

    url = f"sqlite:///{tmp_path / 'touch.db'}"
    migrate.upgrade(url)
    engine = db.make_engine(url)
    try:
        with Session(engine) as s:
            user = User(username="touch", display_name="Touch", password_hash="x", is_active=True)
            s.add(user)
            s.flush()
            raw = auth_service.start_session(s, user)
            s.execute(update(UserSession).values(last_seen_at=db.utcnow() - timedelta(minutes=5)))
            s.commit()
            user_id = user.id
        with Session(engine) as request:
            request.get(User, user_id)  # the request has begun reading
            with engine.begin() as other:  # an import's batch commits meanwhile
                other.exec_driver_sql("UPDATE users SET display_name = 'Touched' WHERE username = 'touch'")
            resolved = auth_service.resolve_session(request, raw)
            assert resolved is not None and resolved[1].id == user_id
            request.commit()  # nothing left to write: the stamp gave way
    finally:
        engine.dispose()
