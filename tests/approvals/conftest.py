"""Fixtures of the approval tests: the test document type (see factories.py) registered for one test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from loam.approvals import registry
from loam.authz.scope import Scope
from tests.approvals.factories import CODE, DocStore, document
from tests.helpers import scope_of


@pytest.fixture
def docs() -> Iterator[DocStore]:
    state = DocStore()
    registry.register(document(state))
    try:
        yield state
    finally:
        registry.unregister(CODE)


@pytest.fixture
def admin(session, ids) -> Scope:
    return scope_of(session, ids["admin"])
