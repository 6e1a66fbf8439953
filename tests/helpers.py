"""Small typed helpers for tests: scopes, logged-in clients, factories that use the real services (R27)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from loam.authz import service as authz_service
from loam.authz.scope import Scope
from loam.customers import service as customer_service
from loam.customers.schemas import CustomerCreate
from loam.demo.org import DEMO_PASSWORD
from loam.org.models import User

_APP = None


def app() -> Any:
    global _APP
    if _APP is None:
        from loam.app import create_app

        _APP = create_app()
    return _APP


def scope_of(session: Session, user_id: int) -> Scope:
    user = session.get(User, user_id)
    assert user is not None
    return authz_service.build_scope(session, user)


def client() -> TestClient:
    return TestClient(app(), follow_redirects=False)


def login(username: str, password: str = DEMO_PASSWORD) -> TestClient:
    """A browser-like client logged in through the real login form; ``.csrf`` holds its CSRF token."""
    c = client()
    page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "login form has a CSRF token"
    r = c.post("/login", data={"username": username, "password": password, "csrf_token": token.group(1), "next": "/"})
    assert r.status_code == 303, r.text[:500]
    home = c.get("/")
    m = re.search(r'"X-CSRF-Token": "([^"]+)"', home.text)
    assert m
    c.csrf = m.group(1)  # type: ignore[attr-defined]
    return c


def api(username: str, password: str = DEMO_PASSWORD) -> TestClient:
    """An API client with a bearer token from POST /api/v1/auth/token."""
    c = client()
    r = c.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return c


def post_form(c: TestClient, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    payload = dict(data or {})
    payload.setdefault("csrf_token", c.csrf)  # type: ignore[attr-defined]
    return c.post(url, data=payload, **kw)


def make_customer(session: Session, owner_id: int, name: str = "广西河池电信分公司", **fields: Any) -> Any:
    scope = scope_of(session, owner_id)
    customer = customer_service.create(session, scope, CustomerCreate(name=name, **fields))
    session.flush()
    return customer
