"""The merge pages: candidate groups per kind, side-by-side compare with a radio per field, history with undo."""

from __future__ import annotations

import re

from loam.merge.models import Merge
from tests.helpers import login, post_form
from tests.merge.factories import count, customer_pair


def test_ar_gets_403(session, ids):
    customer_pair(session, ids)
    c = login("ar1")
    assert c.get("/merge").status_code == 403
    assert "/merge" not in re.findall(r'href="(/merge[^"]*)"', c.get("/").text)


def test_find_compare_merge_and_undo(session, ids):
    pair = customer_pair(session, ids)
    s, m = pair.survivor, pair.merged
    c = login("director")
    assert 'href="http://testserver/merge"' in c.get("/").text or 'href="/merge"' in c.get("/").text
    page = c.get("/merge?entity=customer")
    assert page.status_code == 200 and f'data-testid="candidate-{m.id}"' in page.text
    assert 'data-testid="tab-contact"' in page.text and 'data-testid="match-name"' in page.text
    link = re.search(r'href="([^"]*/merge/compare\?[^"]*)"[^>]*data-testid="compare"', page.text)
    assert link
    compare = c.get(link.group(1).replace("&amp;", "&"))
    assert compare.status_code == 200 and 'data-testid="field-phone"' in compare.text
    assert f'name="pick.phone" value="{m.id}"' in compare.text and 'name="csrf_token"' in compare.text
    form = {"entity": "customer", "ids[]": [s.id, m.id], "survivor_id": s.id, "pick.phone": m.id}
    bad = post_form(c, "/merge", form | {"pick.phone": 999999})
    assert bad.status_code == 422 and 'data-testid="form-error"' in bad.text and count(session, Merge) == 0
    r = post_form(c, "/merge", form)
    assert r.status_code == 303, r.text[:500]
    history = c.get(r.headers["location"])
    merge = session.query(Merge).one()
    assert history.status_code == 200 and f'data-testid="merge-{merge.id}"' in history.text
    assert c.get(f"/customers/{s.id}").text.count("13907710001") >= 1
    assert (
        f"#{s.id}" in c.get("/recycle?entity=customer").text
        and 'data-testid="merged-into"' in c.get("/recycle?entity=customer").text
    )
    r = post_form(c, f"/merge/{merge.id}/undo")
    assert r.status_code == 303
    session.refresh(merge)
    assert merge.undone_at is not None
    assert c.get(f"/customers/{m.id}").status_code == 200


def test_english_pages(session, ids):
    customer_pair(session, ids)
    c = login("director")
    post_form(c, "/locale", {"locale": "en"})
    page = c.get("/merge").text
    assert "Duplicates and merge" in page and "查重与合并" not in page


def test_lead_and_contact_tabs_and_compare_pages(session, ids):
    from tests.contacts.factories import make_contact, make_lead
    from tests.helpers import make_customer

    l1 = make_lead(session, ids["ar1"], "甲", company="崇左糖业有限公司")
    l2 = make_lead(session, ids["ar2"], "乙", company="崇左糖业")
    customer = make_customer(session, ids["ar1"], "页面联系人合并")
    p1 = make_contact(session, ids["ar1"], customer.id, "农经理", phone="13977001122")
    p2 = make_contact(session, ids["ar1"], customer.id, "农经理")
    c = login("director")
    leads = c.get("/merge?entity=lead")
    assert leads.status_code == 200 and f'data-testid="candidate-{l2.id}"' in leads.text
    assert 'data-testid="match-company"' in leads.text
    contacts = c.get("/merge?entity=contact")
    assert f'data-testid="candidate-{p2.id}"' in contacts.text
    page = c.get(f"/merge/compare?entity=lead&ids={l1.id}&ids={l2.id}")
    assert page.status_code == 200 and f"/leads/{l2.id}" in page.text
    page = c.get(f"/merge/compare?entity=contact&ids={p1.id}&ids={p2.id}")
    assert page.status_code == 200 and f"/contacts/{p2.id}" in page.text
    assert c.get(f"/merge/compare?entity=contact&ids={p1.id}").status_code == 422
    r = post_form(
        c, "/merge", {"entity": "contact", "ids[]": [p1.id, p2.id], "survivor_id": p2.id, "pick.phone": p1.id}
    )
    assert r.status_code == 303
    assert c.get("/merge/history").text.count('data-testid="undo"') == 1


def test_compare_of_an_invisible_record_is_404(session, ids):
    from tests.helpers import make_customer

    mine = make_customer(session, ids["ar1"], "可见客户")
    foreign = make_customer(session, ids["admin"], "可见客户")
    c = login("director")
    assert c.get(f"/merge/compare?entity=customer&ids={mine.id}&ids={foreign.id}").status_code == 404
    assert f'data-testid="candidate-{foreign.id}"' not in c.get("/merge?entity=customer").text


def test_not_duplicates_button_and_the_marked_list(session, ids):
    pair = customer_pair(session, ids)
    s, m = pair.survivor, pair.merged
    c = login("director")
    page = c.get("/merge?entity=customer")
    assert 'data-testid="dismiss"' in page.text and 'data-testid="dismissals-link"' in page.text
    r = post_form(c, "/merge/dismiss", {"entity": "customer", "ids[]": [s.id, m.id]})
    assert r.status_code == 303
    assert f'data-testid="candidate-{m.id}"' not in c.get("/merge?entity=customer").text
    listed = c.get("/merge/dismissals?entity=customer")
    row = re.search(r'data-testid="dismissal-(\d+)"', listed.text)
    assert listed.status_code == 200 and row and f"#{m.id}" in listed.text
    assert post_form(c, f"/merge/dismissals/{row.group(1)}/delete").status_code == 303
    assert f'data-testid="candidate-{m.id}"' in c.get("/merge?entity=customer").text
    assert post_form(login("ar1"), "/merge/dismiss", {"entity": "customer", "ids[]": [s.id, m.id]}).status_code == 403
