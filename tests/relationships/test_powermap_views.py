"""Power-map pages: the map page (zh_CN and en), the section of the relationship page, the edit panel (HTMX and
plain form), link forms, and the status badges on the opportunity page, list and kanban."""

from __future__ import annotations

import json
import re

import pytest

from loam.opportunities import repository as opportunity_repo
from loam.relationships import profiles_repository
from tests.helpers import login, post_form
from tests.opportunities.factories import make_opportunity
from tests.relationships.powermap_helpers import customer, link, person

HX = {"HX-Request": "true"}


@pytest.fixture
def world(session, ids):
    c = customer(session, ids)
    boss = person(session, ids, c.id, "黄局长", level="executive", decision_role="decision_maker", support=-1)
    coach = person(session, ids, c.id, "李工", reports_to_id=boss.id, decision_role="evaluator", coach=True)
    deal = make_opportunity(session, ids["ar1"], "政务云二期", customer_id=c.id)
    return c, boss, coach, deal


def _data(html):
    found = re.search(r'<script type="application/json" id="pm-data">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_map_page_renders(session, ids, world, locale):
    c, boss, coach, deal = world
    w = login("ar1")
    post_form(w, "/locale", {"locale": locale})
    r = w.get(f"/customers/{c.id}/power-map")
    assert r.status_code == 200, r.text[:500]
    html = r.text
    assert ('lang="en"' if locale == "en" else 'lang="zh-CN"') in html
    if locale == "en":
        assert "Power map" in html and "Export PNG" in html and "Red" in html
    assert 'data-testid="pm-status" data-status="red"' in html  # the decision maker is not supportive
    assert f'data-testid="pm-row-{boss.id}"' in html and f'data-testid="pm-edit-{coach.id}"' in html
    assert "vendor/echarts/echarts.min.js" in html and "js/powermap.js" in html
    assert f'data-json-url="/api/v1/customers/{c.id}/power-map"' in html
    data = _data(html)
    assert data["status"] == "red" and [n["id"] for n in data["nodes"]] == [boss.id, coach.id]
    assert data["edges"] == [
        {"kind": "reports_to", "source": coach.id, "target": boss.id, "strength": 2, "link_id": None, "remark": None}
    ]
    assert re.search(rf'<option value="{deal.id}"\s*>政务云二期</option>', html)  # the overlay chooser
    overlay = w.get(f"/customers/{c.id}/power-map", params={"opportunity_id": deal.id})
    assert overlay.status_code == 200 and f"opportunity_id={deal.id}" in overlay.text
    assert _data(overlay.text)["opportunity_id"] == deal.id
    assert all(n["linked"] is False for n in _data(overlay.text)["nodes"])


def test_section_of_the_relationship_page(session, ids, world):
    c, _boss, _coach, _deal = world
    w = login("ar1")
    page = w.get(f"/customers/{c.id}/relationships")  # the section is loaded once its route exists
    assert re.search(rf'data-testid="rel-powermap"\s+hx-get="[^"]*/customers/{c.id}/relationships/powermap"', page.text)
    r = w.get(f"/customers/{c.id}/relationships/powermap")
    assert r.status_code == 200
    assert 'data-testid="powermap-section"' in r.text and 'data-status="red"' in r.text
    keys = re.search(r'data-testid="pm-key-players">(.*?)</table>', r.text, re.S).group(1)
    assert "黄局长" in keys and "★" in keys and "李工" in keys
    assert f"/customers/{c.id}/power-map" in r.text
    assert login("ar2").get(f"/customers/{c.id}/relationships/powermap").status_code == 404


def test_edit_panel_htmx_changes_the_status(session, ids, world):
    c, boss, _coach, _deal = world
    w = login("ar1")
    panel = w.get(f"/customers/{c.id}/power-map/nodes/{boss.id}", headers=HX)
    assert panel.status_code == 200 and "<html" not in panel.text
    assert 'data-testid="pm-node-form"' in panel.text
    version = profiles_repository.get(session, boss.id).version
    assert f'name="version" value="{version}"' in panel.text
    assert re.search(r'<option value="-1"\s+selected', panel.text)
    form = {"decision_role": "decision_maker", "chain": "overall", "support": "2", "influence": "high",
            "coach": "false", "version": str(version), "reports_to_id": ""}  # fmt: skip
    r = post_form(w, f"/customers/{c.id}/power-map/nodes/{boss.id}", form, headers=HX)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["HX-Trigger"] == "powermap-changed" and 'data-testid="pm-saved"' in r.text
    profile = profiles_repository.get(session, boss.id)
    session.refresh(profile)
    assert (profile.support, profile.influence, profile.chain) == (2, "high", "overall")
    assert w.get(f"/api/v1/customers/{c.id}/power-map").json()["status"] == "green"  # supportive DM + coach
    tables = w.get(f"/customers/{c.id}/power-map/tables", headers=HX)
    assert tables.status_code == 200 and f'data-testid="pm-row-{boss.id}" data-support="2"' in tables.text
    # a stale version: the panel comes back with the message (409) and nothing is written
    r = post_form(w, f"/customers/{c.id}/power-map/nodes/{boss.id}", form | {"support": "-2"}, headers=HX)
    assert r.status_code == 409 and 'data-testid="form-error"' in r.text and "HX-Trigger" not in r.headers
    session.refresh(profile)
    assert profile.support == 2
    r = post_form(w, f"/customers/{c.id}/power-map/nodes/{boss.id}", form | {"support": "9"}, headers=HX)
    assert r.status_code == 422 and 'data-testid="error-support"' in r.text


def test_plain_form_posts_redirect_to_the_map(session, ids, world):
    c, boss, coach, deal = world
    w = login("ar1")
    page = w.get(f"/customers/{c.id}/power-map/nodes/{coach.id}", params={"opportunity_id": deal.id})
    assert page.status_code == 200 and "<html" in page.text  # a page of its own without JavaScript
    form = {"decision_role": "approver", "chain": "commercial", "support": "1", "influence": "medium",
            "coach": "true", "version": str(profiles_repository.get(session, coach.id).version),
            "reports_to_id": str(boss.id), "opportunity_id": str(deal.id)}  # fmt: skip
    r = post_form(w, f"/customers/{c.id}/power-map/nodes/{coach.id}", form)
    assert r.status_code == 303 and r.headers["location"].endswith(
        f"/customers/{c.id}/power-map?opportunity_id={deal.id}"
    )
    found = opportunity_repo.contact_link_for(session, deal.id, coach.id)
    assert (found.role, found.chain) == ("approver", "commercial")  # the overlay, not the account role
    assert profiles_repository.get(session, coach.id).decision_role == "evaluator"


def test_link_forms(session, ids, world):
    c, boss, coach, _deal = world
    w = login("ar1")
    url = f"/customers/{c.id}/power-map/links"
    r = post_form(w, url, {"from_contact_id": str(coach.id), "to_contact_id": str(boss.id), "kind": "influences",
                           "strength": "3"}, headers=HX)  # fmt: skip
    assert r.status_code == 204 and r.headers["HX-Trigger"] == "powermap-changed"
    edges = [e for e in w.get(f"/api/v1/customers/{c.id}/power-map").json()["edges"] if e["link_id"]]
    assert [(e["kind"], e["source"], e["target"], e["strength"]) for e in edges] == [
        ("influences", coach.id, boss.id, 3)
    ]
    link_id = edges[0]["link_id"]
    r = post_form(
        w, url, {"from_contact_id": str(coach.id), "to_contact_id": str(coach.id), "kind": "personal"}, headers=HX
    )
    assert r.status_code == 422 and 'id="pm-link-form"' in r.text and 'data-testid="error-to_contact_id"' in r.text
    r = post_form(w, url, {"from_contact_id": str(coach.id), "to_contact_id": str(boss.id), "kind": "influences"})
    assert r.status_code == 409 and "<html" in r.text  # without JavaScript: the map page with the message
    r = post_form(w, f"{url}/{link_id}/edit", {"strength": "1"})
    assert r.status_code == 303
    tables = w.get(f"/customers/{c.id}/power-map/tables").text
    assert re.search(r'<option value="1" selected>1</option>', tables)
    r = post_form(w, f"{url}/{link_id}/delete", {}, headers=HX)
    assert r.status_code == 204
    assert [e for e in w.get(f"/api/v1/customers/{c.id}/power-map").json()["edges"] if e["link_id"]] == []
    assert post_form(login("ar2"), url, {"from_contact_id": str(coach.id), "to_contact_id": str(boss.id),
                                         "kind": "personal"}).status_code == 404  # fmt: skip


def test_badges_on_the_opportunity_page_list_and_kanban(session, ids, world):
    c, _boss, coach, deal = world
    other = make_opportunity(session, ids["ar1"], "另一个商机")
    link(session, ids, deal.id, coach.id, "approver")
    w = login("ar1")
    detail = w.get(f"/opportunities/{deal.id}").text
    assert f'id="pm-badge-{deal.id}"' in detail
    assert f"/power-map/badges?ids={deal.id}" in detail
    assert f"/customers/{c.id}/power-map?opportunity_id={deal.id}" in detail  # the link to the deal's map
    listing = w.get("/opportunities").text
    assert f'id="pm-badge-{deal.id}"' in listing and f'id="pm-badge-{other.id}"' in listing
    loader = re.search(r'/power-map/badges\?ids=([0-9,]+)"', listing).group(1)
    assert {deal.id, other.id} <= {int(x) for x in loader.split(",")}
    kanban = w.get("/opportunities/kanban").text
    assert f'id="pm-badge-{deal.id}"' in kanban and "/power-map/badges?ids=" in kanban
    r = w.get("/power-map/badges", params={"ids": f"{deal.id},{other.id},99999"}, headers=HX)
    assert r.status_code == 200
    badges = dict(re.findall(r'hx-swap-oob="innerHTML:#pm-badge-(\d+)">.*?data-status="(\w+)"', r.text, re.S))
    assert badges == {str(deal.id): "red", str(other.id): "red"}
    # the coach is this deal's approver but not supportive (0); make them supportive: a supportive key player
    from tests.relationships.powermap_helpers import set_profile

    set_profile(session, ids, coach.id, support=1)
    r = w.get("/power-map/badges", params={"ids": f"{deal.id}"}, headers=HX)
    assert 'data-status="green"' in r.text  # a supportive approver who is the coach
    assert login("ar2").get("/power-map/badges", params={"ids": f"{deal.id}"}).text.count("hx-swap-oob") == 0
    assert w.get("/power-map/badges", params={"ids": "1;drop"}).status_code == 422
