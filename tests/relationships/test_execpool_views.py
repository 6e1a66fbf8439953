"""Executive pool pages: the pool grouped by executive, the customer's pairings section and its form, a pairing's
page with its meetings — rendered in zh_CN and en."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from loam.relationships import execpool
from loam.relationships.models import ExecPairing
from tests.helpers import login, post_form, scope_of
from tests.relationships import network_factories as f

T = f.TODAY


@pytest.fixture
def world(session, ids):
    c = f.customer(session, ids["ar1"])
    boss = f.contact(session, ids["ar1"], c.id, "钱总", "总经理办公室", level="executive")
    vice = f.contact(session, ids["ar1"], c.id, "孙副总", "总经理办公室", level="executive")
    p = f.pairing(session, ids["ar1"], boss.id, ids["director"])
    # Paired 40 days ago, expecting a meeting every 30 days: due.
    late = f.pairing(session, ids["ar1"], vice.id, ids["sr1"], expected_days=30)
    session.get(ExecPairing, late.id).created_at = f.days_ago(40)
    session.flush()
    return {"c": c, "boss": boss, "vice": vice, "p": p, "late": late}


def _web(locale):
    w = login("ar1")
    assert post_form(w, "/locale", {"locale": locale}).status_code == 303
    return w


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_pool_section_and_pairing_pages_render(session, ids, world, locale):
    w = _web(locale)
    r = w.get("/relationships/exec-pool")
    assert r.status_code == 200, r.text[:500]
    assert ('lang="en"' if locale == "en" else 'lang="zh-CN"') in r.text
    assert f'data-testid="exec-{ids["director"]}"' in r.text and f'data-testid="exec-{ids["sr1"]}"' in r.text
    late = re.search(rf'data-testid="pairing-{world["late"].id}".*?</tr>', r.text, re.S).group(0)
    fine = re.search(rf'data-testid="pairing-{world["p"].id}".*?</tr>', r.text, re.S).group(0)
    assert 'data-testid="due"' in late and 'data-testid="on-track"' in fine
    if locale == "en":
        assert "Executive pool" in r.text and "2 pairings, 1 due" in r.text
    only_due = w.get("/relationships/exec-pool", params={"due": "true"}).text
    assert f'pairing-{world["late"].id}"' in only_due and f'pairing-{world["p"].id}"' not in only_due
    r = w.get(f"/customers/{world['c'].id}/relationships/pairings")
    assert r.status_code == 200 and 'data-testid="pairing-form"' in r.text
    assert f'data-testid="pairing-{world["late"].id}" class="table-danger"' in r.text
    r = w.get(f"/relationships/pairings/{world['p'].id}")
    assert r.status_code == 200 and 'data-testid="meeting-form"' in r.text and 'data-testid="pairing-edit"' in r.text
    assert w.get(f"/customers/{world['c'].id}/relationships/pairings/new").status_code == 200
    assert login("ar2").get("/relationships/exec-pool").text.count('data-testid="pairing-') == 0
    assert login("ar2").get(f"/relationships/pairings/{world['p'].id}").status_code == 404


def test_pair_plan_hold_and_delete_through_the_forms(session, ids, world):
    w = _web("en")
    c = world["c"]
    other = f.contact(session, ids["ar1"], c.id, "周总", level="executive")
    bad = post_form(w, f"/customers/{c.id}/relationships/pairings", {"contact_id": other.id, "expected_days": "0"})
    assert (
        bad.status_code == 422
        and 'data-testid="error-user_id"' in bad.text
        and 'data-testid="pairing-form"' in bad.text
    )
    dup = post_form(
        w, f"/customers/{c.id}/relationships/pairings", {"contact_id": world["boss"].id, "user_id": ids["director"]}
    )
    assert dup.status_code == 409 and 'data-testid="form-error"' in dup.text
    r = post_form(
        w,
        f"/customers/{c.id}/relationships/pairings",
        {"contact_id": other.id, "user_id": ids["ar1"], "expected_days": "45"},
    )
    assert r.status_code == 303, r.text[:800]
    pid = int(r.headers["location"].rsplit("/", 1)[1])
    scope = scope_of(session, ids["ar1"])
    assert execpool.get(session, scope, pid).expected_days == 45
    held_bad = post_form(w, f"/relationships/pairings/{pid}/meetings", {"planned_on": T.isoformat(), "status": "held"})
    assert held_bad.status_code == 422 and "error-held_on" in held_bad.text
    planned = (T + timedelta(days=7)).isoformat()
    assert (
        post_form(
            w, f"/relationships/pairings/{pid}/meetings", {"planned_on": planned, "status": "planned"}
        ).status_code
        == 303
    )
    session.expire_all()
    m = execpool.get(session, scope, pid).meetings[0]
    v1 = m.version
    r = post_form(w, f"/relationships/meetings/{m.id}", {"version": v1, "status": "held", "held_on": T.isoformat()})
    assert r.status_code == 303
    session.expire_all()
    got = execpool.get(session, scope, pid)
    assert (got.last_held_on, got.meetings[0].status) == (T, "held")
    stale = post_form(w, f"/relationships/meetings/{m.id}", {"version": v1, "status": "cancelled"})
    assert stale.status_code == 409
    r = post_form(
        w, f"/relationships/pairings/{pid}/edit", {"version": got.version, "user_id": ids["ar1"], "expected_days": "60"}
    )
    assert r.status_code == 303
    session.expire_all()
    assert execpool.get(session, scope, pid).expected_days == 60
    assert post_form(login("ar2"), f"/relationships/pairings/{pid}/delete").status_code == 404
    r = post_form(w, f"/relationships/pairings/{pid}/delete")
    assert r.status_code == 303 and r.headers["location"].endswith(f"/customers/{c.id}/relationships#rel-pairings")
    assert w.get(f"/relationships/pairings/{pid}").status_code == 404
    bin_page = w.get("/recycle", params={"entity": "exec_pairing"})
    assert f'data-testid="recycle-exec_pairing-{pid}"' in bin_page.text and "李明 – 周总" in bin_page.text
