"""Apply the access matrix (tests/access.py) to every registered resource."""

from __future__ import annotations

import pytest

from tests import helpers
from tests.access import RESOURCES, VISIBLE, Resource

USERS = list(VISIBLE)


@pytest.mark.parametrize("res", RESOURCES, ids=lambda r: r.name)
def test_anonymous_is_refused(res: Resource, session, ids) -> None:
    rid = res.make(session, ids["ar1"])
    anon = helpers.client()
    assert anon.get(res.api_detail.format(id=rid)).status_code == 401
    assert anon.get(res.api_list).status_code == 401
    if res.web_detail:
        r = anon.get(res.web_detail.format(id=rid))
        assert r.status_code == 303 and "/login" in r.headers["location"]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("res", RESOURCES, ids=lambda r: r.name)
def test_detail_and_list_obey_scope(res: Resource, user: str, session, ids) -> None:
    rid = res.make(session, ids["ar1"])
    visible = res.extra_visible.get(user, VISIBLE[user])
    c = helpers.api(user)
    r = c.get(res.api_detail.format(id=rid))
    assert r.status_code == (200 if visible else 404), (user, r.text[:300])
    listed = {row["id"] for row in c.get(res.api_list).json()[res.list_key]}
    assert (rid in listed) == visible
    if res.web_detail:
        w = helpers.login(user).get(res.web_detail.format(id=rid))
        assert w.status_code == (200 if visible else 404)


@pytest.mark.parametrize("res", [r for r in RESOURCES if r.write], ids=lambda r: r.name)
def test_out_of_scope_write_is_404_and_changes_nothing(res: Resource, session, ids) -> None:
    rid = res.make(session, ids["ar1"])
    owner = helpers.api("ar1")
    before = owner.get(res.api_detail.format(id=rid)).json()
    method, path, body = res.write  # type: ignore[misc]
    r = helpers.api("ar2").request(method, path.format(id=rid), json=body(before.get("version", 1)))
    assert r.status_code == 404
    assert owner.get(res.api_detail.format(id=rid)).json() == before


@pytest.mark.parametrize("res", [r for r in RESOURCES if r.delete], ids=lambda r: r.name)
def test_deleted_records_are_404_for_everyone(res: Resource, session, ids) -> None:
    rid = res.make(session, ids["ar1"])
    res.delete(session, rid)  # type: ignore[misc]
    session.flush()
    for user in ("ar1", "director", "admin"):
        c = helpers.api(user)
        assert c.get(res.api_detail.format(id=rid)).status_code == 404
        assert rid not in {row["id"] for row in c.get(res.api_list).json()[res.list_key]}


@pytest.mark.parametrize("res", [r for r in RESOURCES if r.create], ids=lambda r: r.name)
def test_create_without_permission_is_403(res: Resource, session, ids) -> None:
    path, body, user = res.create  # type: ignore[misc]
    c = helpers.api(user)
    r = c.post(path, json=body)
    assert r.status_code == 403, r.text
