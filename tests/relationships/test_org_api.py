"""The organisational checklist over the API (GET / PUT / DELETE) and as the page section with its HTMX form."""

from __future__ import annotations

import re

from sqlalchemy import select

from loam.kit.models import AuditLog
from loam.relationships.models import OrgMark
from tests.helpers import api, client, login, post_form
from tests.relationships.layers_factories import customer, days_before, touch


def _url(cid: int, key: str = "") -> str:
    return f"/api/v1/customers/{cid}/relationship/org" + (f"/{key}" if key else "")


def test_put_get_delete(session, ids):
    cust = customer(session, ids["ar1"], "接口组织客户")
    proof = touch(session, ids["ar1"], cust.id, [], days_before(1))
    session.flush()
    c = api("ar1")
    r = c.put(_url(cust.id, "strategic_agreement"), json={"factor": "0.4", "evidence": "项目级框架协议"})
    assert r.status_code == 200, r.text
    body = r.json()
    # 20 · 0.4 = 8 of 100 → 8, grade C.
    assert (body["score"], body["grade"]) == (8, "C")
    item = body["items"][0]
    assert (item["key"], item["mark_factor"], item["version"], item["points"]) == ("strategic_agreement", "0.40", 1, 8)
    r = c.put(
        _url(cust.id, "strategic_agreement"),
        json={
            "factor": 1,
            "evidence_url": "https://example.com/agreement.pdf",
            "followup_ids": [proof.id],
            "version": 1,
        },
    )
    assert r.status_code == 200 and r.json()["score"] == 20
    assert r.json()["items"][0]["followup_ids"] == [proof.id] and r.json()["items"][0]["version"] == 2
    stale = c.put(_url(cust.id, "strategic_agreement"), json={"factor": "0.7", "version": 1})
    assert stale.status_code == 409
    assert c.put(_url(cust.id, "exec_meetings"), json={}).json()["score"] == 35  # 20 + 15
    got = c.get(_url(cust.id))
    assert got.status_code == 200 and got.json()["score"] == 35 and len(got.json()["items"]) == 8
    assert c.delete(_url(cust.id, "exec_meetings"), params={"version": 9}).status_code == 409
    gone = c.delete(_url(cust.id, "exec_meetings"))
    assert gone.status_code == 200 and gone.json()["score"] == 20
    assert c.delete(_url(cust.id, "exec_meetings")).status_code == 404
    actions = session.scalars(select(AuditLog.action).where(AuditLog.entity == "org_mark").order_by(AuditLog.id)).all()
    assert actions[-4:] == ["create", "update", "create", "purge"]


def test_api_bad_input_is_422_and_writes_nothing(session, ids):
    cust = customer(session, ids["ar1"], "坏输入客户")
    other = customer(session, ids["ar1"], "别家客户")
    theirs = touch(session, ids["ar1"], other.id, [], days_before(1))
    session.flush()
    c = api("ar1")
    for body in (
        {"factor": "1.5"},
        {"evidence_url": "javascript:alert(1)"},
        {"followup_ids": [theirs.id]},
        {"achieved_on": "2999-01-01"},
        {"version": "x"},
        {"customer_id": other.id},
    ):
        r = c.put(_url(cust.id, "summit"), json=body)
        assert r.status_code == 422, (body, r.text)
    assert c.put(_url(cust.id, "Bad-Key"), json={}).status_code == 422
    assert c.put(_url(cust.id, "unknown_item"), json={}).status_code == 404
    assert session.scalars(select(OrgMark).where(OrgMark.customer_id == cust.id)).all() == []


def test_api_access(session, ids):
    from loam.org import service as org_service

    cust = customer(session, ids["ar1"], "权限组织客户")
    session.flush()
    assert client().get(_url(cust.id)).status_code == 401
    assert client().put(_url(cust.id, "summit"), json={}).status_code == 401
    assert api("ar2").get(_url(cust.id)).status_code == 404
    assert api("ar2").put(_url(cust.id, "summit"), json={}).status_code == 404
    assert api("director").put(_url(cust.id, "summit"), json={}).status_code == 200
    # Without relationships.update the AR still reads the checklist but cannot change it (403, nothing written).
    role = org_service.ensure_builtin_roles(session)["ar"]
    permissions, scopes = org_service.grants_by_role(session, [role.id])[role.id]
    org_service.set_role_grants(session, role, permissions - {"relationships.update"}, scopes)
    session.flush()
    ar1 = api("ar1")
    assert ar1.get(_url(cust.id)).status_code == 200
    assert ar1.put(_url(cust.id, "crisis"), json={}).status_code == 403
    assert ar1.delete(_url(cust.id, "summit")).status_code == 403
    assert ar1.put(_url(cust.id, "unknown_item"), json={}).status_code == 403  # permission before the item
    assert {m.item_key for m in session.scalars(select(OrgMark).where(OrgMark.customer_id == cust.id))} == {"summit"}
    page = login("ar1").get(f"/customers/{cust.id}/relationships/org")
    assert page.status_code == 200 and "org-edit-summit" not in page.text
    org_service.set_role_grants(session, role, permissions - {"relationships.update", "relationships.view"}, scopes)
    session.flush()
    assert api("ar1").get(_url(cust.id)).status_code == 403


def test_section_and_htmx_form(session, ids):
    cust = customer(session, ids["ar1"], "页面组织客户")
    proof = touch(session, ids["ar1"], cust.id, [], days_before(2))
    session.flush()
    c = login("ar1")
    hx = {"HX-Request": "true"}
    section = c.get(f"/customers/{cust.id}/relationships/org")
    assert section.status_code == 200 and 'data-testid="org-score">0<' in section.text
    assert "战略合作协议及其范围" in section.text and "data-swap-errors" in section.text
    form = c.get(f"/customers/{cust.id}/relationships/org/strategic_agreement/edit", headers=hx)
    assert form.status_code == 200 and 'data-testid="org-form"' in form.text
    assert re.search(r'<option value="0.70"\s*>', form.text)  # the three scopes are offered
    assert f'value="{proof.id}"' in form.text  # the customer's follow-ups to pick from
    bad = post_form(
        c,
        f"/customers/{cust.id}/relationships/org/strategic_agreement",
        {"factor": "0.70", "evidence_url": "javascript:x", "achieved_on": "2025-01-02"},
        headers=hx,
    )
    assert bad.status_code == 422 and 'data-testid="error-evidence_url"' in bad.text
    assert 'value="2025-01-02"' in bad.text  # what was typed comes back
    ok = post_form(
        c,
        f"/customers/{cust.id}/relationships/org/strategic_agreement",
        {"factor": "0.70", "evidence": "区域战略协议", "followup_ids[]": [str(proof.id)]},
        headers=hx,
    )
    assert ok.status_code == 200, ok.text[:500]
    assert 'data-testid="org-score">14<' in ok.text and "区域战略协议" in ok.text  # 20 · 0.7
    assert 'data-testid="org-followup"' in ok.text and "org-form" not in ok.text
    mark = session.scalars(select(OrgMark).where(OrgMark.customer_id == cust.id)).one()
    assert mark.followup_ids == [proof.id]
    stale = post_form(c, f"/customers/{cust.id}/relationships/org/strategic_agreement", {"version": "7"}, headers=hx)
    assert stale.status_code == 409 and 'data-testid="form-error"' in stale.text
    cleared = post_form(
        c,
        f"/customers/{cust.id}/relationships/org/strategic_agreement/clear",
        {"version": str(mark.version)},
        headers=hx,
    )
    assert cleared.status_code == 200 and 'data-testid="org-score">0<' in cleared.text
    plain = post_form(c, f"/customers/{cust.id}/relationships/org/summit", {})
    assert plain.status_code == 303 and plain.headers["location"].endswith(
        f"/customers/{cust.id}/relationships#rel-org"
    )
    post_form(c, "/locale", {"locale": "en"})
    en = c.get(f"/customers/{cust.id}/relationships/org")
    assert "Strategic agreement and its scope" in en.text and "Organisational relationships: checklist" in en.text
    assert 'data-testid="org-score">10<' in en.text  # summit, marked by the plain form post


def test_retired_marks_are_shown_not_scored(session, ids):
    from loam.relationships import settings as method_settings
    from loam.relationships.settings import MethodSettings, SettingsWrite
    from tests.helpers import scope_of

    cust = customer(session, ids["ar1"], "退役项客户")
    session.flush()
    c = api("ar1")
    c.put(_url(cust.id, "crisis"), json={"evidence": "2023 抢修"})
    data = method_settings.defaults()
    data["org"]["items"] = [i for i in data["org"]["items"] if i["key"] != "crisis"]
    method_settings.save(session, scope_of(session, ids["admin"]), SettingsWrite(data=MethodSettings(**data)))
    session.flush()
    body = c.get(_url(cust.id)).json()
    assert body["score"] == 0 and [r["key"] for r in body["retired"]] == ["crisis"]
    assert body["retired"][0]["evidence"] == "2023 抢修"
    assert c.put(_url(cust.id, "crisis"), json={}).status_code == 404  # no longer an item
    page = login("ar1").get(f"/customers/{cust.id}/relationships/org")
    assert 'data-testid="org-retired-crisis"' in page.text and "2023 抢修" in page.text
    assert c.delete(_url(cust.id, "crisis")).json()["retired"] == []
