from __future__ import annotations

from loam.authz.scope import Scope
from loam.customers import service as customer_service
from tests.helpers import client, login, make_customer, post_form


def _deleted(session, owner_id: int, name: str) -> int:
    c = make_customer(session, owner_id, name)
    customer_service.delete_(session, Scope.system(), c.id)
    session.flush()
    return c.id


def test_page_lists_with_tabs_and_buttons_by_permission(session, ids):
    cid = _deleted(session, ids["ar1"], "页面回收客户")
    assert client().get("/recycle").status_code == 303
    ar1 = login("ar1")
    page = ar1.get("/recycle").text
    assert f'data-testid="recycle-customer-{cid}"' in page and 'data-testid="tab-customer"' in page
    assert 'data-testid="restore"' not in page and 'data-testid="purge"' not in page  # AR cannot delete customers
    director = login("director").get("/recycle?entity=customer").text
    assert 'data-testid="restore"' in director and 'data-testid="purge"' not in director
    admin = login("admin")
    page = admin.get("/recycle").text
    assert 'data-testid="restore"' in page and 'data-testid="purge"' in page
    assert login("ar2").get("/recycle").text.count(f"recycle-customer-{cid}") == 0


def test_restore_and_purge_from_the_page(session, ids):
    keep = _deleted(session, ids["ar1"], "恢复我")
    drop = _deleted(session, ids["ar1"], "清除我")
    ar1 = login("ar1")
    assert post_form(ar1, f"/recycle/customer/{keep}/restore").status_code == 403
    director = login("director")
    r = post_form(director, f"/recycle/customer/{keep}/restore")
    assert r.status_code == 303 and r.headers["location"].endswith("/recycle?entity=customer")
    assert director.get(f"/customers/{keep}").status_code == 200
    assert post_form(director, f"/recycle/customer/{drop}/purge").status_code == 403
    admin = login("admin")
    assert post_form(admin, f"/recycle/customer/{drop}/purge").status_code == 303
    assert f"recycle-customer-{drop}" not in admin.get("/recycle").text


def test_unknown_entity_page_is_422(connection):
    c = login("admin")
    assert c.get("/recycle?entity=planet").status_code == 422
    assert post_form(c, "/recycle/planet/1/restore").status_code == 422
