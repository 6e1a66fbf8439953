"""Pages of key relationships: the contact's relationship card and its forms (Post/Redirect/Get, errors
re-rendered), the customer's key section and the rising stars page, in zh_CN and en."""

from __future__ import annotations

import re

import pytest

from loam.relationships.models import ContactCompetitorPreference, ContactProfile, ContactRelationOwner
from tests.helpers import login, post_form
from tests.relationships import profiles_factories as f


def _in(c, locale: str):
    assert post_form(c, "/locale", {"locale": locale}).status_code == 303
    return c


def _setup(session, ids, name="页面关系客户"):
    cust = f.customer(session, ids["ar1"], name)
    boss = f.contact(session, ids["ar1"], cust.id, "钱总", level="executive", dept_name="总经办")
    return cust, boss


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("zh_CN", ["认识", "见过面；清楚其职责", "阶段", "保存"]),
        ("en", ["Key relationship", "Acquainted", "Has met us; we know their role", "Key-relationship score"]),
    ],
)
def test_card_renders_in_both_languages(session, ids, locale, words):
    _cust, boss = _setup(session, ids, f"页面关系客户{locale}")
    f.profile(session, ids["ar1"], boss.id, stage=2, support=1, coach=True)
    c = _in(login("ar1"), locale)
    page = c.get(f"/contacts/{boss.id}")
    assert page.status_code == 200
    assert f'hx-get="http://testserver/contacts/{boss.id}/relationship/card"' in page.text
    card = c.get(f"/contacts/{boss.id}/relationship/card")
    assert card.status_code == 200 and 'data-testid="relationship-card"' in card.text
    for word in words:
        assert word in card.text, word
    assert 'data-testid="contact-score"' in card.text and 'data-testid="point-support"' in card.text
    # S2, supportive, coach, never touched: 8.333 + 22.5 + 10 = 40.8 → 41.
    assert re.search(r'data-testid="contact-score">41<', card.text)
    assert 'data-testid="stage-history"' in card.text and 'data-testid="form-stage"' in card.text
    full = c.get(f"/contacts/{boss.id}/relationship")
    assert full.status_code == 200 and 'data-testid="relationship-title"' in full.text


def test_edit_form_post_redirect_get_and_errors(session, ids):
    _cust, boss = _setup(session, ids)
    c = login("ar1")
    url = f"/contacts/{boss.id}/relationship"
    form = {
        "support": "1",
        "influence": "high",
        "coach": "true",
        "decision_role": "decision_maker",
        "chain": "overall",
        "expected_days": "",
        "orientation": "看重长期合作",
        "personality": "爽快",
        "preferences": "",
        "rising_star": "false",
        "rising_reasons[]": [""],
        "rising_owner_id": "",
        "rising_plan": "",
    }
    r = post_form(c, url, form)
    assert r.status_code == 303 and r.headers["location"].endswith(f"/contacts/{boss.id}#relationship")
    p = session.get(ContactProfile, boss.id)
    session.refresh(p)
    assert (p.support, p.influence, p.coach, p.decision_role, p.chain, p.version) == (
        1,
        "high",
        True,
        "decision_maker",
        "overall",
        1,
    )
    session.refresh(boss)
    assert boss.personality == "爽快"
    # A stale version is refused; the card comes back with the message and nothing is written.
    r = post_form(c, url, form | {"support": "-2", "version": "7"})
    assert r.status_code == 409 and 'data-testid="form-error"' in r.text and "<details" in r.text
    # A rising star without reasons or owner: field messages, the typed plan kept.
    r = post_form(c, url, form | {"version": "1", "rising_star": "true", "rising_plan": "安排交流学习"})
    assert r.status_code == 422
    assert 'data-testid="error-rising_reasons"' in r.text and 'data-testid="error-rising_owner_id"' in r.text
    assert "安排交流学习" in r.text
    r = post_form(c, url, form | {"version": "1", "support": "9"})
    assert r.status_code == 422 and 'data-testid="error-support"' in r.text
    session.refresh(p)
    assert (p.support, p.rising_star, p.version) == (1, False, 1)
    # Missing CSRF token: refused.
    assert c.post(url, data=form).status_code == 403


def test_stage_competitor_owner_and_departure_forms(session, ids):
    _cust, boss = _setup(session, ids, "页面关系客户表单")
    c = _in(login("ar1"), "en")
    base = f"/contacts/{boss.id}/relationship"
    card = c.get(base + "/card").text
    assert "To reach S2 Recognises us:" in card and "Attended a technical exchange" in card
    r = post_form(c, base + "/stage", {"to_stage": "2", "evidence": ""})
    assert r.status_code == 422 and 'data-testid="error-evidence"' in r.text
    r = post_form(c, base + "/stage", {"to_stage": "2", "evidence": "参加了技术交流"})
    assert r.status_code == 303
    card = c.get(base + "/card").text
    assert "参加了技术交流" in card and "S1 → S2" in card and "To reach S3 Trusts us:" in card

    rows = {"competitor_0": "竞品甲", "preference_0": "strong", "competitor_1": "", "preference_1": "leaning"}
    assert post_form(c, base + "/competitors", rows).status_code == 303
    prefs = session.query(ContactCompetitorPreference).filter_by(contact_id=boss.id).all()
    assert [(x.competitor, x.preference) for x in prefs] == [("竞品甲", "strong")]
    r = post_form(c, base + "/competitors", {"competitor_0": "A", "competitor_1": "a"})
    assert r.status_code == 422 and r.text.count("a is listed twice.") == 1

    assert post_form(c, base + "/owners", {"user_ids[]": ["", str(ids["finance1"])]}).status_code == 303
    owners = session.query(ContactRelationOwner).filter_by(contact_id=boss.id).all()
    assert [o.user_id for o in owners] == [ids["finance1"]]
    assert post_form(c, base + "/owners", {"user_ids[]": [""]}).status_code == 303
    assert session.query(ContactRelationOwner).filter_by(contact_id=boss.id).count() == 0

    r = post_form(c, base + "/departure", {"on": "", "role_changed": "false"})
    assert r.status_code == 422 and 'data-testid="error-on"' in r.text
    r = post_form(c, base + "/departure", {"on": "2025-05-01", "role_changed": "false"})
    assert r.status_code == 303
    assert 'data-testid="departed"' in c.get(base + "/card").text
    # ar2 cannot see the contact: 404 on the card and on every form.
    other = login("ar2")
    assert other.get(base + "/card").status_code == 404
    assert post_form(other, base + "/stage", {"to_stage": "3", "evidence": "x"}).status_code == 404


@pytest.mark.parametrize(("locale", "heading"), [("zh_CN", "联系人"), ("en", "Key relationships")])
def test_customer_key_section(session, ids, locale, heading):
    cust, boss = _setup(session, ids, f"页面关系客户段{locale}")
    staff = f.contact(session, ids["ar1"], cust.id, "赵工", level="staff")
    f.profile(session, ids["ar1"], staff.id, support=2, coach=True)
    c = _in(login("ar1"), locale)
    r = c.get(f"/customers/{cust.id}/relationships/key")
    assert r.status_code == 200 and heading in r.text
    # 赵工 30 + 10 = 40 (medium), 钱总 15 (medium): (40·2 + 15·2)/4 = 27.5 → 28; the better one first.
    assert re.search(r'data-testid="key-score">28<', r.text)
    assert r.text.index(f'key-row-{staff.id}"') < r.text.index(f'key-row-{boss.id}"')
    page = c.get(f"/customers/{cust.id}/relationships")
    assert 'data-testid="rel-key"' in page.text
    assert login("ar2").get(f"/customers/{cust.id}/relationships/key").status_code == 404


@pytest.mark.parametrize(("locale", "title"), [("zh_CN", "联系人"), ("en", "Rising stars")])
def test_rising_stars_page(session, ids, locale, title):
    cust, boss = _setup(session, ids, f"页面关系客户星{locale}")
    young = f.contact(session, ids["ar1"], cust.id, "小周", level="staff")
    f.profile(
        session,
        ids["ar1"],
        young.id,
        stage=2,
        rising_star=True,
        rising_reasons=["expertise"],
        rising_owner_id=ids["sr1"],
        rising_plan="每季度技术交流",
    )
    c = _in(login("ar1"), locale)
    r = c.get("/relationships/rising-stars")
    assert r.status_code == 200 and title in r.text
    assert f'data-testid="rising-star-{young.id}"' in r.text and f'rising-star-{boss.id}"' not in r.text
    assert "每季度技术交流" in r.text and "陈静" in r.text
    path = re.search(rf'data-testid="stage-path-{young.id}">(.*?)</td>', r.text, re.S)
    assert path and "S1" in path.group(1) and "S2" in path.group(1)
    other = login("ar2").get("/relationships/rising-stars")
    assert other.status_code == 200 and f'rising-star-{young.id}"' not in other.text
