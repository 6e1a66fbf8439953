"""Scratch databases and the `loam` CLI in a subprocess, for tests that need a database of their own."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def on_postgresql() -> bool:
    return os.environ.get("LOAM_TEST_BACKEND") == "postgresql"


def run_loam(
    url: str, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `loam ARGS` against the database at ``url`` (no terminal: stdin is ``stdin``)."""
    full_env = {**os.environ, "LOAM_DATABASE_URL": url, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "loam.cli", *args],
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """A fresh PostgreSQL database next to LOAM_TEST_DATABASE_URL, dropped afterwards."""
    base = make_url(os.environ["LOAM_TEST_DATABASE_URL"])
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_database(directory: Path, name: str) -> Iterator[str]:
    """A new, empty database URL: a SQLite file, or a PostgreSQL database on the PostgreSQL run."""
    if on_postgresql():
        with postgres_database(name) as url:
            yield url
    else:
        yield f"sqlite:///{directory / (name + '.db')}"
