"""Relationship health arithmetic: Σ weight · layer score / Σ weights, rounded half up; the contributions are whole
points adding up to the health; bands at their boundaries; the real pipeline on small fixtures."""

from __future__ import annotations

import pytest

from loam.kit.i18n import use_locale
from loam.relationships import health, settings
from loam.relationships.scores import LayerScore
from tests.relationships import health_helpers as hh

DEFAULTS = settings.defaults()


def layers(key: int, broad: int, org: int) -> dict[str, LayerScore]:
    return {"key": LayerScore(key, ""), "broad": LayerScore(broad, ""), "org": LayerScore(org, "")}


def test_health_is_the_weighted_mean_with_whole_contributions() -> None:
    # 60 × 45 % = 27, 50 × 30 % = 15, 33 × 25 % = 8.25 → 50.25 → 50; contributions 27 + 15 + 8 = 50.
    score, band, points = health.combine(layers(60, 50, 33), DEFAULTS)
    assert score == 50
    assert band == "at_risk"
    assert [p.points for p in points] == [27, 15, 8]
    with use_locale("en"):
        assert [f"{p.signed()} {p.text()}" for p in points] == [
            "+27 key relationships 60 × 45 %",
            "+15 broad relationships 50 × 30 %",
            "+8 organisational relationships 33 × 25 %",
        ]


def test_contributions_are_apportioned_by_largest_remainder() -> None:
    # 55 × .45 = 24.75, 55 × .30 = 16.5, 55 × .25 = 13.75 → 55 exactly; floors 24 + 16 + 13 = 53, two points left
    # go to the largest remainders (.75 key, .75 org; .5 broad gets none): 25 + 16 + 14 = 55.
    score, _band, points = health.combine(layers(55, 55, 55), DEFAULTS)
    assert score == 55
    assert [p.points for p in points] == [25, 16, 14]


def test_rounding_half_up_and_shares_of_uneven_weights() -> None:
    data = settings.defaults()
    data["health"]["weights"] = {"key": 1, "broad": 1, "org": 1}
    # (10 + 20 + 31) / 3 = 20.33 → 20; shares print as 33.3 %; contributions 3.33 / 6.67 / 10.33 → 3 + 7 + 10.
    score, band, points = health.combine(layers(10, 20, 31), data)
    assert (score, band) == (20, "critical")
    assert [p.points for p in points] == [3, 7, 10]
    assert points[0].params == {"score": 10, "weight": "33.3"}
    # 45 × 81 % … with weights 2/1/1: (2·81 + 1·80 + 1·80) / 4 = 80.5 → 81 (half up).
    data["health"]["weights"] = {"key": 2, "broad": 1, "org": 1}
    assert health.combine(layers(81, 80, 80), data)[0] == 81


@pytest.mark.parametrize(
    ("value", "band"),
    [(100, "healthy"), (80, "healthy"), (79, "sub_healthy"), (60, "sub_healthy"), (59, "at_risk"),
     (40, "at_risk"), (39, "critical"), (0, "critical")],
)  # fmt: skip
def test_bands_at_their_boundaries(value: int, band: str) -> None:
    score, got, _points = health.combine(layers(value, value, value), DEFAULTS)
    assert (score, got) == (value, band)


def test_bands_follow_the_settings() -> None:
    data = settings.defaults()
    data["health"]["bands"] = {"healthy": 90, "sub_healthy": 70, "at_risk": 50}
    assert health.combine(layers(85, 85, 85), data)[1] == "sub_healthy"
    assert health.combine(layers(49, 49, 49), data)[1] == "critical"


def test_a_customer_without_contacts_or_marks_is_critical_at_zero(session, ids) -> None:
    cid = hh.customer(session, ids["ar1"], "无联系人客户")
    h = health.compute(session, [cid], health.today())[cid]
    assert (h.key.score, h.broad.score, h.org.score) == (0, 0, 0)
    assert (h.score, h.band) == (0, "critical")
    assert [p.points for p in h.points] == [0, 0, 0]
    assert h.trend == [] and h.last_year is None
    assert h.settings_version == settings.current_row(session).version


def test_org_marks_flow_into_health_through_the_real_layers(session, ids) -> None:
    cid = hh.customer(session, ids["ar1"], "组织关系客户")
    hh.mark(session, ids["ar1"], cid, "strategic_agreement", "exec_meetings", "joint_plan")
    h = health.compute(session, [cid], health.today())[cid]
    # org = 20 + 15 + 10 = 45 of 100; key 0 and broad 0 (no contacts): health = 45 × 25 % = 11.25 → 11.
    assert (h.key.score, h.broad.score, h.org.score) == (0, 0, 45)
    assert (h.score, h.band) == (11, "critical")
    assert [p.points for p in h.points] == [0, 0, 11]
    assert sum(p.points for p in h.points) == h.score


def test_a_contact_profile_flows_into_the_key_layer(session, ids) -> None:
    from loam.contacts import service as contact_service
    from loam.contacts.schemas import ContactCreate
    from loam.relationships import profiles
    from loam.relationships.schemas_profiles import ProfileUpdate, StageChange
    from tests.helpers import scope_of

    cid = hh.customer(session, ids["ar1"], "关键关系客户", industry="telecom")
    ar1 = scope_of(session, ids["ar1"])
    contact = contact_service.create(session, ar1, ContactCreate(customer_id=cid, name="黄总", level="staff"))
    session.flush()
    profiles.change_stage(session, ar1, contact.id, StageChange(to_stage=4, evidence="为我们在内部会上争取"))
    profile = profiles.get(session, ar1, contact.id)
    profiles.update(session, ar1, contact.id, ProfileUpdate(support=2, coach=True, version=profile.version))
    h = health.compute(session, [cid], health.today())[cid]
    # key: stage 25·(4−1)/3 = 25, support 30·(2+2)/4 = 30, coach 10, never touched: recency 0, frequency 0,
    # nobody of ours knows the contact: breadth 0 → 65 (one contact: the customer's score too).
    # broad: the contact is not touched, so no cell is covered → 0. org: no marks → 0.
    # health = 65 × 45 % = 29.25 → 29.
    assert (h.key.score, h.broad.score, h.org.score) == (65, 0, 0)
    assert (h.score, h.band) == (29, "critical")
    assert [p.points for p in h.points] == [29, 0, 0]


def test_compute_with_other_settings_names_version_0(session, ids) -> None:
    cid = hh.customer(session, ids["ar1"], "自定设置客户")
    hh.mark(session, ids["ar1"], cid, "strategic_agreement")
    data = settings.defaults()
    data["health"]["weights"] = {"key": 0, "broad": 0, "org": 1}
    h = health.compute(session, [cid], health.today(), data)[cid]
    assert (h.score, h.settings_version) == (20, 0)  # org 20 × 100 %
    same = health.compute(session, [cid], health.today(), settings.current(session))[cid]
    assert (same.score, same.settings_version) == (5, settings.current_row(session).version)  # 20 × 25 %


def test_trend_and_same_month_last_year_come_from_snapshots(session, ids) -> None:
    cid = hh.customer(session, ids["ar1"], "趋势客户")
    for n, value in ((13, 10), (12, 20), (11, 30), (1, 40), (0, 50)):
        hh.stored(session, cid, hh.months_ago(n), value)
    h = health.compute(session, [cid], health.today())[cid]
    # The last 12 months (11 … 0 months ago) are the trend; 12 months ago is "the same month last year";
    # 13 months ago is in neither.
    assert [(p.month, p.health) for p in h.trend] == [
        (hh.months_ago(11), 30),
        (hh.months_ago(1), 40),
        (hh.this_month(), 50),
    ]
    assert h.last_year is not None and (h.last_year.month, h.last_year.health) == (hh.months_ago(12), 20)
    assert h.last_year.band == "critical"
