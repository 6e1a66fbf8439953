"""schemathesis against the products part of the OpenAPI, authenticated as an administrator: no server errors,
no response-schema violations (the same checks as tests/api/test_openapi_fuzz.py, on these paths only)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from loam.auth import service as auth_service
from loam.org.models import User
from tests.helpers import app

schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app()).include(path_regex="^/product")


@pytest.fixture
def token(session, ids) -> str:
    admin = session.get(User, ids["admin"])
    _row, raw = auth_service.create_api_token(session, admin, "fuzz")
    session.flush()
    return raw


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_products_api_conforms(case, token) -> None:
    # positive_data_acceptance is excluded as in the shared fuzz test: references (category ids) and custom
    # fields are checked against the company's data, so a schema-valid body may rightly be a 422.
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance])
