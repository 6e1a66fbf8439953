"""`loam demo` loads into a fresh database of its own, once for the whole tests/demo package."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from loam import db
from tests.ops.scratch import WORKER, run_loam, scratch_database


@dataclass
class Demo:
    url: str
    engine: Engine
    output: str
    seconds: float


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with scratch_database(tmp_path_factory.mktemp("demo"), f"loam_demo_{WORKER}") as url:
        started = time.perf_counter()
        result = run_loam(url, "demo")
        seconds = time.perf_counter() - started
        assert result.returncode == 0, result.stdout + result.stderr
        engine = db.make_engine(url)
        try:
            yield Demo(url, engine, result.stdout, seconds)
        finally:
            engine.dispose()


@pytest.fixture
def s(demo: Demo) -> Iterator[Session]:
    with Session(demo.engine) as session:
        yield session
        session.rollback()
