"""Pages of the contact scenarios: the catalogue admin page and form (zh_CN and en), the scenario select of the
follow-up form (create and edit, in one transaction with the follow-up), and the scenario panel of a follow-up."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from loam.activities.models import FollowUp
from loam.customers import service as customer_service
from loam.customers.schemas import MemberWrite
from loam.relationships.models import ContactScenario, FollowUpScenario
from tests.contacts.factories import make_contact
from tests.helpers import login, make_customer, post_form, scope_of
from tests.relationships.scenarios_factories import by_code, choose, followup, rate

HX = {"HX-Request": "true"}


def _record(session, followup_id: int) -> FollowUpScenario | None:
    """The record as stored (the pages write through their own sessions)."""
    session.expire_all()
    return session.get(FollowUpScenario, followup_id)


def _english(c) -> None:
    assert post_form(c, "/locale", {"locale": "en"}).status_code == 303


def test_catalogue_page_in_both_languages(session, ids):
    c = login("admin")
    page = c.get("/relationships/scenarios")
    assert page.status_code == 200
    assert (
        'data-testid="scenario-daily_visit"' in page.text and "日常拜访" in page.text and "Daily visit" not in page.text
    )
    assert 'data-testid="scenario-hospitality"' in page.text and "500.00 CNY" in page.text
    assert 'data-testid="scenario-delete-daily_visit"' in page.text  # never used yet
    _english(c)
    page = c.get("/relationships/scenarios")
    assert "Contact scenarios" in page.text and "Daily visit" in page.text and "日常拜访" not in page.text
    assert "Broad relationships" in page.text
    form = c.get(f"/relationships/scenarios/{by_code(session, 'hq_visit').id}")
    assert form.status_code == 200 and 'value="Showroom and R&amp;D tour"' in form.text
    assert form.text.count('data-testid="checklist-row"') == 4 + 3  # the items and three empty rows
    assert login("ar1").get("/relationships/scenarios").status_code == 403
    assert login("ar1").get("/relationships/scenarios/new").status_code == 403


def test_create_and_edit_through_the_form(session, ids):
    c = login("admin")
    assert c.get("/relationships/scenarios/new").status_code == 200
    r = post_form(
        c,
        "/relationships/scenarios",
        {
            "name_zh": "新春拜年",
            "name_en": "New-year greetings",
            "layer": "broad",
            "budget": "2000",
            "currency": "cny",
            "hospitality": "false",
            "active": "true",
            "rows": "3",
            "item_0_zh": "准备贺卡",
            "item_0_en": "Cards",
            "item_0_order": "2",
            "item_1_zh": "",
            "item_1_en": "",
            "item_2_zh": "名单",
            "item_2_en": "List",
            "item_2_order": "1",
        },
    )
    assert r.status_code == 303, r.text[:800]
    s = session.scalar(select(ContactScenario).where(ContactScenario.name_zh == "新春拜年"))
    assert s is not None and s.currency == "CNY" and s.budget == Decimal("2000.00") and s.layer == "broad"
    assert s.checklist == [{"zh": "名单", "en": "List"}, {"zh": "准备贺卡", "en": "Cards"}]  # by order number
    f = followup(session, ids["ar1"])
    choose(session, ids["ar1"], f.id, s.code, checked=[1])  # ticks "Cards"
    # Edit: remove "List" (row 0), keep "Cards" (was 1), add one.
    edit = {
        "version": str(s.version),
        "name_zh": "新春拜年",
        "name_en": "New-year visit",
        "layer": "broad",
        "currency": "CNY",
        "hospitality": "false",
        "active": "true",
        "rows": "3",
        "item_0_zh": "名单",
        "item_0_en": "List",
        "item_0_was": "0",
        "item_0_remove": "1",
        "item_1_zh": "准备贺卡",
        "item_1_en": "Cards",
        "item_1_was": "1",
        "item_2_en": "Thank-you call",
    }
    r = post_form(c, f"/relationships/scenarios/{s.id}", edit)
    assert r.status_code == 303, r.text[:800]
    session.refresh(s)
    assert s.name_en == "New-year visit" and [i["en"] for i in s.checklist] == ["Cards", "Thank-you call"]
    assert _record(session, f.id).checked == [0]  # the tick followed "Cards"
    r = post_form(c, f"/relationships/scenarios/{s.id}", edit)  # the version is stale now
    assert r.status_code == 409 and "该场景已被他人修改" in r.text
    r = post_form(c, f"/relationships/scenarios/{s.id}", edit | {"version": str(s.version), "name_zh": ""})
    assert r.status_code == 422 and 'data-testid="error-name_zh"' in r.text and 'value="Thank-you call"' in r.text
    r = post_form(
        c, "/relationships/scenarios", {"name_zh": "宴请", "name_en": "Dinner", "hospitality": "true", "rows": "0"}
    )
    assert r.status_code == 422 and 'data-testid="error-limit_per_head"' in r.text
    assert session.scalar(select(ContactScenario).where(ContactScenario.name_zh == "宴请")) is None


def test_catalogue_actions(session, ids):
    c = login("director")
    s = by_code(session, "mgmt_seminar")
    assert post_form(c, f"/relationships/scenarios/{s.id}/deactivate").status_code == 303
    session.refresh(s)
    assert not s.active
    assert 'data-testid="scenario-inactive"' in c.get("/relationships/scenarios").text
    assert post_form(c, f"/relationships/scenarios/{s.id}/activate").status_code == 303
    session.refresh(s)
    assert s.active
    assert post_form(c, f"/relationships/scenarios/{s.id}/up").status_code == 303
    session.refresh(s)
    assert s.position == 8 and by_code(session, "summit").position == 9
    f = followup(session, ids["ar1"])
    choose(session, ids["ar1"], f.id, "mgmt_seminar")
    page = c.get("/relationships/scenarios")
    assert f'data-testid="scenario-delete-{s.code}"' not in page.text  # in use: no delete button
    r = post_form(c, f"/relationships/scenarios/{s.id}/delete")
    assert r.status_code == 409 and "请改为停用" in r.text
    assert session.get(ContactScenario, s.id) is not None
    assert post_form(c, f"/relationships/scenarios/{s.id}/explode").status_code == 404
    assert post_form(login("ar1"), f"/relationships/scenarios/{s.id}/deactivate").status_code == 403


def test_followup_form_picks_a_scenario_in_the_same_transaction(session, ids):
    customer = make_customer(session, ids["ar1"], "场景页面客户")
    c = login("ar1")
    tab = c.get(f"/customers/{customer.id}/timeline")
    assert "/relationships/scenarios/select?compact=true" in tab.text
    select_html = c.get("/relationships/scenarios/select?compact=true").text
    assert 'name="scenario_id"' in select_html and 'name="scenario_was" value=""' in select_html
    assert "日常拜访" in select_html and select_html.count("<option") == 14  # "—" and the 13 active ones
    exec_visit = by_code(session, "executive_visit")
    r = post_form(
        c,
        "/followups",
        {
            "customer_id": customer.id,
            "kind": "visit",
            "content": "高层拜访",
            "scenario_id": exec_visit.id,
            "scenario_was": "",
        },
    )
    assert r.status_code == 303, r.text[:500]
    f = session.scalar(select(FollowUp).where(FollowUp.customer_id == customer.id))
    assert _record(session, f.id).scenario_id == exec_visit.id
    # An inactive scenario is refused, and the follow-up is not recorded either.
    exec_visit.active = False
    session.flush()
    r = post_form(
        c,
        "/followups",
        {"customer_id": customer.id, "kind": "call", "content": "不应保存", "scenario_id": exec_visit.id},
    )
    assert r.status_code == 422 and "请选择一个启用中的场景。" in r.text
    assert "keep=true" in r.text and f"selected={exec_visit.id}" in r.text  # the form keeps the choice
    assert session.scalar(select(FollowUp).where(FollowUp.content == "不应保存")) is None
    r = post_form(
        c, "/followups", {"customer_id": customer.id, "kind": "call", "content": "不应保存", "scenario_id": "abc"}
    )
    assert r.status_code == 422
    assert session.scalar(select(FollowUp).where(FollowUp.content == "不应保存")) is None


def test_followup_edit_form_changes_the_scenario_only_when_changed(session, ids):
    f = followup(session, ids["ar1"])
    choose(session, ids["ar1"], f.id, "daily_visit", checked=[0, 1])
    c = login("ar1")
    page = c.get(f"/followups/{f.id}/edit")
    assert f"/followups/{f.id}/scenario" in page.text and "relationships/scenarios/select?" in page.text
    daily = by_code(session, "daily_visit").id
    sel = c.get(f"/relationships/scenarios/select?followup_id={f.id}").text
    assert f'<option value="{daily}" selected>' in sel and f'name="scenario_was" value="{daily}"' in sel
    base = {"version": str(f.version), "kind": "visit", "content": "改了内容"}
    r = post_form(c, f"/followups/{f.id}/edit", base | {"scenario_id": daily, "scenario_was": daily})
    assert r.status_code == 303
    assert _record(session, f.id).checked == [0, 1]  # unchanged select: ticks kept
    session.refresh(f)
    summit = by_code(session, "summit").id
    r = post_form(
        c, f"/followups/{f.id}/edit", base | {"version": str(f.version), "scenario_id": summit, "scenario_was": daily}
    )
    assert r.status_code == 303
    rec = _record(session, f.id)
    assert rec.scenario_id == summit and rec.checked == []
    session.refresh(f)
    r = post_form(
        c, f"/followups/{f.id}/edit", base | {"version": str(f.version), "scenario_id": "", "scenario_was": summit}
    )
    assert r.status_code == 303 and _record(session, f.id) is None


def test_panel_ticks_money_and_rating(session, ids):
    customer = make_customer(session, ids["ar1"], "场景面板客户")
    zhang = make_contact(session, ids["ar1"], customer.id, "张三")
    f = followup(session, ids["ar1"], customer_id=customer.id, contact_ids=[zhang.id])
    c = login("ar1")
    url = f"/followups/{f.id}/scenario"
    empty = c.get(url)
    assert empty.status_code == 200 and 'data-testid="scenario-pick-form"' in empty.text
    hosp = by_code(session, "hospitality")
    r = post_form(c, f"{url}/pick", {"scenario_id": hosp.id}, headers=HX)
    assert r.status_code == 200 and 'data-testid="scenario-checklist-form"' in r.text and "商务与社交活动" in r.text
    r = post_form(c, url, {"scenario_id": hosp.id, "checked[]": ["0", "2"], "guests": "3", "spent": "1500"}, headers=HX)
    assert r.status_code == 200 and r.text.count('checked data-testid="scenario-tick"') == 2
    assert "检查项已完成 2 / 3" in r.text
    r = post_form(c, url, {"scenario_id": hosp.id, "guests": "3", "spent": "1500.03"}, headers=HX)
    assert (
        r.status_code == 422 and "%E5%90%88%E8%A7%84%E4%B8%8A%E9%99%90" in r.headers["X-Loam-Message"]
    )  # 合规上限, url-encoded
    assert _record(session, f.id).spent == Decimal("1500.00")
    r = post_form(c, url, {"scenario_id": hosp.id, "checked[]": ["9"]}, headers=HX)
    assert r.status_code == 422
    _english(c)
    r = post_form(c, f"{url}/rating", {"quality": "4", "support_effect": "1", "stage_effect": "0"}, headers=HX)
    assert r.status_code == 200 and "Rated 4/5" in r.text
    assert "Suggests: support +1 for 张三 (0 → +1)" in r.text and "Suggests: stage" not in r.text
    assert post_form(c, f"{url}/rating", {"quality": "7"}, headers=HX).status_code == 422
    r = post_form(c, f"{url}/rating", {"quality": "2", "support_effect": "0", "stage_effect": "-1"})  # no HTMX
    assert r.status_code == 303 and r.headers["location"].endswith(f"/followups/{f.id}/edit")
    assert _record(session, f.id).stage_effect == -1
    # Every form of the panel carries the version it was rendered with; a stale one is refused with a message.
    panel = c.get(url).text
    version = _record(session, f.id).version
    assert panel.count(f'name="version" value="{version}"') == 3
    stale = {"scenario_id": hosp.id, "checked[]": ["1"], "version": str(version - 1)}
    r = post_form(c, url, stale, headers=HX)
    assert r.status_code == 409 and "X-Loam-Message" in r.headers
    assert post_form(c, f"{url}/rating", {"quality": "5", "version": str(version - 1)}, headers=HX).status_code == 409
    assert post_form(c, f"{url}/pick", {"scenario_id": "", "version": str(version - 1)}, headers=HX).status_code == 409
    assert post_form(c, f"{url}/pick", {"scenario_id": "", "version": "abc"}, headers=HX).status_code == 422
    session.expire_all()
    assert (_record(session, f.id).checked, _record(session, f.id).quality) == ([0, 2], 2)
    r = post_form(c, url, stale | {"version": str(version)}, headers=HX)
    assert r.status_code == 200 and r.text.count('checked data-testid="scenario-tick"') == 1


def test_panel_for_readers_and_strangers(session, ids):
    customer = make_customer(session, ids["ar1"], "场景只读客户")
    customer_service.add_member(session, scope_of(session, ids["ar1"]), customer.id, MemberWrite(user_id=ids["sr1"]))
    f = followup(session, ids["ar1"], customer_id=customer.id)
    g = followup(session, ids["ar1"], customer_id=customer.id)
    choose(session, ids["ar1"], f.id, "training", checked=[1], spent=Decimal("1234.5"))
    rate(session, ids["ar1"], f.id, 5)
    sr1 = login("sr1")
    panel = sr1.get(f"/followups/{f.id}/scenario")
    assert panel.status_code == 200 and "客户培训/认证" in panel.text and "1,234.50 CNY" in panel.text
    assert "<form" not in panel.text and 'data-testid="scenario-rating"' in panel.text
    assert 'class="d-none"' in sr1.get(f"/followups/{g.id}/scenario").text  # nothing to show, nothing to edit
    assert post_form(sr1, f"/followups/{f.id}/scenario/rating", {"quality": "1"}).status_code == 403
    tab = sr1.get(f"/customers/{customer.id}/timeline")
    assert re.search(rf'hx-get="[^"]*/followups/{f.id}/scenario"', tab.text)
    ar2 = login("ar2")
    assert ar2.get(f"/followups/{f.id}/scenario").status_code == 404
    assert post_form(ar2, f"/followups/{f.id}/scenario/pick", {"scenario_id": ""}).status_code == 404
    assert ar2.get(f"/relationships/scenarios/select?followup_id={f.id}").status_code == 404
    assert _record(session, f.id).quality == 5
