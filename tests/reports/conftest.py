"""Fixtures of the report tests: the hand-built company of tests/reports/factories.py."""

from __future__ import annotations

import pytest

from tests.reports.factories import World, build


@pytest.fixture
def world(session, ids) -> World:
    return build(session, ids)
