"""The OA pages: my requests, picking a type and filling its fields, the detail page with the approval panel,
editing and submitting, and the type administration (``oa.manage``)."""

from __future__ import annotations

import re

from loam.approvals import service as approval_service
from loam.oa import service
from loam.oa.models import OaRequest
from tests import helpers
from tests.oa.factories import make_request


def test_pick_a_type_then_its_fields_are_the_form(session, ids) -> None:
    c = helpers.login("ar1")
    picker = c.get("/oa/new")
    assert picker.status_code == 200 and 'data-testid="pick-leave"' in picker.text
    form = c.get("/oa/new?type=leave")
    assert form.status_code == 200
    for name in ("v_leave_kind", "v_start", "v_end", "v_days"):
        assert f'name="{name}"' in form.text
    assert 'type="datetime-local"' in form.text and "年假" in form.text
    assert c.get("/oa/new?type=nosuch").status_code == 422


def test_create_from_the_form_and_errors_rerender_it(session, ids) -> None:
    c = helpers.login("ar1")
    data = {
        "type": "leave",
        "title": "年假",
        "v_leave_kind": "年假",
        "v_start": "2027-03-01T09:00",
        "v_end": "2027-02-28T18:00",
        "v_days": "1",
    }
    bad = helpers.post_form(c, "/oa", data)
    assert bad.status_code == 422 and 'data-testid="error-values.end"' in bad.text
    assert 'value="年假"' in bad.text  # what was typed is kept
    ok = helpers.post_form(c, "/oa", data | {"v_end": "2027-03-01T18:00"})
    assert ok.status_code == 303
    rid = int(ok.headers["location"].rstrip("/").split("/")[-1])
    page = c.get(f"/oa/{rid}")
    assert page.status_code == 200 and 'data-testid="approval-panel"' in page.text
    assert "2027-03-01 09:00" in page.text and 'data-testid="submit-approval"' in page.text
    assert session.get(OaRequest, rid).owner_id == ids["ar1"]


def test_edit_submit_and_the_approval_panel(session, ids) -> None:
    r = make_request(session, ids["ar1"])
    c = helpers.login("ar1")
    edit = c.get(f"/oa/{r.id}/edit")
    assert edit.status_code == 200 and 'name="version"' in edit.text
    version = re.search(r'name="version" value="(\d+)"', edit.text).group(1)  # type: ignore[union-attr]
    form = {
        "title": "年假（改）",
        "version": version,
        "v_leave_kind": "事假",
        "v_start": "2027-01-04T09:00",
        "v_end": "2027-01-04T18:00",
        "v_days": "1",
    }
    assert helpers.post_form(c, f"/oa/{r.id}/edit", form).status_code == 303
    assert helpers.post_form(c, f"/oa/{r.id}/edit", form).status_code == 409  # the same version again: stale
    assert helpers.post_form(c, f"/oa/{r.id}/submit").status_code == 303
    session.expire_all()
    assert session.get(OaRequest, r.id).status == "in_approval"
    director = helpers.login("director")
    page = director.get(f"/oa/{r.id}")
    assert page.status_code == 200 and "年假（改）" in page.text and "事假" in page.text
    assert 'data-testid="approve"' in page.text or "approve" in page.text
    assert 'data-testid="edit"' not in page.text  # only the submitter edits
    instance = approval_service.pending(session, "oa_request", r.id)
    assert instance is not None


def test_list_filters_by_status_and_type(session, ids) -> None:
    draft = make_request(session, ids["ar1"], title="草稿年假")
    general = make_request(session, ids["ar1"], "general", {}, title="普通事项")
    c = helpers.login("ar1")
    page = c.get("/oa")
    assert page.status_code == 200 and "草稿年假" in page.text and "普通事项" in page.text
    only_general = c.get("/oa?type=general")
    assert "普通事项" in only_general.text and "草稿年假" not in only_general.text
    approved = c.get("/oa?status=approved")
    assert f"oa-row-{draft.id}" not in approved.text and f"oa-row-{general.id}" not in approved.text
    assert service.ENTITY == "oa_request"


def test_delete_from_the_page(session, ids) -> None:
    r = make_request(session, ids["ar1"])
    c = helpers.login("ar1")
    assert helpers.post_form(c, f"/oa/{r.id}/delete").status_code == 303
    assert c.get(f"/oa/{r.id}").status_code == 404
    assert "年假申请" in c.get("/recycle?entity=oa_request").text


def test_type_admin_pages(session, ids) -> None:
    assert helpers.login("ar1").get("/oa/types").status_code == 403
    c = helpers.login("admin")
    page = c.get("/oa/types")
    assert page.status_code == 200 and 'data-testid="type-expense"' in page.text
    form = {
        "code": "seal",
        "name_zh": "用印申请",
        "name_en": "Seal use",
        "sort": "70",
        "active": "true",
        "f-0-key": "document",
        "f-0-label_zh": "用印文件",
        "f-0-label_en": "Document",
        "f-0-kind": "text",
        "f-0-required": "true",
        "f-1-key": "seal_kind",
        "f-1-label_zh": "印章",
        "f-1-kind": "select",
        "f-1-choices": "公章\n合同章",
        "f-2-key": "",
    }
    assert helpers.post_form(c, "/oa/types", form).status_code == 303
    types = helpers.api("admin").get("/api/v1/oa/types").json()
    seal = next(t for t in types if t["code"] == "seal")
    assert [f["key"] for f in seal["fields"]] == ["document", "seal_kind"]
    assert seal["fields"][1]["choices"] == ["公章", "合同章"] and seal["fields"][1]["label_en"] == "印章"
    bad = helpers.post_form(c, "/oa/types", form | {"code": "seal_b", "f-1-choices": ""})
    assert bad.status_code == 422 and "error-fields-1" in bad.text
    edit = c.get(f"/oa/types/{seal['id']}")
    assert edit.status_code == 200 and 'value="document"' in edit.text
    off = helpers.post_form(c, f"/oa/types/{seal['id']}/active", {"active": "false"})
    assert off.status_code == 303
    assert "seal" not in {t["code"] for t in helpers.api("ar1").get("/api/v1/oa/types?active=true").json()}


def test_nav_has_an_oa_entry(session, ids) -> None:
    home = helpers.login("ar1").get("/")
    assert re.search(r'href="[^"]*/oa">', home.text)
