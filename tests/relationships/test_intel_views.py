"""Intelligence pages: the list with filters, the form (create, edit, errors), the item page and the customer's
section — rendered in zh_CN and en."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from loam.relationships import intel
from tests.helpers import login, post_form, scope_of
from tests.relationships import network_factories as f

T = f.TODAY


@pytest.fixture
def world(session, ids):
    c = f.customer(session, ids["ar1"])
    a = f.contact(session, ids["ar1"], c.id, "周主任", "技术部")
    b = f.contact(session, ids["ar1"], c.id, "吴工", "采购部")
    ok = f.item(session, ids["ar1"], c.id, "预算已批", sources=[f.src(a.id), f.src(user_id=ids["sr1"])])
    mixed = f.item(
        session,
        ids["ar1"],
        c.id,
        "中兴在做测试",
        kind="competitor",
        competitor="中兴",
        occurred_on=T - timedelta(days=3),
        sources=[f.src(a.id), f.src(b.id, stance="contradicts")],
    )
    return {"c": c, "a": a, "b": b, "ok": ok, "mixed": mixed}


def _web(locale):
    w = login("ar1")
    assert post_form(w, "/locale", {"locale": locale}).status_code == 303
    return w


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_list_item_and_section_render(session, ids, world, locale):
    w = _web(locale)
    r = w.get("/relationships/intel")
    assert r.status_code == 200, r.text[:500]
    assert ('lang="en"' if locale == "en" else 'lang="zh-CN"') in r.text
    row_ok = re.search(rf'data-testid="intel-row-{world["ok"].id}".*?</tr>', r.text, re.S).group(0)
    row_mixed = re.search(rf'data-testid="intel-row-{world["mixed"].id}".*?</tr>', r.text, re.S).group(0)
    assert 'data-testid="flag-verified"' in row_ok and 'data-testid="flag-conflicting"' not in row_ok
    assert 'class="table-warning"' in row_mixed and 'data-testid="flag-conflicting"' in row_mixed
    if locale == "en":
        assert "Intelligence" in r.text and "Verified" in r.text
    r = w.get(f"/relationships/intel/{world['mixed'].id}")
    assert r.status_code == 200
    assert r.text.count('data-testid="source-row"') == 2 and 'data-testid="source-form"' in r.text
    assert "周主任" in r.text and "吴工" in r.text
    r = w.get(f"/customers/{world['c'].id}/relationships/intel")
    assert r.status_code == 200
    assert f'data-testid="intel-item-{world["mixed"].id}"' in r.text
    assert 'data-testid="competitor-1"' in r.text and "中兴" in r.text
    # Both contacts are sources; neither was met in a follow-up: both need maintenance.
    assert (
        f'data-testid="stale-source-{world["a"].id}"' in r.text
        and f'data-testid="stale-source-{world["b"].id}"' in r.text
    )
    page = w.get(f"/customers/{world['c'].id}/relationships")
    assert re.search(
        rf'data-testid="rel-intel"\s+hx-get="[^"]*/customers/{world["c"].id}/relationships/intel"', page.text
    )


def test_list_filters_and_htmx_table(session, ids, world):
    w = _web("en")
    r = w.get("/relationships/intel", params={"conflicting": "true"})
    assert f"intel-row-{world['mixed'].id}" in r.text and f"intel-row-{world['ok'].id}" not in r.text
    r = w.get("/relationships/intel", params={"verified": "true", "customer_id": world["c"].id})
    assert f"intel-row-{world['ok'].id}" in r.text and f"intel-row-{world['mixed'].id}" not in r.text
    assert 'data-testid="customer-filter"' in r.text
    r = w.get(
        "/relationships/intel",
        params={"kind": "competitor"},
        headers={"HX-Request": "true", "HX-Target": "intel-table"},
    )
    assert "<html" not in r.text and f"intel-row-{world['mixed'].id}" in r.text
    assert w.get("/relationships/intel", params={"kind": "rumour"}).status_code == 422
    assert login("ar2").get("/relationships/intel").text.count('data-testid="intel-row-') == 0


def test_create_through_the_form(session, ids, world):
    w = _web("en")
    picker = w.get("/relationships/intel/new")
    assert picker.status_code == 200 and 'data-testid="customer-picker"' in picker.text
    form = w.get("/relationships/intel/new", params={"customer_id": world["c"].id})
    assert form.status_code == 200 and 'data-testid="intel-form"' in form.text
    data = {
        "customer_id": world["c"].id,
        "kind": "competitor",
        "content": "华为也在跟进",
        "occurred_on": T.isoformat(),
        "confidence": "high",
        "competitor": "",
        "source-0": f"c:{world['a'].id}",
        "stance-0": "confirms",
    }
    bad = post_form(w, "/relationships/intel", data)
    assert bad.status_code == 422 and 'data-testid="error-competitor"' in bad.text
    assert f'value="c:{world["a"].id}" selected' in bad.text  # the typed rows come back
    data |= {"competitor": "华为", "source-1": f"u:{ids['sr1']}", "contact_ids[]": [str(world["b"].id)]}
    r = post_form(w, "/relationships/intel", data)
    assert r.status_code == 303, r.text[:800]
    session.expire_all()
    item_id = int(r.headers["location"].rsplit("/", 1)[1])
    it = intel.get(session, scope_of(session, ids["ar1"]), item_id)
    assert (it.competitor, it.confirms, it.verified, it.contact_ids) == ("华为", 2, True, [world["b"].id])
    bogus = post_form(w, "/relationships/intel", data | {"source-2": "x:1"})
    assert bogus.status_code == 422 and 'data-testid="error-sources"' in bogus.text


def test_edit_add_source_and_delete(session, ids, world):
    w = _web("zh_CN")
    it = world["ok"]
    r = w.get(f"/relationships/intel/{it.id}/edit")
    assert r.status_code == 200 and 'name="version"' in r.text
    data = {
        "version": it.version,
        "kind": "budget",
        "content": "预算已批（修订）",
        "occurred_on": T.isoformat(),
        "confidence": "low",
        "source-0": f"c:{world['a'].id}",
        "stance-0": "confirms",
    }
    assert post_form(w, f"/relationships/intel/{it.id}/edit", data).status_code == 303
    session.expire_all()
    got = intel.get(session, scope_of(session, ids["ar1"]), it.id)
    assert (got.content, got.confirms, got.verified, got.contact_ids) == ("预算已批（修订）", 1, False, [])
    stale = post_form(w, f"/relationships/intel/{it.id}/edit", data)  # the old version again
    assert stale.status_code == 409
    r = post_form(w, f"/relationships/intel/{it.id}/sources", {"source": f"c:{world['b'].id}", "stance": "contradicts"})
    assert r.status_code == 303
    session.expire_all()
    assert intel.get(session, scope_of(session, ids["ar1"]), it.id).conflicting is True
    assert post_form(w, f"/relationships/intel/{it.id}/sources", {"source": ""}).status_code == 422
    assert login("ar2").get(f"/relationships/intel/{it.id}").status_code == 404
    assert post_form(login("ar2"), f"/relationships/intel/{it.id}/delete").status_code == 404
    assert post_form(w, f"/relationships/intel/{it.id}/delete").status_code == 303
    assert w.get(f"/relationships/intel/{it.id}").status_code == 404
    bin_page = w.get("/recycle", params={"entity": "intel_item"})
    assert bin_page.status_code == 200 and f'data-testid="recycle-intel_item-{it.id}"' in bin_page.text
    assert "预算已批（修订）" in bin_page.text
    assert post_form(w, f"/recycle/intel_item/{it.id}/restore").status_code == 303
    assert w.get(f"/relationships/intel/{it.id}").status_code == 200
