"""``scenarios.ratings``: the per-customer rollup of scenario follow-ups (count, rated, mean quality, by layer),
pinned to hand-computed values, in one query for the whole list."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event

from loam.activities import service as followup_service
from loam.authz.scope import Scope
from loam.config import settings
from loam.db import utcnow
from loam.relationships import scenarios
from loam.relationships.scenarios import LayerRatings, ScenarioRatings
from tests.helpers import make_customer
from tests.relationships.scenarios_factories import choose, followup, rate


def _done(session, user: int, customer_id: int, code: str, quality: int | None, **fields) -> int:
    f = followup(session, user, customer_id=customer_id, **fields)
    choose(session, user, f.id, code)
    if quality is not None:
        rate(session, user, f.id, quality)
    return f.id


def test_rollup_pinned(session, ids, connection):
    ar1 = ids["ar1"]
    today = utcnow().astimezone(ZoneInfo(settings.timezone)).date()
    since = today - timedelta(days=365)
    a = make_customer(session, ar1, "汇总客户甲").id
    b = make_customer(session, ar1, "汇总客户乙").id
    c = make_customer(session, ar1, "汇总客户丙").id
    d = make_customer(session, ar1, "汇总客户丁").id
    # Customer A
    _done(session, ar1, a, "daily_visit", 4, days_ago=10)  # key, rated 4
    _done(session, ar1, a, "executive_visit", 5, days_ago=20)  # key, rated 5
    _done(session, ar1, a, "tech_exchange", None, days_ago=5)  # broad, not rated
    _done(session, ar1, a, "summit", 2, days_ago=3)  # org, rated 2
    _done(session, ar1, a, "hospitality", 3, days_ago=400)  # before `since`: left out
    gone = _done(session, ar1, a, "training", 1, days_ago=2)  # deleted follow-up: left out
    followup_service.delete_(session, Scope.system(), gone)
    followup(session, ar1, customer_id=a, days_ago=1)  # no scenario: not counted
    # Customer B
    _done(session, ar1, b, "joint_innovation", 4, days_ago=30)
    # Customer D: the first instant of `since` (company time) counts, the minute before does not.
    midnight = datetime.combine(since, time.min, tzinfo=ZoneInfo(settings.timezone))
    _done(session, ar1, d, "training", 5, occurred_at=midnight)
    _done(session, ar1, d, "training", 1, occurred_at=midnight - timedelta(minutes=1))
    session.flush()

    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(connection, "before_cursor_execute", listener)
    try:
        got = scenarios.ratings(session, [a, b, c, d], since)
    finally:
        event.remove(connection, "before_cursor_execute", listener)
    assert len(statements) == 1  # one grouped query for the whole list

    # A: 4 follow-ups in range (daily, executive, tech, summit), 3 rated: (4 + 5 + 2) / 3 = 3.666… → 3.67.
    #    key: 2 follow-ups, both rated, (4 + 5) / 2 = 4.5; broad: 1, unrated; org: 1, rated 2.
    assert got[a] == ScenarioRatings(
        count=4,
        rated=3,
        mean_quality=3.67,
        by_layer={"key": LayerRatings(2, 2, 4.5), "broad": LayerRatings(1, 0, None), "org": LayerRatings(1, 1, 2.0)},
    )
    assert got[b] == ScenarioRatings(1, 1, 4.0, {"org": LayerRatings(1, 1, 4.0)})
    assert got[c] == ScenarioRatings(0, 0, None, {})  # no follow-ups at all
    assert got[d] == ScenarioRatings(1, 1, 5.0, {"broad": LayerRatings(1, 1, 5.0)})
    assert set(got) == {a, b, c, d}


def test_rollup_of_nothing(session):
    assert scenarios.ratings(session, [], date(2020, 1, 1)) == {}
