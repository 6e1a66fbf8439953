from __future__ import annotations

from sqlalchemy import select

from loam.kit.models import AuditLog, CustomField
from tests.helpers import client, login, post_form

FORM = {
    "entity": "customer",
    "key": "grade",
    "label_zh": "等级",
    "label_en": "Grade",
    "field_type": "select",
    "choices": "金牌\r\n银牌\r\n\r\n铜牌",
    "required": "false",
    "unique": "false",
    "show_in_list": "true",
    "sort_order": "0",
}


def test_non_admins_get_403_and_anonymous_login(connection):
    assert client().get("/settings/custom-fields").status_code == 303
    c = login("ar1")
    assert c.get("/settings/custom-fields").status_code == 403
    assert post_form(c, "/settings/custom-fields", FORM).status_code == 403
    assert post_form(c, "/settings/custom-fields/1").status_code == 403
    assert post_form(c, "/settings/custom-fields/1/deactivate").status_code == 403
    assert post_form(c, "/settings/custom-fields/1/activate").status_code == 403


def test_create_edit_deactivate_through_the_page(connection, session):
    c = login("admin")
    page = c.get("/settings/custom-fields?entity=lead")
    assert page.status_code == 200 and 'data-testid="tab-contact"' in page.text
    assert c.get("/settings/custom-fields?entity=followup").status_code == 422
    r = post_form(c, "/settings/custom-fields", FORM | {"key": "Bad Key"})
    assert r.status_code == 422 and 'data-testid="error-key"' in r.text and "银牌" in r.text
    r = post_form(c, "/settings/custom-fields", FORM | {"choices": ""})
    assert r.status_code == 422 and 'data-testid="form-error"' in r.text
    r = post_form(c, "/settings/custom-fields", FORM)
    assert r.status_code == 303 and r.headers["location"].endswith("?entity=customer")
    field = session.scalar(select(CustomField).where(CustomField.key == "grade"))
    assert field.options == {"choices": ["金牌", "银牌", "铜牌"]} and field.show_in_list and not field.required
    assert post_form(c, "/settings/custom-fields", FORM).status_code == 409
    edit = c.get(f"/settings/custom-fields?edit={field.id}").text
    assert 'name="key" value="grade"' in edit and "金牌\n银牌\n铜牌" in edit
    upd = FORM | {"label_en": "Tier", "required": "true", "version": "1", "active": "true"}
    assert post_form(c, f"/settings/custom-fields/{field.id}", upd).status_code == 303
    session.expire_all()
    assert field.label_en == "Tier" and field.required
    assert post_form(c, f"/settings/custom-fields/{field.id}", upd).status_code == 409
    assert (
        post_form(c, f"/settings/custom-fields/{field.id}", upd | {"field_type": "text", "version": "2"}).status_code
        == 422
    )
    assert post_form(c, f"/settings/custom-fields/{field.id}/deactivate").status_code == 303
    session.expire_all()
    assert field.active is False
    assert 'data-testid="activate-grade"' in c.get("/settings/custom-fields").text
    assert post_form(c, f"/settings/custom-fields/{field.id}/activate").status_code == 303
    actions = session.scalars(
        select(AuditLog.action).where(AuditLog.entity == "custom_field", AuditLog.entity_id == field.id)
    )
    assert list(actions) == ["create", "update", "deactivate", "activate"]
