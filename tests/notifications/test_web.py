"""Notification pages, the navbar badge and the API."""

from __future__ import annotations

from loam.notifications import service
from tests.helpers import api, login, make_customer, post_form


def _notify(session, user_id, n=1, **kw):
    rows = [
        service.notify(session, user_id, "pool_returned", {"customer": f"客户{i}", "pool": "南宁公海"}, **kw)
        for i in range(n)
    ]
    session.flush()
    return rows


def test_badge_is_an_empty_span_at_zero_and_a_count_otherwise(session, ids):
    c = login("ar1")
    r = c.get("/notifications/badge")
    assert r.status_code == 200 and r.text.strip() == '<span data-testid="notification-badge"></span>'
    _notify(session, ids["ar1"], 3)
    r = c.get("/notifications/badge")
    assert ">3</span>" in r.text and 'class="badge' in r.text
    assert "/notifications/badge" in c.get("/").text  # base.html loads the badge


def test_list_open_and_mark_read(session, ids):
    customer = make_customer(session, ids["ar1"], "通知客户")
    (n,) = _notify(session, ids["ar1"], 1, entity="customer", entity_id=customer.id)
    (other,) = _notify(session, ids["ar2"], 1)
    c = login("ar1")
    page = c.get("/notifications")
    assert page.status_code == 200 and "客户0" in page.text and 'data-testid="mark-read"' in page.text
    r = post_form(c, f"/notifications/{n.id}/open")
    assert r.status_code == 303 and r.headers["location"].endswith(f"/customers/{customer.id}")
    assert post_form(c, f"/notifications/{other.id}/read").status_code == 404
    assert post_form(c, f"/notifications/{other.id}/open").status_code == 404
    _notify(session, ids["ar1"], 2)
    assert post_form(c, "/notifications/read-all").status_code == 303
    assert c.get("/notifications?unread=true").text.count('data-testid="notification"') == 0
    assert c.post(f"/notifications/{n.id}/read", data={}).status_code == 403  # no CSRF token


def test_api(session, ids):
    (n,) = _notify(session, ids["ar1"], 1)
    (other,) = _notify(session, ids["ar2"], 1)
    c = api("ar1")
    body = c.get("/api/v1/notifications").json()
    assert body["total"] == 1 and body["items"][0]["id"] == n.id and "客户0" in body["items"][0]["message"]
    assert c.get("/api/v1/notifications/unread-count").json() == {"unread": 1}
    assert c.post(f"/api/v1/notifications/{other.id}/read").status_code == 404
    r = c.post(f"/api/v1/notifications/{n.id}/read")
    assert r.status_code == 200 and r.json()["read_at"] is not None
    assert c.get("/api/v1/notifications", params={"unread": True}).json()["total"] == 0
    _notify(session, ids["ar1"], 2)
    assert c.post("/api/v1/notifications/read-all").json() == {"marked": 2}
    assert api("ar2").get("/api/v1/notifications/unread-count").json() == {"unread": 1}
    assert c.get("/api/v1/notifications", params={"page": 0}).status_code == 422
    assert c.post("/api/v1/notifications/99999999999999999999/read").status_code == 422


def test_anonymous_is_refused(session):
    from tests.helpers import client

    assert client().get("/api/v1/notifications").status_code == 401
    r = client().get("/notifications")
    assert r.status_code == 303 and "/login" in r.headers["location"]
