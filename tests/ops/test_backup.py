"""`loam backup` / `loam restore`: round trips through the CLI, refusals, and online backups."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select

from loam import db, migrate
from loam.ops import backup as ops
from loam.org.models import Department
from tests.ops.scratch import WORKER, postgres_database, run_loam


def add_department(url: str, name: str) -> None:
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(Department.__table__).values(name=name, kind="team", path="/", sort_order=0, version=1))
    engine.dispose()


def drop_department(url: str, name: str) -> None:
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(delete(Department.__table__).where(Department.__table__.c.name == name))
    engine.dispose()


def departments(url: str) -> list[str]:
    engine = db.make_engine(url)
    with engine.connect() as conn:
        names = sorted(conn.scalars(select(Department.__table__.c.name)))
    engine.dispose()
    return names


@pytest.fixture
def live(tmp_path: Path) -> str:
    """A migrated SQLite database with one department in it."""
    url = f"sqlite:///{tmp_path / 'var' / 'loam.db'}"
    migrate.upgrade(url)
    add_department(url, "备份测试部")
    return url


def test_sqlite_backup_modify_restore_round_trip(live: str, tmp_path: Path) -> None:
    target = tmp_path / "loam-backup.db"
    made = run_loam(live, "backup", str(target))
    assert made.returncode == 0, made.stderr
    assert target.read_bytes()[:16] == ops.SQLITE_MAGIC
    drop_department(live, "备份测试部")
    add_department(live, "备份之后新建")
    restored = run_loam(live, "restore", str(target), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert departments(live) == ["备份测试部"]
    # What was replaced is kept next to the database.
    kept = list((tmp_path / "var").glob("loam.db.before-restore-*"))
    assert len(kept) == 1
    assert departments(f"sqlite:///{kept[0]}") == ["备份之后新建"]


def test_backup_into_a_directory_names_the_file(live: str, tmp_path: Path) -> None:
    out = tmp_path / "backups"
    out.mkdir()
    result = ops.backup(live, out)
    assert result.path.parent == out and result.path.name.startswith("loam-") and result.path.suffix == ".db"
    assert ops.check_sqlite_backup(result.path) == result.revision


def test_backup_is_consistent_while_another_connection_writes(live: str, tmp_path: Path) -> None:
    path = live.removeprefix("sqlite:///")
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO departments (name, kind, path, sort_order, version, created_at, updated_at) "
            "VALUES ('未提交', 'team', '/', 0, 1, '2026-01-01', '2026-01-01')"
        )
        result = ops.backup(live, tmp_path / "online.db")  # does not wait for the writer
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert departments(f"sqlite:///{result.path}") == ["备份测试部"]
    assert departments(live) == ["备份测试部", "未提交"]


def test_restore_refuses_what_is_not_a_loam_backup(live: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    for path, message in (
        (junk, "not a SQLite database"),
        (other, "no alembic_version"),
        (tmp_path / "missing.db", "No backup file"),
        (Path(live.removeprefix("sqlite:///")), "is the database itself"),
    ):
        with pytest.raises(ops.BackupError, match=message):
            ops.restore(live, path)
    result = run_loam(live, "restore", str(junk), "--yes")
    assert result.returncode == 1
    assert "Restore failed" in result.stderr and "not a SQLite database" in result.stderr
    assert departments(live) == ["备份测试部"]


def test_restore_asks_first(live: str, tmp_path: Path) -> None:
    target = tmp_path / "b.db"
    ops.backup(live, target)
    drop_department(live, "备份测试部")
    declined = run_loam(live, "restore", str(target), stdin="n\n")
    assert declined.returncode == 1
    assert "Replace ALL data" in declined.stdout
    assert departments(live) == []


def test_backup_to_a_missing_directory_is_a_clear_error(live: str, tmp_path: Path) -> None:
    result = run_loam(live, "backup", str(tmp_path / "nowhere" / "b.db"))
    assert result.returncode == 1
    assert "does not exist" in result.stderr


def test_postgresql_without_pg_dump_is_a_clear_error(tmp_path: Path) -> None:
    url = "postgresql+psycopg://loam@127.0.0.1:1/loam"
    result = run_loam(url, "backup", str(tmp_path / "b.dump"), env={"PATH": str(tmp_path)})
    assert result.returncode == 1
    assert "pg_dump was not found" in result.stderr


@pytest.mark.skipif(
    not os.environ.get("LOAM_TEST_DATABASE_URL") or shutil.which("pg_dump") is None,
    reason="needs LOAM_TEST_DATABASE_URL and pg_dump",
)
def test_postgresql_backup_modify_restore_round_trip(tmp_path: Path) -> None:
    with postgres_database(f"loam_backup_{WORKER}") as url:
        migrate.upgrade(url)
        add_department(url, "备份测试部")
        target = tmp_path / "loam.dump"
        made = run_loam(url, "backup", str(target))
        assert made.returncode == 0, made.stderr
        assert target.read_bytes()[:5] == b"PGDMP"
        drop_department(url, "备份测试部")
        assert departments(url) == []
        restored = run_loam(url, "restore", str(target), "--yes")
        assert restored.returncode == 0, restored.stderr
        assert departments(url) == ["备份测试部"]
        engine = db.make_engine(url)
        with engine.connect() as conn:  # the schema came back whole
            assert conn.scalar(select(func.count()).select_from(Department.__table__)) == 1
        engine.dispose()
        # A SQLite file is refused before anything is touched.
        sqlite_file = tmp_path / "x.db"
        sqlite3.connect(sqlite_file).close()
        sqlite_file.write_bytes(ops.SQLITE_MAGIC + b"\0" * 100)
        refused = run_loam(url, "restore", str(sqlite_file), "--yes")
        assert refused.returncode == 1 and "not a pg_dump archive" in refused.stderr
        assert departments(url) == ["备份测试部"]
