"""Backup and restore of Loam's database.

SQLite: an online, consistent copy through SQLite's backup API (safe while the server runs and
writes, WAL included); restore writes the copy back through the same API, so connections of a
running server see the restored data on their next transaction instead of a file swapped under them.
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --no-owner``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Result:
    path: Path
    size: int
    backend: str
    revision: str | None = None
    safety_copy: Path | None = None


def describe(url: str) -> str:
    """The database a URL points at, without its password (for messages)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"SQLite {u.database}"
    return f"PostgreSQL {u.host or 'localhost'}:{u.port or 5432}/{u.database}"


def backup(url: str, dest: str | Path) -> Result:
    """Write a consistent copy of the database at ``url`` to ``dest`` (a file, or a directory to put it in)."""
    u = make_url(url)
    backend = u.get_backend_name()
    target = _target(Path(dest).expanduser(), "dump" if backend == "postgresql" else "db")
    if backend == "sqlite":
        return _sqlite_backup(_sqlite_path(u), target)
    if backend == "postgresql":
        return _pg_backup(u, target)
    raise BackupError(f"Backups of {backend} databases are not supported (SQLite and PostgreSQL are).")


def restore(url: str, src: str | Path) -> Result:
    """Replace the database at ``url`` with the backup at ``src`` (checked before anything is touched)."""
    u = make_url(url)
    path = Path(src).expanduser()
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    backend = u.get_backend_name()
    if backend == "sqlite":
        return _sqlite_restore(_sqlite_path(u), path)
    if backend == "postgresql":
        return _pg_restore(u, path)
    raise BackupError(f"Restoring {backend} databases is not supported (SQLite and PostgreSQL are).")


def _target(dest: Path, ext: str) -> Path:
    if dest.is_dir():
        return dest / f"loam-{datetime.now(UTC):%Y%m%d-%H%M%S}.{ext}"
    if not dest.parent.is_dir():
        raise BackupError(f"The directory {dest.parent} does not exist.")
    if dest.name == "":
        raise BackupError("Give a file name for the backup.")
    return dest


def _sqlite_path(u: URL) -> Path:
    if not u.database or u.database == ":memory:" or u.database.startswith("file:"):
        raise BackupError("Only a SQLite database in a file can be backed up or restored.")
    return Path(u.database).expanduser().resolve()


# ---------------------------------------------------------------------------------------------- SQLite


def _sqlite_backup(db_path: Path, target: Path) -> Result:
    if not db_path.is_file():
        raise BackupError(f"There is no database at {db_path}.")
    if target.resolve() == db_path:
        raise BackupError("The backup file cannot be the database itself.")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(f"{db_path.as_uri()}?mode=rw", uri=True, timeout=30)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)  # one step: a consistent snapshot, while others keep reading and writing
                dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained single file
                revision = _check_sqlite(dst, partial)
            finally:
                dst.close()
        finally:
            src.close()
        os.replace(partial, target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"SQLite backup failed: {exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Result(target, target.stat().st_size, "sqlite", revision)


def _check_sqlite(conn: sqlite3.Connection, path: Path) -> str:
    """The Alembic revision of a Loam SQLite database, or BackupError when it is not one."""
    try:
        ok = conn.execute("PRAGMA quick_check").fetchone()
        if not ok or ok[0] != "ok":
            raise BackupError(f"{path} is damaged (SQLite quick_check: {ok[0] if ok else 'no answer'}).")
        has_table = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if not has_table:
            raise BackupError(f"{path} is a SQLite database but not a Loam one (no alembic_version table).")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database: {exc}") from exc
    if not row:
        raise BackupError(f"{path} has no schema revision (empty alembic_version table).")
    return str(row[0])


def check_sqlite_backup(path: Path) -> str:
    """Check that ``path`` is a Loam SQLite backup; return its schema revision."""
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{path} is not a SQLite database.")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return _check_sqlite(conn, path)
    finally:
        conn.close()


def _sqlite_restore(db_path: Path, src: Path) -> Result:
    if src.resolve() == db_path:
        raise BackupError("The backup file is the database itself.")
    revision = check_sqlite_backup(src)
    if not db_path.parent.is_dir():
        db_path.parent.mkdir(parents=True, exist_ok=True)
    safety = None
    if db_path.is_file() and db_path.stat().st_size > 0:
        # Keep what is being replaced: a restore of the wrong file must not lose the current data.
        safety = db_path.with_name(f"{db_path.name}.before-restore-{datetime.now(UTC):%Y%m%d-%H%M%S}")
        _sqlite_backup(db_path, safety)
    try:
        source = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(db_path, timeout=30)
            try:
                source.backup(dst)
                dst.execute("PRAGMA journal_mode=WAL")
            finally:
                dst.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite restore failed: {exc}") from exc
    return Result(db_path, db_path.stat().st_size, "sqlite", revision, safety)


# ---------------------------------------------------------------------------------------------- PostgreSQL


def _libpq(u: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URL without the password (which goes to PGPASSWORD, not the command line)."""
    if not u.database:
        raise BackupError("The database URL names no database.")
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    dsn = u.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return dsn, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client tools of the server's major version "
            "(Debian/Ubuntu: apt install postgresql-client) and try again."
        )
    return path


def _run(cmd: list[str], env: dict[str, str], what: str) -> str:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip() or f"exit code {proc.returncode}"
        raise BackupError(f"{what} failed: {detail}")
    return proc.stdout


def _pg_backup(u: URL, target: Path) -> Result:
    pg_dump = _tool("pg_dump")
    dsn, env = _libpq(u)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _run([pg_dump, "--format=custom", f"--file={partial}", f"--dbname={dsn}"], env, "pg_dump")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Result(target, target.stat().st_size, "postgresql")


def check_pg_dump(path: Path, env: dict[str, str] | None = None) -> None:
    """Check that ``path`` is a pg_dump custom-format archive of a Loam database."""
    pg_restore = _tool("pg_restore")
    with path.open("rb") as fh:
        if fh.read(5) != b"PGDMP":
            raise BackupError(f"{path} is not a pg_dump archive (made with --format=custom).")
    listing = _run([pg_restore, "--list", str(path)], env or dict(os.environ), "Reading the archive")
    if not any("TABLE" in line and "alembic_version" in line for line in listing.splitlines()):
        raise BackupError(f"{path} is a pg_dump archive but not of a Loam database (no alembic_version table).")


def _pg_restore(u: URL, src: Path) -> Result:
    pg_restore = _tool("pg_restore")
    dsn, env = _libpq(u)
    check_pg_dump(src, env)
    cmd = [
        pg_restore,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={dsn}",
        str(src),
    ]
    _run(cmd, env, "pg_restore")
    return Result(src, src.stat().st_size, "postgresql")
