"""The key-relationship score (关键客户关系): 0–100 per contact and per customer, every point explained.

Per contact, with the weights of ``settings["key"]["weights"]`` (defaults 25/30/10/15/10/10; weights are relative:
when an admin makes them add up to something other than 100 they are scaled so the maximum stays 100):

- stage      ``w·(stage − 1)/3`` (S1 earns nothing, S4 everything);
- support    ``w·(support + 2)/4`` (−2 opposes us … +2 strong supporter);
- coach      ``w`` when the contact coaches us;
- recency    ``w·clamp(1 − days_since_last_touch / (2·expected_days), 0, 1)``; never touched earns nothing;
- frequency  ``w·min(1, touches_in_window / (window_days / expected_days))``;
- breadth    ``w·min(1, our_people / breadth_full)``.

A *touch* is a live follow-up (not deleted) linked to the contact (``followup_contacts``) that occurred on or before
``as_of`` (days in company time); the window is the ``frequency_window_days`` days ending on ``as_of``.
``expected_days`` is the profile's own or the default for the contact's level (``key.expected_days``). *Our people*
are the distinct users who wrote or took part in such a follow-up, plus the contact's relationship owners.

The points are whole numbers that add up to the score exactly: each factor's exact value is rounded so that the
total of the rounded points is the rounded total (largest remainder). A departed contact keeps its score (with a
0-point note) but no longer counts for its customer.

Per customer: the mean of its live, non-departed contacts' scores weighted by influence (``key.influence_weights``,
default high 3 / medium 2 / low 1); one point per contact (the ten biggest contributions, the rest together). A
customer without such contacts scores 0 ("no current contacts").

Grades (both levels) are a simple A ≥ 80, B ≥ 60, C ≥ 40, D below; relationship *health* bands are another part's.
Both entry points are set-based: a fixed number of queries per chunk of 500 ids, whatever the number of ids.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from loam.config import settings as app_settings
from loam.kit.i18n import N_
from loam.relationships import profiles_repository as repo
from loam.relationships.profiles_repository import ScoreInput
from loam.relationships.scores import LayerScore, Point, clamp_score, grade_of

GRADES: dict[str, float] = {"A": 80, "B": 60, "C": 40}
LOWEST = "D"
TOP = 10  # contacts explained one by one in a customer's score
FACTORS = ("stage", "support", "coach", "recency", "frequency", "breadth")
DEFAULT_EXPECTED_DAYS = 30

SUPPORT_MSG = {
    2: N_("Strong supporter (+2)"),
    1: N_("Supportive (+1)"),
    0: N_("Neutral towards us (0)"),
    -1: N_("Not supportive (−1)"),
    -2: N_("Opposes us (−2)"),
}
INFLUENCE_MSG = {
    "high": N_("%(name)s: score %(score)s, high influence (weight %(weight)s of %(total)s)"),
    "medium": N_("%(name)s: score %(score)s, medium influence (weight %(weight)s of %(total)s)"),
    "low": N_("%(name)s: score %(score)s, low influence (weight %(weight)s of %(total)s)"),
}


def _tz() -> ZoneInfo:
    return ZoneInfo(app_settings.timezone)


def today() -> date:
    """Today in the company's time zone."""
    return datetime.now(_tz()).date()


def local_date(moment: datetime) -> date:
    """The company-time day of an instant."""
    return moment.astimezone(_tz()).date()


def bounds(as_of: date, window_days: int) -> tuple[datetime, datetime]:
    """(start, end) of the frequency window as instants: from the start of day ``as_of − window_days + 1`` to the
    end of day ``as_of`` (exclusive), in company time."""
    tz = _tz()
    start = datetime.combine(as_of - timedelta(days=window_days - 1), time(0), tz)
    end = datetime.combine(as_of + timedelta(days=1), time(0), tz)
    return start, end


def expected_days(key: dict[str, Any], level: str, own: int | None) -> int:
    """The expected days between touches: the profile's own, else the default for the contact's level."""
    if own:
        return int(own)
    return int(key.get("expected_days", {}).get(level) or DEFAULT_EXPECTED_DAYS)


def allocate(values: Sequence[float], total: int) -> list[int]:
    """Whole numbers, one per value, that add up to ``total``: floors, then +1 to the largest remainders."""
    floors = [math.floor(v + 1e-9) for v in values]
    short = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(values[i] - floors[i]), i))
    for i in order[: max(0, short)]:
        floors[i] += 1
    return floors


def _num(x: float) -> float | int:
    """A weight as the page shows it: 3 rather than 3.0."""
    return int(x) if float(x).is_integer() else round(x, 2)


def _weights(key: dict[str, Any]) -> dict[str, float]:
    raw = {f: float(key.get("weights", {}).get(f, 0) or 0) for f in FACTORS}
    total = sum(raw.values())
    scale = 100 / total if total > 0 else 0
    return {f: v * scale for f, v in raw.items()}


def _target(window: int, expected: int) -> str:
    return f"{window / expected:.1f}".removesuffix(".0")


def _recency(inp: ScoreInput, expected: int, as_of: date) -> tuple[float, str, dict[str, Any]]:
    if inp.last_touch is None:
        return 0.0, N_("Never touched: no follow-up with them yet"), {"expected": expected}
    days = max(0, (as_of - local_date(inp.last_touch)).days)
    factor = min(1.0, max(0.0, 1 - days / (2 * expected)))
    params = {"days": days, "expected": expected}
    if days == 0:
        return factor, N_("Touched today (expected every %(expected)s days)"), params
    if days == 1:
        return factor, N_("Last touch yesterday (expected every %(expected)s days)"), params
    if days <= expected:
        return factor, N_("Last touch %(days)s days ago (expected every %(expected)s days)"), params
    return factor, N_("No touch in %(days)s days (expected every %(expected)s days)"), params


def _frequency(inp: ScoreInput, expected: int, window: int) -> tuple[float, str, dict[str, Any]]:
    factor = min(1.0, inp.touches / (window / expected))
    params = {"count": inp.touches, "window": window, "target": _target(window, expected)}
    if inp.touches == 0:
        return factor, N_("No touch in the last %(window)s days (%(target)s expected)"), params
    if inp.touches == 1:
        return factor, N_("Met once in %(window)s days (%(target)s expected)"), params
    return factor, N_("Met %(count)s times in %(window)s days (%(target)s expected)"), params


def _breadth(inp: ScoreInput, full: int) -> tuple[float, str, dict[str, Any]]:
    factor = min(1.0, inp.people / full)
    params = {"count": inp.people, "full": full}
    if inp.people == 0:
        return factor, N_("Nobody on our side knows them yet"), params
    if inp.people == 1:
        return factor, N_("Only one of our people knows them: a single thread (%(full)s for full points)"), params
    return factor, N_("%(count)s of our people know them (%(full)s for full points)"), params


@dataclass(frozen=True)
class Method:
    """The settings a batch of scores is computed with, read once (weights scaled to 100, their display maxima)."""

    key: dict[str, Any]
    weights: dict[str, float]
    maxima: dict[str, float | int]
    window: int
    full: int
    as_of: date

    @classmethod
    def of(cls, settings: dict[str, Any], as_of: date) -> Method:
        key = settings["key"]
        w = _weights(key)
        window = int(key.get("frequency_window_days") or 90)
        full = max(1, int(key.get("breadth_full") or 1))
        return cls(key, w, {f: _num(round(v, 2)) for f, v in w.items()}, window, full, as_of)


def score_contact(inp: ScoreInput, settings: dict[str, Any] | Method, as_of: date) -> LayerScore:
    """One contact's score from its inputs (pure: no database)."""
    m = settings if isinstance(settings, Method) else Method.of(settings, as_of)
    expected = expected_days(m.key, inp.level, inp.expected_days)
    coach: tuple[float, str, dict[str, Any]] = (
        (1.0, N_("Coaches us on their decision process"), {}) if inp.coach else (0.0, N_("Not a coach"), {})
    )
    parts: list[tuple[str, tuple[float, str, dict[str, Any]]]] = [
        ("stage", ((inp.stage - 1) / 3, N_("Relationship stage S%(stage)s of S4"), {"stage": inp.stage})),
        ("support", ((inp.support + 2) / 4, SUPPORT_MSG.get(inp.support, SUPPORT_MSG[0]), {})),
        ("coach", coach),
        ("recency", _recency(inp, expected, as_of)),
        ("frequency", _frequency(inp, expected, m.window)),
        ("breadth", _breadth(inp, m.full)),
    ]
    exact = [m.weights[f] * factor for f, (factor, _m, _p) in parts]
    score = clamp_score(sum(exact))
    whole = allocate(exact, score)
    points = [
        Point(n, msgid, {**params, "factor": f, "max": m.maxima[f]})
        for n, (f, (_x, msgid, params)) in zip(whole, parts, strict=True)
    ]
    if inp.departed_on is not None and inp.departed_on <= as_of:
        note = N_("Left the customer on %(date)s: no longer counted for the customer")
        points.append(Point(0, note, {"date": inp.departed_on.isoformat()}))
    details = {
        "stage": inp.stage,
        "support": inp.support,
        "coach": inp.coach,
        "influence": inp.influence,
        "expected_days": expected,
        "last_touch": local_date(inp.last_touch).isoformat() if inp.last_touch else None,
        "touches": inp.touches,
        "window_days": m.window,
        "people": inp.people,
        "departed_on": inp.departed_on.isoformat() if inp.departed_on else None,
    }
    return LayerScore(score, grade_of(score, GRADES, LOWEST), points, details)


def _inputs(session: Session, by: repo.By, ids: Sequence[int], settings: dict[str, Any], as_of: date) -> list[Any]:
    window = int(settings["key"].get("frequency_window_days") or 90)
    start, end = bounds(as_of, window)
    return repo.score_inputs(session, by, ids, start, end)


def contact_scores(
    session: Session, contact_ids: list[int], settings: dict[str, Any], as_of: date
) -> dict[int, LayerScore]:
    """The score of each live contact in ``contact_ids`` on ``as_of`` (deleted or unknown ids are left out)."""
    if not contact_ids:
        return {}
    inputs = _inputs(session, "contact", contact_ids, settings, as_of)
    method = Method.of(settings, as_of)
    return {i.contact_id: score_contact(i, method, as_of) for i in inputs}


def customer_score(
    contacts: Sequence[tuple[ScoreInput, LayerScore]], settings: dict[str, Any], as_of: date
) -> LayerScore:
    """A customer's score from its contacts' inputs and scores (pure); departed contacts are left out."""
    current = [(i, s) for i, s in contacts if i.departed_on is None or i.departed_on > as_of]
    if not current:
        note = N_("No current contacts (none recorded, or all have left)")
        return LayerScore(0, grade_of(0, GRADES, LOWEST), [Point(0, note, {})], {"contacts": [], "count": 0})
    iw = settings["key"].get("influence_weights") or {}
    weights = [float(iw.get(i.influence, iw.get("medium", 1)) or 0) for i, _s in current]
    if sum(weights) <= 0:
        weights = [1.0] * len(current)
    total_w = sum(weights)
    rows = sorted(
        zip(current, weights, strict=True), key=lambda r: (-r[0][1].score * r[1], -r[0][1].score, r[0][0].name)
    )
    exact = [s.score * w / total_w for (_i, s), w in rows]
    score = clamp_score(sum(exact))
    shown, rest = rows[:TOP], rows[TOP:]
    values = exact[:TOP] + ([sum(exact[TOP:])] if rest else [])
    whole = allocate(values, score)
    points = []
    for n, ((i, s), w) in zip(whole, shown, strict=False):
        msgid = INFLUENCE_MSG.get(i.influence, INFLUENCE_MSG["medium"])
        params = {"name": i.name, "score": s.score, "weight": _num(w), "total": _num(total_w)}
        params["contact_id"] = i.contact_id
        points.append(Point(n, msgid, params))
    if rest:
        params = {"count": len(rest), "weight": _num(sum(w for _r, w in rest)), "total": _num(total_w)}
        points.append(Point(whole[-1], N_("%(count)s more contacts (weight %(weight)s of %(total)s)"), params))
    best = sorted(current, key=lambda r: (-r[1].score, r[0].name))[:TOP]
    listed = [{"id": i.contact_id, "name": i.name, "score": s.score} for i, s in best]
    details = {"contacts": listed, "count": len(current)}
    return LayerScore(score, grade_of(score, GRADES, LOWEST), points, details)


def breakdown(
    session: Session, customer_ids: list[int], settings: dict[str, Any], as_of: date
) -> tuple[dict[int, LayerScore], dict[int, tuple[ScoreInput, LayerScore]]]:
    """Each customer's score, and each of their live contacts' inputs and score (departed ones included)."""
    by_customer: dict[int, list[tuple[ScoreInput, LayerScore]]] = {c: [] for c in customer_ids}
    contacts: dict[int, tuple[ScoreInput, LayerScore]] = {}
    method = Method.of(settings, as_of)
    for inp in _inputs(session, "customer", customer_ids, settings, as_of) if customer_ids else []:
        pair = (inp, score_contact(inp, method, as_of))
        contacts[inp.contact_id] = pair
        by_customer.setdefault(inp.customer_id, []).append(pair)
    return {c: customer_score(rows, settings, as_of) for c, rows in by_customer.items()}, contacts


def customer_scores(
    session: Session, customer_ids: list[int], settings: dict[str, Any], as_of: date
) -> dict[int, LayerScore]:
    """The key-relationship score of each customer in ``customer_ids`` on ``as_of`` (see the module docstring)."""
    return breakdown(session, customer_ids, settings, as_of)[0]
