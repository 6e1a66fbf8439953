"""schemathesis against the app's own OpenAPI, authenticated: no server errors, no schema violations."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from loam.app import create_app
from loam.auth import service as auth_service
from loam.org.models import User

APP = create_app()  # the whole app, so its middleware (security headers, NUL guard) is exercised too
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@pytest.fixture
def token(session, ids) -> str:
    admin = session.get(User, ids["admin"])
    _row, raw = auth_service.create_api_token(session, admin, "fuzz")
    session.flush()
    return raw


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms(case, token) -> None:
    # Excluded: positive_data_acceptance (ST202) — custom-field keys and references (owner, customer,
    # pool ids) are validated against the company's own data, which no static schema can express, so a
    # schema-valid body may rightly be a 422. Server errors and response-schema violations stay checked.
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance])
