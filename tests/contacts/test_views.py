from __future__ import annotations

import re

from tests.contacts.factories import make_contact
from tests.helpers import login, make_customer, post_form


def test_add_contact_from_the_customer_page(session, ids):
    customer = make_customer(session, ids["ar1"], "页面联系人客户")
    c = login("ar1")
    tab = c.get(f"/customers/{customer.id}/contacts")
    assert tab.status_code == 200 and 'data-testid="contact-table"' in tab.text
    assert f"/contacts/new?customer_id={customer.id}" in tab.text and 'data-testid="new-contact"' in tab.text
    form = c.get(f"/contacts/new?customer_id={customer.id}")
    assert form.status_code == 200 and "页面联系人客户" in form.text
    assert f'name="customer_id" value="{customer.id}"' in form.text
    r = post_form(
        c,
        "/contacts",
        {
            "customer_id": customer.id,
            "name": "<script>alert(1)</script>周",
            "level": "executive",
            "is_decision_maker": "true",
        },
    )
    assert r.status_code == 303, r.text[:500]
    page = c.get(r.headers["location"])
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;周" in page.text
    tab = c.get(f"/customers/{customer.id}/contacts")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;周" in tab.text


def test_form_errors_rerender_and_keep_input(session, ids):
    customer = make_customer(session, ids["ar1"], "页面联系人错误")
    other = make_customer(session, ids["ar1"], "页面联系人其他")
    outsider = make_contact(session, ids["ar1"], other.id, "外人")
    c = login("ar1")
    r = post_form(c, "/contacts", {"customer_id": customer.id, "name": "", "phone": "12345"})
    assert r.status_code == 422
    assert 'data-testid="error-name"' in r.text and 'value="12345"' in r.text
    r = post_form(c, "/contacts", {"customer_id": customer.id, "name": "甲", "reports_to_id": outsider.id})
    assert r.status_code == 422 and 'data-testid="error-reports_to_id"' in r.text
    assert "甲" not in c.get(f"/customers/{customer.id}/contacts").text


def test_csrf_is_required(session, ids):
    customer = make_customer(session, ids["ar1"], "页面联系人CSRF")
    c = login("ar1")
    r = c.post("/contacts", data={"customer_id": customer.id, "name": "无令牌"})
    assert r.status_code == 403
    r = c.post("/contacts", data={"customer_id": customer.id, "name": "错令牌", "csrf_token": "nope"})
    assert r.status_code == 403
    assert "令牌" not in c.get(f"/customers/{customer.id}/contacts").text


def test_edit_stale_and_delete(session, ids):
    customer = make_customer(session, ids["ar1"], "页面联系人编辑")
    contact = make_contact(session, ids["ar1"], customer.id, "原名")
    c = login("ar1")
    page = c.get(f"/contacts/{contact.id}/edit")
    assert page.status_code == 200 and 'name="version" value="1"' in page.text
    r = post_form(c, f"/contacts/{contact.id}/edit", {"name": "新名", "level": "middle", "version": 1})
    assert r.status_code == 303
    r = post_form(c, f"/contacts/{contact.id}/edit", {"name": "旧表单", "level": "staff", "version": 1})
    assert r.status_code == 409 and 'data-testid="form-error"' in r.text
    detail = c.get(f"/contacts/{contact.id}")
    assert "新名" in detail.text and 'data-testid="history"' in detail.text
    r = post_form(c, f"/contacts/{contact.id}/delete")
    assert r.status_code == 303 and r.headers["location"].endswith(f"/customers/{customer.id}")
    assert c.get(f"/contacts/{contact.id}").status_code == 404


def test_list_page_filters_and_partial(session, ids):
    customer = make_customer(session, ids["ar1"], "页面联系人列表")
    make_contact(session, ids["ar1"], customer.id, "决策人甲", is_decision_maker=True)
    make_contact(session, ids["ar1"], customer.id, "普通人乙")
    c = login("ar1")
    page = c.get("/contacts", params={"is_decision_maker": "true", "customer_id": customer.id})
    assert page.status_code == 200 and "决策人甲" in page.text and "普通人乙" not in page.text
    part = c.get("/contacts", params={"q": "普通"}, headers={"HX-Request": "true", "HX-Target": "contact-table"})
    assert "<html" not in part.text and "普通人乙" in part.text
    assert c.get("/contacts", params={"sort": "password"}).status_code == 422
    assert login("ar2").get("/contacts", params={"customer_id": customer.id}).text.count("决策人甲") == 0


def test_read_member_sees_tab_without_add_link(session, ids):
    from loam.customers import service as customer_service
    from loam.customers.schemas import MemberWrite
    from tests.helpers import scope_of

    customer = make_customer(session, ids["ar1"], "页面联系人只读")
    make_contact(session, ids["ar1"], customer.id, "可见的人")
    customer_service.add_member(session, scope_of(session, ids["ar1"]), customer.id, MemberWrite(user_id=ids["ar2"]))
    c = login("ar2")
    tab = c.get(f"/customers/{customer.id}/contacts")
    assert "可见的人" in tab.text and 'data-testid="new-contact"' not in tab.text
    contact_id = int(re.search(r"/contacts/(\d+)", tab.text).group(1))
    detail = c.get(f"/contacts/{contact_id}")
    assert detail.status_code == 200 and 'data-testid="edit"' not in detail.text
    assert c.get(f"/contacts/new?customer_id={customer.id}").status_code == 200
    assert post_form(c, "/contacts", {"customer_id": customer.id, "name": "不能加"}).status_code == 403
