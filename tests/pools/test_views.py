"""Pool pages: my pools with claim buttons, administration forms, and the release/claim/distribute posts."""

from __future__ import annotations

from urllib.parse import unquote

from loam.pools.models import Pool
from tests.helpers import login, make_customer, post_form
from tests.pools.factory import make_pool, pool_customer


def test_members_see_their_pool_with_claim_buttons(session, ids):
    pool = make_pool(session, ids, "南宁公海", no_followup_days=30)
    pool_customer(session, ids, pool, "页面公海客户")
    page = login("sr1").get("/pools")
    assert page.status_code == 200
    assert 'data-testid="pool-table"' in page.text and "页面公海客户" in page.text
    assert 'data-testid="claim"' in page.text and 'data-testid="distribute"' not in page.text
    assert "30" in page.text  # the rules are shown
    fragment = login("sr1").get(
        f"/pools/{pool.id}?q=nothing-matches", headers={"HX-Request": "true", "HX-Target": "pool-table"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text and "页面公海客户" not in fragment.text
    assert login("ar2").get(f"/pools/{pool.id}").status_code == 404
    empty = login("finance1").get("/pools")
    assert empty.status_code == 200 and 'data-testid="no-pools"' in empty.text


def test_pool_admin_sees_distribute_controls(session, ids):
    pool = make_pool(session, ids)
    pool_customer(session, ids, pool, "待分配")
    page = login("director").get(f"/pools/{pool.id}")
    assert page.status_code == 200 and 'data-testid="distribute"' in page.text
    assert 'data-testid="claim"' not in page.text  # not a member


def test_claim_release_and_distribute_posts(session, ids):
    pool = make_pool(session, ids)
    c = make_customer(session, ids["ar1"], "表单客户")
    ar1 = login("ar1")
    detail = ar1.get(f"/customers/{c.id}")
    assert 'data-testid="release"' in detail.text
    r = post_form(ar1, f"/customers/{c.id}/release")
    assert r.status_code == 303
    sr1 = login("sr1")
    assert 'data-testid="claim"' in sr1.get(f"/customers/{c.id}").text
    r = post_form(sr1, f"/customers/{c.id}/claim")
    assert r.status_code == 303 and r.headers["location"].endswith(f"/customers/{c.id}")
    again = post_form(sr1, f"/customers/{c.id}/claim", headers={"HX-Request": "true"})
    assert again.status_code == 409 and unquote(again.headers["X-Loam-Message"])
    assert post_form(login("ar2"), f"/customers/{c.id}/claim").status_code == 404
    assert sr1.post(f"/customers/{c.id}/claim", data={}).status_code == 403  # no CSRF token
    other = pool_customer(session, ids, pool, "分配表单")
    director = login("director")
    r = post_form(
        director,
        f"/customers/{other.id}/distribute",
        {"user_id": str(ids["fr1"])},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver/pools/{pool.id}?page=1"},
    )
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"/pools/{pool.id}?page=1"
    evil = pool_customer(session, ids, pool, "重定向")
    r = post_form(
        director,
        f"/customers/{evil.id}/distribute",
        {"user_id": str(ids["fr1"])},
        headers={"Referer": "https://evil.example.com/steal"},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("/pools")
    assert post_form(director, f"/customers/{evil.id}/distribute", {"user_id": "abc"}).status_code == 422


def test_manage_pages(session, ids):
    assert login("ar1").get("/pools/manage").status_code == 403
    admin = login("admin")
    assert admin.get("/pools/manage").status_code == 200
    form = admin.get("/pools/manage/new")
    assert form.status_code == 200 and 'name="lr.key.no_followup_days"' in form.text
    data = {
        "name": "表单公海",
        "active": "true",
        "no_followup_days": "30",
        "no_deal_days": "",
        "warn_days": "3",
        "exempt_closed": "true",
        "lr.key.no_followup_days": "60",
        "lr.minor.no_followup_days": "",
        "daily_claim_cap": "5",
        "owned_cap": "",
        "cooldown_days": "7",
        "member_departments[]": [str(ids["team1"])],
        "member_users[]": [str(ids["ar2"])],
    }
    r = post_form(admin, "/pools/manage", data)
    assert r.status_code == 303, r.text[:2000]
    pool = session.query(Pool).filter(Pool.name == "表单公海").one()
    assert pool.level_rules == {"key": {"no_followup_days": 60}} and pool.daily_claim_cap == 5
    listing = admin.get("/pools/manage")
    assert "表单公海" in listing.text and "南宁客户群一组" in listing.text
    bad = post_form(admin, "/pools/manage", data | {"name": "", "lr.key.no_followup_days": "-1"})
    assert bad.status_code == 422 and 'data-testid="error-name"' in bad.text
    dup = post_form(admin, "/pools/manage", data)
    assert dup.status_code == 409 and "表单公海" in dup.text
    edit = admin.get(f"/pools/manage/{pool.id}/edit")
    assert edit.status_code == 200 and 'value="60"' in edit.text
    r = post_form(admin, f"/pools/manage/{pool.id}/edit", data | {"name": "表单公海改", "version": str(pool.version)})
    assert r.status_code == 303
    session.refresh(pool)
    assert pool.name == "表单公海改"
    stale = post_form(admin, f"/pools/manage/{pool.id}/edit", data | {"version": "1"})
    assert stale.status_code == 409


def test_run_rules_button(session, ids):
    make_pool(session, ids)
    r = post_form(login("admin"), "/pools/run-rules")
    assert r.status_code == 303 and "checked=" in r.headers["location"]
    page = login("admin").get(r.headers["location"])
    assert 'data-testid="rule-result"' in page.text
    assert post_form(login("ar1"), "/pools/run-rules").status_code == 403
