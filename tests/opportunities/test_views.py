from __future__ import annotations

import re
from decimal import Decimal

from loam.opportunities import moves
from tests.contacts.factories import make_contact
from tests.helpers import login, make_customer, post_form
from tests.opportunities.factories import default_stages, make_opportunity, reason, set_stage


def test_list_filters_partial_and_batch_form(session, ids):
    customer = make_customer(session, ids["ar1"], "列表客户")
    a = make_opportunity(session, ids["ar1"], "列表甲", customer_id=customer.id, amount=Decimal("500.00"))
    b = make_opportunity(session, ids["ar1"], "列表乙", customer_id=customer.id, amount=Decimal("5.00"))
    theirs = make_opportunity(session, ids["ar2"], "别人的单")
    c = login("ar1")
    page = c.get("/opportunities")
    assert page.status_code == 200 and 'data-testid="opportunity-table"' in page.text
    assert "列表甲" in page.text and "别人的单" not in page.text and 'data-testid="batch-form"' in page.text
    assert 'data-testid="saved-views"' in page.text
    r = c.get(
        f"/opportunities?customer_id={customer.id}&amount_min=100",
        headers={"HX-Request": "true", "HX-Target": "opportunity-table"},
    )
    assert r.status_code == 200 and "<html" not in r.text
    assert f'data-testid="row-{a.id}"' in r.text and f'data-testid="row-{b.id}"' not in r.text
    assert c.get("/opportunities?status=nope").status_code == 422
    assert theirs.id


def test_kanban_renders_columns_cards_and_totals(session, ids):
    st = default_stages(session)
    o = make_opportunity(session, ids["ar1"], "看板卡片", amount=Decimal("1234.50"))
    o.computed_probability = 42
    other = make_opportunity(session, ids["ar2"], "看不见的卡片")
    session.flush()
    c = login("ar1")
    page = c.get(f"/opportunities/kanban?pipeline_id={st['Qualify'].pipeline_id}")
    assert page.status_code == 200
    assert "data-kanban" in page.text and "js/kanban.js" in page.text and "sortablejs/Sortable.min.js" in page.text
    for name in ("Qualify", "Needs analysis", "Proposal / quote", "Negotiation", "Won", "Lost", "Invalid"):
        assert f'data-testid="column-{st[name].id}"' in page.text
    card = re.search(rf'data-id="{o.id}" data-version="(\d+)" data-amount="1234.50"', page.text)
    assert card and "看板卡片" in page.text and "(42 %)" in page.text
    assert f'data-testid="card-{other.id}"' not in page.text
    assert "data-reason-form" in page.text and "价格" in page.text
    assert c.get("/opportunities/kanban").status_code == 200  # the default pipeline


def test_kanban_move_through_the_api_with_the_session_and_csrf(session, ids):
    st = default_stages(session)
    o = make_opportunity(session, ids["ar1"], "拖拽")
    c = login("ar1")
    url = f"/api/v1/opportunities/{o.id}/move"
    assert c.post(url, json={"stage_id": st["Needs analysis"].id}).status_code == 403  # no CSRF header
    r = c.post(url, json={"stage_id": st["Needs analysis"].id, "version": 1}, headers={"X-CSRF-Token": c.csrf})
    assert r.status_code == 200 and r.json()["stage_id"] == st["Needs analysis"].id
    r = c.post(url, json={"stage_id": st["Lost"].id, "version": r.json()["version"]}, headers={"X-CSRF-Token": c.csrf})
    assert r.status_code == 422 and isinstance(r.json()["detail"], str) and r.json()["detail"]
    r = c.post(
        url,
        json={"stage_id": st["Lost"].id, "lost_reason_id": reason(session), "version": 1},
        headers={"X-CSRF-Token": c.csrf},
    )
    assert r.status_code == 409  # stale version from the card: snaps back


def test_create_edit_with_lines_and_form_errors(session, ids):
    from tests.products.factories import make_product

    p = make_product(session, ids["admin"], "V-1", "路由器", "200.00")
    customer = make_customer(session, ids["ar1"], "表单客户")
    c = login("ar1")
    form = c.get(f"/opportunities/new?customer_id={customer.id}")
    assert form.status_code == 200 and 'data-testid="lines-editor"' in form.text
    assert f'<option value="{customer.id}" selected>' in form.text
    r = post_form(c, "/opportunities", {"name": "", "customer_id": customer.id, "amount": "12", "remark": "保留我"})
    assert r.status_code == 422 and 'data-testid="error-name"' in r.text and "保留我" in r.text
    data = {
        "name": "表单商机",
        "customer_id": customer.id,
        "amount": "0",
        "currency": "CNY",
        "amount_from_lines": "true",
        "lines_present": "1",
        "lines-0-product_id": p.id,
        "lines-0-quantity": "2",
        "lines-0-discount_pct": "50",
    }
    r = post_form(c, "/opportunities", data)
    assert r.status_code == 303, r.text[:800]
    detail = c.get(r.headers["location"])
    assert detail.status_code == 200 and "200.00 CNY" in detail.text and 'data-testid="lines-table"' in detail.text
    oid = int(r.headers["location"].rsplit("/", 1)[1])
    r = post_form(c, "/opportunities", data | {"lines-0-quantity": "-1"})
    assert r.status_code == 422 and 'data-testid="error-lines-0-quantity"' in r.text
    edit = c.get(f"/opportunities/{oid}/edit")
    version = re.search(r'name="version" value="(\d+)"', edit.text).group(1)
    r = post_form(c, f"/opportunities/{oid}/edit", data | {"name": "改过", "version": version, "lines-0-quantity": "3"})
    assert r.status_code == 303
    assert "300.00 CNY" in c.get(f"/opportunities/{oid}").text
    r = post_form(c, f"/opportunities/{oid}/edit", data | {"name": "过期", "version": version})
    assert r.status_code == 409 and 'data-testid="form-error"' in r.text


def test_detail_move_form_refusal_checklist_and_history(session, ids):
    st = default_stages(session)
    set_stage(session, st["Needs analysis"], checklist=["拜访纪要"], required_fields=["expected_close"])
    o = make_opportunity(session, ids["ar1"], "详情商机")
    o.computed_probability = 37
    session.flush()
    c = login("ar1")
    page = c.get(f"/opportunities/{o.id}")
    assert page.status_code == 200 and 'data-testid="stage-bar"' in page.text
    assert 'data-testid="computed-probability">37 %' in page.text and 'data-testid="move-form"' in page.text
    r = post_form(c, f"/opportunities/{o.id}/move", {"stage_id": st["Needs analysis"].id})
    assert r.status_code == 409 and 'data-testid="action-error"' in r.text and "拜访纪要" in r.text
    r = post_form(c, f"/opportunities/{o.id}/checklist", {"stage_id": st["Needs analysis"].id, "items[]": ["拜访纪要"]})
    assert r.status_code == 303
    session.expire_all()
    assert o.checklist_done == {str(st["Needs analysis"].id): ["拜访纪要"]}
    r = post_form(
        c,
        f"/opportunities/{o.id}/edit",
        {
            "name": o.name,
            "customer_id": o.customer_id,
            "amount": "1",
            "expected_close": "2027-05-01",
            "version": str(o.version),
        },
    )
    assert r.status_code == 303
    r = post_form(c, f"/opportunities/{o.id}/move", {"stage_id": st["Needs analysis"].id})
    assert r.status_code == 303 and r.headers["location"].endswith("#stages")
    assert [m.to_stage_id for m in moves.history(session, o.id)][-1] == st["Needs analysis"].id
    page = c.get(f"/opportunities/{o.id}")
    assert 'data-testid="stage-moves"' in page.text and 'data-testid="duration"' in page.text
    assert "阶段变更" in page.text or "Stage changed" in page.text
    assert login("ar2").get(f"/opportunities/{o.id}").status_code == 404


def test_contacts_competitors_team_forms(session, ids):
    o = make_opportunity(session, ids["ar1"], "协作商机")
    boss = make_contact(session, ids["ar1"], o.customer_id, "蒙局长")
    c = login("ar1")
    assert (
        post_form(c, f"/opportunities/{o.id}/contacts", {"contact_id": boss.id, "role": "decision_maker"}).status_code
        == 303
    )
    assert (
        post_form(
            c,
            f"/opportunities/{o.id}/competitors",
            {"name": "友商C", "quoted_price": "88.80", "currency": "CNY", "status": "active"},
        ).status_code
        == 303
    )
    r = post_form(c, f"/opportunities/{o.id}/competitors", {"name": "友商C", "currency": "CNY", "status": "active"})
    assert r.status_code == 409 and 'data-testid="action-error"' in r.text
    assert (
        post_form(c, f"/opportunities/{o.id}/team", {"user_id": ids["sr1"], "role": "SR", "access": "read"}).status_code
        == 303
    )
    page = c.get(f"/opportunities/{o.id}")
    assert "蒙局长" in page.text and "友商C" in page.text and "88.80" in page.text
    assert f'data-testid="member-{ids["sr1"]}"' in page.text
    assert login("sr1").get(f"/opportunities/{o.id}").status_code == 200


def test_batch_from_the_list_reports_per_record(session, ids):
    st = default_stages(session)
    a = make_opportunity(session, ids["ar1"], "批量甲")
    b = make_opportunity(session, ids["ar2"], "批量乙")
    c = login("ar1")
    r = post_form(
        c, "/opportunities/batch", {"ids[]": [a.id, b.id], "action": "move", "stage_id": st["Negotiation"].id}
    )
    assert r.status_code == 200 and 'data-testid="batch-summary"' in r.text
    assert f'data-testid="result-{a.id}"' in r.text and f'data-testid="result-{b.id}"' in r.text
    assert "批量甲" in r.text and "批量乙" not in r.text  # no name of what the caller cannot see
    session.expire_all()
    assert a.stage_id == st["Negotiation"].id and b.stage_id == st["Qualify"].id
    assert post_form(c, "/opportunities/batch", {"action": "move"}).status_code == 422


def test_for_customer_fragment(session, ids):
    customer = make_customer(session, ids["ar1"], "片段客户")
    make_opportunity(session, ids["ar1"], "片段商机", customer_id=customer.id)
    c = login("ar1")
    r = c.get(f"/opportunities/for-customer/{customer.id}", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "片段商机" in r.text and "<html" not in r.text
    assert f"/opportunities/new?customer_id={customer.id}" in r.text
    assert login("ar2").get(f"/opportunities/for-customer/{customer.id}").status_code == 404


def test_pipeline_admin_pages(session, ids):
    st = default_stages(session)
    assert login("ar1").get("/opportunities/pipelines").status_code == 403
    c = login("admin")
    page = c.get("/opportunities/pipelines")
    assert page.status_code == 200 and 'data-testid="pipelines"' in page.text and "预算取消" in page.text
    pid = st["Qualify"].pipeline_id
    page = c.get(f"/opportunities/pipelines/{pid}")
    assert page.status_code == 200 and f'data-testid="stage-row-{st["Won"].id}"' in page.text
    r = post_form(
        c,
        f"/opportunities/pipelines/{pid}/stages",
        {
            "name_zh": "测试",
            "name_en": "Test",
            "probability": "60",
            "kind": "open",
            "checklist": "一\n二\n",
            "required_fields[]": ["amount"],
        },
    )
    assert r.status_code == 303
    added = next(s for s in default_stages(session).values() if s.name_en == "Test")
    assert added.checklist == ["一", "二"] and added.required_fields == ["amount"]
    r = post_form(c, f"/opportunities/pipelines/{pid}/stages/{st['Won'].id}/remove")
    assert r.status_code == 422 and 'data-testid="form-error"' in r.text
    make_opportunity(session, ids["ar1"], stage_id=added.id, amount=Decimal("1"), checklist=["一", "二"])
    assert post_form(c, f"/opportunities/pipelines/{pid}/stages/{added.id}/remove").status_code == 303
    session.expire_all()
    assert added.retired_at is not None
    assert post_form(c, f"/opportunities/pipelines/{pid}/stages/{added.id}/restore").status_code == 303
    assert post_form(c, f"/opportunities/pipelines/{pid}/stages/{added.id}/explode").status_code == 404
    r = post_form(
        c, "/opportunities/pipelines/reasons", {"kind": "invalid", "name_zh": "测试原因", "name_en": "Test reason"}
    )
    assert r.status_code == 303 and "测试原因" in c.get("/opportunities/pipelines").text
    r = post_form(c, "/opportunities/pipelines", {"name_zh": "页面流程", "name_en": "Page pipeline"})
    assert r.status_code == 303 and "/opportunities/pipelines/" in r.headers["location"]


def test_delete_to_the_recycle_bin_page(session, ids):
    o = make_opportunity(session, ids["ar1"], "回收站商机")
    c = login("director")
    r = post_form(c, f"/opportunities/{o.id}/delete")
    assert r.status_code == 303 and r.headers["location"].endswith("/opportunities")
    assert c.get(f"/opportunities/{o.id}").status_code == 404
    page = c.get("/recycle?entity=opportunity")
    assert page.status_code == 200 and "回收站商机" in page.text
    assert post_form(c, f"/recycle/opportunity/{o.id}/restore").status_code == 303
    assert c.get(f"/opportunities/{o.id}").status_code == 200
