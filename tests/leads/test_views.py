from __future__ import annotations

import re
from datetime import timedelta

from starlette.routing import NoMatchFound

from loam.db import utcnow
from tests.helpers import api, app, login, post_form


def _create(c, **data):
    r = post_form(c, "/leads", {"confirm_duplicate": "true"} | data)
    assert r.status_code == 303, r.text[:500]
    return int(r.headers["location"].rstrip("/").split("/")[-1])


def test_list_new_and_forms_carry_csrf(connection):
    c = login("ar1")
    page = c.get("/leads")
    assert page.status_code == 200
    assert 'data-testid="lead-table"' in page.text and 'data-testid="new-lead"' in page.text
    form = c.get("/leads/new")
    assert form.status_code == 200
    assert f'name="csrf_token" value="{c.csrf}"' in form.text
    assert 'data-testid="save"' in form.text and "leads/dedup-check" in form.text


def test_create_flow_and_detail(connection):
    c = login("ar1")
    r = post_form(c, "/leads", {"name": "网页线索", "company": "网页测试有限公司", "grade": "A", "source": "website"})
    assert r.status_code == 303
    page = c.get(r.headers["location"])
    assert page.status_code == 200
    assert "网页线索" in page.text and "网页测试有限公司" in page.text
    assert 'data-testid="history"' in page.text and 'data-testid="convert"' in page.text
    listing = c.get("/leads", params={"q": "网页线索"})
    assert "网页线索" in listing.text
    partial = c.get("/leads", params={"q": "网页线索"}, headers={"HX-Request": "true", "HX-Target": "lead-table"})
    assert "<html" not in partial.text and "网页线索" in partial.text
    assert c.get("/leads", params={"grade": "", "source": "", "status": ""}).status_code == 200  # "any"
    assert c.get("/leads", params={"grade": "Z"}).status_code == 422
    assert c.get("/leads", params={"sort": "password"}).status_code == 422
    assert c.get("/leads/not-a-number").status_code == 404


def test_missing_csrf_is_refused_and_nothing_created(connection):
    c = login("ar1")
    r = c.post("/leads", data={"name": "无令牌线索"})
    assert r.status_code == 403
    r = c.post("/leads", data={"name": "无令牌线索", "csrf_token": "wrong"})
    assert r.status_code == 403
    assert api("ar1").get("/api/v1/leads", params={"q": "无令牌线索"}).json()["total"] == 0


def test_script_in_name_renders_as_text(connection):
    c = login("ar1")
    lid = _create(c, name="<script>alert(1)</script>", company="<b>x</b>公司")
    page = c.get(f"/leads/{lid}")
    assert "<script>alert(1)</script>" not in page.text and "<b>x</b>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    listing = c.get("/leads")
    assert "<script>alert(1)</script>" not in listing.text


def test_form_errors_rerender_keep_input_and_change_nothing(connection):
    c = login("ar1")
    r = post_form(c, "/leads", {"name": "", "phone": "12345", "grade": "Z"})
    assert r.status_code == 422
    assert 'data-testid="error-name"' in r.text and 'data-testid="error-grade"' in r.text
    assert 'value="12345"' in r.text
    r = post_form(c, "/leads", {"name": "字段", "owner_id": "1"})  # server-owned: refused
    assert r.status_code == 422
    assert api("ar1").get("/api/v1/leads", params={"q": "字段"}).json()["total"] == 0


def test_duplicate_warning_then_create_anyway(connection):
    api("ar2").post("/api/v1/leads", json={"name": "先来", "company": "撞单科技有限公司"})
    c = login("ar1")
    r = post_form(c, "/leads", {"name": "后到", "company": "撞单科技 Co., Ltd."})
    assert r.status_code == 200
    assert 'data-testid="duplicates"' in r.text and 'data-testid="create-anyway"' in r.text
    assert "张伟" in r.text and 'value="后到"' in r.text
    assert api("ar1").get("/api/v1/leads", params={"q": "后到"}).json()["total"] == 0
    r = post_form(c, "/leads", {"name": "后到", "company": "撞单科技 Co., Ltd.", "confirm_duplicate": "true"})
    assert r.status_code == 303
    assert api("ar1").get("/api/v1/leads", params={"q": "后到"}).json()["total"] == 1


def test_dedup_check_fragment(connection):
    api("ar2").post("/api/v1/leads", json={"name": "片段", "phone": "13800138000"})
    c = login("ar1")
    r = post_form(
        c, "/leads/dedup-check", {"company": "", "phone": "+86 138-0013-8000"}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 200 and "<html" not in r.text
    assert 'data-testid="duplicate"' in r.text and "张伟" in r.text
    assert 'data-testid="create-anyway"' not in r.text
    r = post_form(c, "/leads/dedup-check", {"company": "没有重复的公司名", "phone": ""})
    assert r.status_code == 200 and 'data-testid="duplicate"' not in r.text
    assert login("finance1").post("/leads/dedup-check", data={"company": "x"}).status_code == 403


def test_edit_update_and_stale_version(connection):
    c = login("ar1")
    lid = _create(c, name="编辑前", company="编辑公司")
    form = c.get(f"/leads/{lid}/edit")
    assert form.status_code == 200 and 'name="version" value="1"' in form.text and "编辑前" in form.text
    r = post_form(c, f"/leads/{lid}/edit", {"name": "编辑后", "version": "1"})
    assert r.status_code == 303
    r = post_form(c, f"/leads/{lid}/edit", {"name": "过期写入", "version": "1"})
    assert r.status_code == 409 and 'data-testid="form-error"' in r.text
    assert api("ar1").get(f"/api/v1/leads/{lid}").json()["name"] == "编辑后"
    r = post_form(login("ar2"), f"/leads/{lid}/edit", {"name": "越权", "version": "2"})
    assert r.status_code == 404


def test_convert_via_web_goes_to_customer(connection):
    c = login("ar1")
    lid = _create(c, name="网页转化", company="网页转化有限公司", phone="13300133000")
    r = post_form(c, f"/leads/{lid}/convert", {"customer_name": "网页转化有限公司", "create_contact": "true"})
    assert r.status_code == 303 and "/customers/" in r.headers["location"]
    assert c.get(r.headers["location"]).status_code == 200
    detail = c.get(f"/leads/{lid}")
    assert 'data-testid="converted-customer"' in detail.text and 'data-testid="edit"' not in detail.text
    r = post_form(c, f"/leads/{lid}/convert", {"customer_name": "再转"})
    assert r.status_code == 409 and 'data-testid="form-error"' in r.text


def test_today_tab_transfer_status_and_delete(connection, ids):
    c = login("ar1")
    lid = _create(c, name="今日联系王经理", next_contact_at=(utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    _create(c, name="下周再联系", next_contact_at=(utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    today = c.get("/leads/today")
    assert today.status_code == 200 and "今日联系王经理" in today.text and "下周再联系" not in today.text
    assert re.search(r'data-testid="due-count">\s*1\s*<', today.text)
    r = post_form(c, f"/leads/{lid}/status", {"status": "invalid"})
    assert r.status_code == 303
    assert "今日联系王经理" not in c.get("/leads/today").text
    r = post_form(c, f"/leads/{lid}/status", {"status": "bogus"})
    assert r.status_code == 422
    assert post_form(c, f"/leads/{lid}/delete").status_code == 403  # ARs cannot delete leads
    r = post_form(c, f"/leads/{lid}/transfer", {"owner_id": str(ids["ar2"])})
    assert r.status_code == 303 and r.headers["location"].endswith("/leads")
    assert c.get(f"/leads/{lid}").status_code == 404
    d = login("director")
    assert post_form(d, f"/leads/{lid}/delete").status_code == 303
    assert d.get(f"/leads/{lid}").status_code == 404


def test_detail_shows_custom_fields_and_followup_tab_when_available(connection, session):
    from loam.kit.customfields import CustomFieldWrite, save_definition

    save_definition(
        session, CustomFieldWrite(entity="lead", key="budget", label_zh="预算", label_en="Budget", field_type="text")
    )
    session.flush()
    c = login("ar1")
    assert 'name="cf_budget"' in c.get("/leads/new").text
    lid = _create(c, name="自定义", cf_budget="一百万")
    page = c.get(f"/leads/{lid}")
    assert 'data-testid="cf-budget"' in page.text and "一百万" in page.text
    try:
        timeline = app().url_path_for("followups:lead_timeline", lead_id=lid)
    except NoMatchFound:  # the follow-ups pages are not installed
        assert 'data-testid="tab-timeline"' not in page.text
    else:
        assert str(timeline) in page.text and 'data-testid="tab-timeline"' in page.text
