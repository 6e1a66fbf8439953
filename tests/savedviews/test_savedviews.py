from __future__ import annotations

import pytest

from loam.errors import Conflict, Forbidden, NotFound
from loam.savedviews import service
from loam.savedviews.schemas import SavedViewWrite
from tests.helpers import api, login, post_form, scope_of


def _view(name: str, query: str = "status=open", shared: bool = False, entity: str = "opportunity") -> SavedViewWrite:
    return SavedViewWrite(name=name, entity=entity, query=query, shared=shared)


def test_own_and_shared_views(session, ids):
    ar1, ar2 = scope_of(session, ids["ar1"]), scope_of(session, ids["ar2"])
    mine = service.create(session, ar1, _view("我的大单", "?status=open&page=3&sort=-amount"))
    assert mine.query == "status=open&sort=-amount"
    with pytest.raises(Conflict):
        service.create(session, ar1, _view("我的大单"))
    shared = service.create(session, ar2, _view("团队视图", shared=True))
    private = service.create(session, ar2, _view("张伟私有"))
    service.create(session, ar1, _view("线索视图", entity="lead"))
    assert [v.name for v in service.for_entity(session, ar1, "opportunity")] == ["我的大单", "团队视图"]
    with pytest.raises(NotFound):
        service.get(session, ar1, private.id)
    with pytest.raises(Forbidden):
        service.update(session, ar1, shared.id, _view("抢过来"))
    with pytest.raises(Forbidden):
        service.delete(session, ar1, shared.id)
    service.update(session, ar1, mine.id, _view("我的大单", "status=won", shared=True))
    assert mine.shared and mine.query == "status=won"
    assert "我的大单" in [v.name for v in service.for_entity(session, ar2, "opportunity")]
    service.delete(session, ar1, mine.id)
    assert [v.name for v in service.for_entity(session, ar1, "opportunity")] == ["团队视图"]


def test_api(session, ids):
    c = api("ar1")
    r = c.post("/api/v1/saved-views", json={"name": "赢单", "entity": "opportunity", "query": "status=won"})
    assert r.status_code == 201 and r.json()["shared"] is False
    vid = r.json()["id"]
    assert c.post("/api/v1/saved-views", json={"name": "x", "entity": "Bad Entity"}).status_code == 422
    listed = c.get("/api/v1/saved-views?entity=opportunity").json()
    assert [v["id"] for v in listed["items"]] == [vid] and listed["total"] == 1
    assert c.get("/api/v1/saved-views?colour=red").status_code == 422
    other = api("ar2")
    assert other.get(f"/api/v1/saved-views/{vid}").status_code == 404
    r = c.put(f"/api/v1/saved-views/{vid}", json={"name": "赢单", "entity": "opportunity", "query": "", "shared": True})
    assert r.status_code == 200 and r.json()["shared"] is True
    assert other.get(f"/api/v1/saved-views/{vid}").status_code == 200
    assert other.delete(f"/api/v1/saved-views/{vid}").status_code == 403
    assert c.delete(f"/api/v1/saved-views/{vid}").status_code == 204
    assert api("ar1").get("/api/v1/saved-views").json()["total"] == 0


def test_save_a_view_from_the_opportunity_list(session, ids):
    c = login("ar1")
    data = {
        "entity": "opportunity",
        "name": "本月赢单",
        "query": "status=won&page=2",
        "shared": "true",
        "next": "/opportunities",
    }
    r = post_form(c, "/saved-views", data)
    assert r.status_code == 303 and r.headers["location"] == "/opportunities?status=won"
    page = c.get("/opportunities")
    assert "本月赢单" in page.text and 'href="/opportunities?status=won"' in page.text
    assert "本月赢单" in login("ar2").get("/opportunities").text  # shared
    r = post_form(c, "/saved-views", data | {"name": "外链", "next": "https://evil.example/x"})
    assert r.status_code == 303 and r.headers["location"].startswith("/?")
    vid = service.for_entity(session, scope_of(session, ids["ar1"]), "opportunity")[0].id
    assert post_form(login("ar2"), f"/saved-views/{vid}/delete", {"next": "/opportunities"}).status_code == 403
    assert post_form(c, f"/saved-views/{vid}/delete", {"next": "/opportunities"}).status_code == 303
