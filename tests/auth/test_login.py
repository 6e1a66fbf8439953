from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from loam.auth.models import UserSession
from loam.org.models import User
from tests.helpers import client, login, post_form


def _login_attempt(c, username, password):
    page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return c.post("/login", data={"username": username, "password": password, "csrf_token": token})


def test_anonymous_is_sent_to_login(connection):
    r = client().get("/customers")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/customers")


def test_unknown_user_and_wrong_password_get_the_same_message(connection):
    c = client()
    a = _login_attempt(c, "nobody", "whatever1")
    b = _login_attempt(c, "ar1", "wrong-password")
    assert a.status_code == b.status_code == 401
    msg = lambda r: re.search(r'data-testid="login-error">([^<]+)<', r.text).group(1)  # noqa: E731
    assert msg(a) == msg(b)


def test_login_is_throttled_after_repeated_failures(connection):
    c = client()
    for _ in range(5):
        assert _login_attempt(c, "ar2", "bad-password").status_code == 401
    # even the right password is refused while locked out
    assert _login_attempt(c, "ar2", "loam-demo").status_code == 429


def test_login_without_csrf_is_refused(connection):
    r = client().post("/login", data={"username": "ar1", "password": "loam-demo", "csrf_token": "x"})
    assert r.status_code == 403


def test_session_cookie_flags_and_logout(connection):
    c = client()
    r = _login_attempt(c, "ar1", "loam-demo")
    cookie = r.headers["set-cookie"]
    assert "loam_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    home = c.get("/")
    assert home.status_code == 200
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', home.text).group(1)
    assert c.post("/logout", data={"csrf_token": csrf}).status_code == 303
    assert c.get("/").status_code == 303


def test_state_change_without_csrf_token_is_forbidden(connection):
    c = login("ar1")
    r = c.post("/customers", data={"name": "无CSRF公司"})
    assert r.status_code == 403
    assert post_form(c, "/customers", {"name": "有CSRF公司"}).status_code == 303


def test_deactivated_user_loses_session_at_next_request(connection, session):
    c = login("ar1")
    assert c.get("/").status_code == 200
    user = session.scalar(select(User).where(User.username == "ar1"))
    user.is_active = False
    session.flush()
    assert c.get("/").status_code == 303
    assert session.scalar(select(UserSession).where(UserSession.user_id == user.id)) is not None


def test_language_switch_is_remembered_per_user(connection):
    c = login("ar1")
    assert "客户" in c.get("/").text or "Customers" in c.get("/").text
    post_form(c, "/locale", {"locale": "en"})
    c2 = login("ar1")  # a fresh browser: the choice comes from the user record
    assert 'lang="en"' in c2.get("/").text
    post_form(c2, "/locale", {"locale": "zh_CN"})
    assert 'lang="zh-CN"' in login("ar1").get("/").text


def test_security_headers(connection):
    r = client().get("/login")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_api_token_flow(connection):
    c = client()
    bad = c.post("/api/v1/auth/token", data={"username": "ar1", "password": "nope-nope"})
    assert bad.status_code == 401
    ok = c.post("/api/v1/auth/token", data={"username": "ar1", "password": "loam-demo"})
    token = ok.json()["access_token"]
    me = c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "ar1"
    assert c.get("/api/v1/auth/me", headers={"Authorization": "Bearer loam_forged"}).status_code == 401


def test_failures_from_one_address_do_not_lock_out_another(connection, session):
    from loam.auth import service as auth_service
    from loam.errors import NotAuthenticated, TooManyRequests

    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            auth_service.authenticate(session, "sr1", "bad-password", ip="10.9.9.9")
    with pytest.raises(TooManyRequests):
        auth_service.authenticate(session, "sr1", "loam-demo", ip="10.9.9.9")
    assert auth_service.authenticate(session, "sr1", "loam-demo", ip="10.1.1.1").username == "sr1"


def test_cookies_are_secure_over_https(connection):
    from fastapi.testclient import TestClient

    from tests.helpers import app

    c = TestClient(app(), base_url="https://testserver", follow_redirects=False)
    page = c.get("/login")
    assert "Secure" in page.headers["set-cookie"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = c.post("/login", data={"username": "fr1", "password": "loam-demo", "csrf_token": token})
    assert r.status_code == 303 and "loam_session=" in r.headers["set-cookie"] and "Secure" in r.headers["set-cookie"]
