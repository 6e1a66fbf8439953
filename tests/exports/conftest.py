"""Export files go to a per-test folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from loam.config import settings


@pytest.fixture(autouse=True)
def files_dir(tmp_path: Path) -> Iterator[Path]:
    old = settings.files_path
    settings.files_path = str(tmp_path / "files")
    try:
        yield tmp_path / "files"
    finally:
        settings.files_path = old
