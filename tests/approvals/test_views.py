"""Pages: the inbox, one approval with its panel and action forms, and the flow editor."""

from __future__ import annotations

import re

from loam.approvals import flows as flow_service
from loam.approvals import service, views
from tests.approvals.factories import CODE, make_doc, make_flow, step
from tests.helpers import login, post_form, scope_of


def _submitted(session, ids, docs, admin):
    make_flow(session, admin, [step("部门", "dept_head"), step("财务", "role", role_code="finance")])
    doc = make_doc(session, docs, ids["ar1"])
    inst = service.submit(session, scope_of(session, ids["ar1"]), CODE, doc, comment="请审批")
    session.flush()
    return inst


def test_inbox_shows_tabs_with_counts(session, ids, docs, admin):
    inst = _submitted(session, ids, docs, admin)
    c = login("director")
    page = c.get("/approvals")
    assert page.status_code == 200
    assert 'data-testid="count-pending">1<' in page.text and f'data-testid="approval-{inst.id}"' in page.text
    assert f"/approvals/{inst.id}" in page.text and "审批测试客户" in page.text
    for box in ("done", "submitted", "cc"):
        r = c.get("/approvals", params={"box": box})
        assert r.status_code == 200 and f'data-testid="approval-{inst.id}"' not in r.text
    assert c.get("/approvals", params={"box": "nope"}).status_code == 422
    assert c.get("/approvals", params={"doc_type": "", "status": ""}).status_code == 200
    mine = login("ar1").get("/approvals", params={"box": "submitted"})
    assert f'data-testid="approval-{inst.id}"' in mine.text


def test_detail_page_acts_and_redirects(session, ids, docs, admin):
    inst = _submitted(session, ids, docs, admin)
    c = login("director")
    page = c.get(f"/approvals/{inst.id}")
    assert page.status_code == 200
    assert 'data-testid="approval-panel"' in page.text and 'data-testid="approve"' in page.text
    assert 'data-testid="document-link"' in page.text and f"/customers/{inst.doc_id}" in page.text
    assert 'data-testid="event-submit"' in page.text and "请审批" in page.text
    assert 'data-testid="withdraw"' not in page.text
    r = post_form(c, f"/approvals/{inst.id}/approve", {"comment": "网页同意", "next": f"/customers/{inst.doc_id}"})
    assert r.status_code == 303 and r.headers["location"] == f"/customers/{inst.doc_id}"
    finance = login("finance1")
    r = post_form(finance, f"/approvals/{inst.id}/return", {"to_step": "1", "next": "//evil.example.com/"})
    assert r.status_code == 303 and r.headers["location"].endswith(f"/approvals/{inst.id}")
    r = post_form(c, f"/approvals/{inst.id}/delegate", {"user_id": str(ids["sr1"]), "comment": "转交"})
    assert r.status_code == 303
    sr1 = login("sr1")
    assert post_form(sr1, f"/approvals/{inst.id}/cc", {"user_ids[]": [str(ids["fr1"])]}).status_code == 303
    assert post_form(sr1, f"/approvals/{inst.id}/approve", {}).status_code == 303
    r = post_form(finance, f"/approvals/{inst.id}/reject", {"comment": "驳回"})
    assert r.status_code == 303
    page = c.get(f"/approvals/{inst.id}")
    assert "驳回" in page.text and "网页同意" in page.text and 'data-testid="approval-actions"' not in page.text
    assert 'data-testid="approval-cc"' in page.text


def test_action_refusals_are_error_pages(session, ids, docs, admin):
    inst = _submitted(session, ids, docs, admin)
    ar1 = login("ar1")
    assert post_form(ar1, f"/approvals/{inst.id}/approve", {}).status_code == 403
    assert post_form(login("ar2"), f"/approvals/{inst.id}/approve", {}).status_code == 404
    assert login("ar2").get(f"/approvals/{inst.id}").status_code == 404
    assert ar1.post(f"/approvals/{inst.id}/withdraw", data={}).status_code == 403  # no CSRF token
    assert post_form(login("director"), f"/approvals/{inst.id}/delegate", {"user_id": "x"}).status_code == 422
    page = ar1.get(f"/approvals/{inst.id}")
    assert 'data-testid="withdraw"' in page.text and 'data-testid="approve"' not in page.text
    assert post_form(ar1, f"/approvals/{inst.id}/withdraw", {"comment": "撤回"}).status_code == 303
    assert post_form(ar1, f"/approvals/{inst.id}/withdraw", {}).status_code == 409


def test_panel_for_a_document_page(session, ids, docs, admin):
    doc = make_doc(session, docs, ids["ar1"])
    data = views.panel(session, scope_of(session, ids["ar1"]), CODE, doc)
    assert data["current"] is None and data["earlier"] == []
    inst = _submitted(session, ids, docs, admin)
    service.withdraw(session, scope_of(session, ids["ar1"]), inst.id)
    again = service.submit(session, scope_of(session, ids["ar1"]), CODE, inst.doc_id)
    data = views.panel(session, scope_of(session, ids["director"]), CODE, inst.doc_id)
    assert data["current"]["id"] == again.id and [e["id"] for e in data["earlier"]] == [inst.id]
    assert data["current"]["actions"] == ["approve", "reject", "delegate", "cc"]
    assert (ids["sr1"], "陈静") in data["users"]
    from loam.web.templating import env

    html = env.get_template("approvals/_panel.html").render(
        approval=data,
        request=_FakeRequest(),
        csrf_token="t",
        scope=scope_of(session, ids["director"]),
        has_route=lambda name: False,
        url_for=lambda name, **kw: f"/{name}/{kw}",
    )
    assert 'data-testid="approve"' in html and 'data-testid="approval-earlier"' in html


class _FakeRequest:
    class url:
        path = "/customers/1"


def test_flow_pages_need_approvals_manage(session, ids, docs):
    c = login("director")
    assert c.get("/approvals/flows").status_code == 403
    assert c.get("/approvals/flows/new").status_code == 403
    assert post_form(c, "/approvals/flows", {"name": "x"}).status_code == 403


def test_flow_editor_create_edit_delete(session, ids, docs, admin):
    c = login("admin")
    listing = c.get("/approvals/flows")
    assert listing.status_code == 200 and f'data-testid="doc-type-{CODE}"' in listing.text
    assert 'data-testid="doc-type-contract"' in listing.text or "contract" not in flow_service.registry.installed()
    form = c.get("/approvals/flows/new", params={"doc_type": CODE})
    assert form.status_code == 200 and 'name="step-0-name"' in form.text
    base = {"doc_type": CODE, "name": "网页审批流", "priority": "5", "active": "true"}
    step0 = {
        "step-0-name": "部门负责人",
        "step-0-approver_kind": "dept_head",
        "step-0-mode": "any",
        "step-0-when_empty": "skip",
    }
    # editor operations re-render without saving
    r = post_form(c, "/approvals/flows", base | step0 | {"op": "add_step"})
    assert r.status_code == 200 and 'name="step-1-name"' in r.text
    r = post_form(c, "/approvals/flows", base | step0 | {"step-0-approver_kind": "role", "op": "refresh"})
    assert 'name="step-0-role_code"' in r.text
    r = post_form(c, "/approvals/flows", base | step0 | {"op": "add_cond-0"})
    assert 'name="step-0-cond-0-field"' in r.text
    assert flow_service.list_flows(session, admin, CODE) == []
    # a bad definition comes back with its messages
    bad = (
        base
        | step0
        | {"step-0-approver_kind": "role", "cond-0-field": "amount", "cond-0-op": "gt", "cond-0-value": "很多"}
    )
    r = post_form(c, "/approvals/flows", bad)
    assert r.status_code == 422 and 'data-testid="form-error"' in r.text and "很多" in r.text
    # saved
    good = base | step0 | {"cond-0-field": "amount", "cond-0-op": "gt", "cond-0-value": "100"}
    good |= {"step-1-name": "财务", "step-1-approver_kind": "users", "step-1-user_ids[]": [str(ids["finance1"])]}
    good |= {"step-1-mode": "all", "step-1-when_empty": "admin", "step-1-cond-0-field": "industry"}
    good |= {"step-1-cond-0-op": "in", "step-1-cond-0-value": "telecom, finance"}
    r = post_form(c, "/approvals/flows", good)
    assert r.status_code == 303, r.text[:2000]
    (flow,) = flow_service.list_flows(session, admin, CODE)
    steps = flow_service.steps_of(session, [flow])[flow.id]
    assert flow.priority == 5 and flow.conditions == [{"field": "amount", "op": "gt", "value": "100"}]
    assert [(s.approver_kind, s.user_ids, s.mode) for s in steps] == [
        ("dept_head", [], "any"),
        ("users", [ids["finance1"]], "all"),
    ]
    assert steps[1].conditions == [{"field": "industry", "op": "in", "value": "telecom, finance"}]
    # edit: move the second step up, then save
    edit = c.get(f"/approvals/flows/{flow.id}")
    assert edit.status_code == 200 and "网页审批流" in edit.text
    version = re.search(r'name="version" value="(\d+)"', edit.text).group(1)
    upd = {k: v for k, v in good.items() if k != "doc_type"} | {"version": version, "name": "改过的审批流"}
    r = post_form(c, f"/approvals/flows/{flow.id}", upd | {"op": "up_step-1"})
    assert r.status_code == 200 and r.text.index("财务") < r.text.index("部门负责人")
    r = post_form(c, f"/approvals/flows/{flow.id}", upd)
    assert r.status_code == 303
    session.refresh(flow)
    assert flow.name == "改过的审批流" and flow.revision == 2
    assert post_form(c, f"/approvals/flows/{flow.id}", upd).status_code == 409  # stale version
    assert post_form(c, f"/approvals/flows/{flow.id}/delete").status_code == 303
    assert flow_service.list_flows(session, admin, CODE) == []
