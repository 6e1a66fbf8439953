from __future__ import annotations

import re

from loam.customers import service as customer_service
from loam.customers.schemas import MemberWrite
from tests.contacts.factories import make_contact, make_followup, make_lead
from tests.helpers import login, make_customer, post_form, scope_of


def test_record_from_the_customer_timeline(session, ids):
    customer = make_customer(session, ids["ar1"], "页面跟进客户")
    contact = make_contact(session, ids["ar1"], customer.id, "周主任")
    c = login("ar1")
    tab = c.get(f"/customers/{customer.id}/timeline")
    assert tab.status_code == 200
    for testid in ("timeline", "followup-form", "followup-save", "followup-contacts", "followup-participants"):
        assert f'data-testid="{testid}"' in tab.text, testid
    assert 'name="contact_ids[]"' in tab.text and f'value="{contact.id}"' in tab.text
    assert re.search(r'name="occurred_at" type="datetime-local"\s+value="\d{4}-\d\d-\d\dT\d\d:\d\d"', tab.text)
    r = post_form(
        c,
        "/followups",
        {
            "customer_id": customer.id,
            "kind": "visit",
            "content": "<script>alert(1)</script>拜访",
            "contact_ids[]": [str(contact.id)],
            "participant_ids[]": [str(ids["sr1"])],
            "next_step": "送方案",
            "next_contact_at": "2030-01-02T09:30",
        },
    )
    assert r.status_code == 303, r.text[:500]
    assert r.headers["location"].endswith(f"/customers/{customer.id}")
    tab = c.get(f"/customers/{customer.id}/timeline")
    assert "<script>alert(1)</script>" not in tab.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;拜访" in tab.text
    assert "周主任" in tab.text and "送方案" in tab.text and "陈静" in tab.text  # sr1's display name
    assert "2030-01-02 09:30" in tab.text
    session.refresh(customer)
    assert customer.last_followup_at is not None
    contact_page = c.get(f"/contacts/{contact.id}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;拜访" in contact_page.text


def test_errors_rerender_form_and_change_nothing(session, ids):
    customer = make_customer(session, ids["ar1"], "页面跟进错误")
    c = login("ar1")
    r = post_form(c, "/followups", {"customer_id": customer.id, "kind": "call", "content": "", "next_step": "保留我"})
    assert r.status_code == 422
    assert 'data-testid="error-content"' in r.text and 'value="保留我"' in r.text
    r = post_form(
        c, "/followups", {"customer_id": customer.id, "kind": "call", "content": "x", "occurred_at": "2999-01-01T00:00"}
    )
    assert r.status_code == 422 and 'data-testid="error-occurred_at"' in r.text
    assert 'data-testid="followup-item"' not in c.get(f"/customers/{customer.id}/timeline").text


def test_csrf_is_required(session, ids):
    customer = make_customer(session, ids["ar1"], "页面跟进CSRF")
    c = login("ar1")
    r = c.post("/followups", data={"customer_id": customer.id, "kind": "call", "content": "无令牌"})
    assert r.status_code == 403
    assert "无令牌" not in c.get(f"/customers/{customer.id}/timeline").text


def test_edit_update_delete_and_permissions(session, ids):
    customer = make_customer(session, ids["ar1"], "页面跟进编辑")
    customer_service.add_member(session, scope_of(session, ids["ar1"]), customer.id, MemberWrite(user_id=ids["ar2"]))
    f = make_followup(session, ids["ar1"], "原内容", customer_id=customer.id)
    ar2 = login("ar2")
    assert 'data-testid="followup-edit"' not in ar2.get(f"/customers/{customer.id}/timeline").text
    assert ar2.get(f"/followups/{f.id}/edit").status_code == 403
    assert post_form(ar2, f"/followups/{f.id}/delete").status_code == 403
    assert login("fr1").get(f"/followups/{f.id}/edit").status_code == 404
    c = login("ar1")
    assert 'data-testid="followup-edit"' in c.get(f"/customers/{customer.id}/timeline").text
    page = c.get(f"/followups/{f.id}/edit")
    assert page.status_code == 200 and "原内容" in page.text
    r = post_form(c, f"/followups/{f.id}/edit", {"kind": "meeting", "content": "新内容", "version": 1})
    assert r.status_code == 303 and r.headers["location"].endswith(f"/customers/{customer.id}")
    r = post_form(c, f"/followups/{f.id}/edit", {"kind": "meeting", "content": "旧表单", "version": 1})
    assert r.status_code == 409 and 'data-testid="form-error"' in r.text
    r = post_form(c, f"/followups/{f.id}/edit", {"kind": "meeting", "content": "", "version": 2})
    assert r.status_code == 422
    assert "新内容" in c.get(f"/customers/{customer.id}/timeline").text
    r = post_form(c, f"/followups/{f.id}/delete", headers={"HX-Request": "true"})
    assert r.status_code == 204 and r.headers["HX-Redirect"].endswith(f"/customers/{customer.id}")
    assert "新内容" not in c.get(f"/customers/{customer.id}/timeline").text


def test_list_page_filters(session, ids):
    customer = make_customer(session, ids["ar1"], "页面跟进列表")
    make_followup(session, ids["ar1"], "电话内容", customer_id=customer.id, kind="call")
    make_followup(session, ids["ar1"], "拜访内容", customer_id=customer.id, kind="visit")
    c = login("ar1")
    page = c.get("/followups", params={"kind": "call", "mine": "true"})
    assert page.status_code == 200 and "电话内容" in page.text and "拜访内容" not in page.text
    assert "页面跟进列表" in page.text
    part = c.get("/followups", params={"q": "拜访"}, headers={"HX-Request": "true", "HX-Target": "followup-table"})
    assert "<html" not in part.text and "拜访内容" in part.text
    assert c.get("/followups", params={"date_from": "not-a-date"}).status_code == 422
    assert "电话内容" not in login("ar2").get("/followups").text


def test_lead_timeline(session, ids):
    lead = make_lead(session, ids["ar1"], company="页面线索公司")
    c = login("ar1")
    tab = c.get(f"/leads/{lead.id}/timeline")
    assert tab.status_code == 200 and 'data-testid="followup-form"' in tab.text
    assert 'name="contact_ids[]"' not in tab.text and f'name="lead_id" value="{lead.id}"' in tab.text
    r = post_form(c, "/followups", {"lead_id": lead.id, "kind": "wechat", "content": "微信沟通"})
    assert r.status_code == 303 and r.headers["location"].endswith(f"/leads/{lead.id}")
    assert "微信沟通" in c.get(f"/leads/{lead.id}/timeline").text
    assert login("ar2").get(f"/leads/{lead.id}/timeline").status_code == 404
