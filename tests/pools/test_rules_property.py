"""Property tests of the pool return decision (loam.pools.rules.decide): invariants over random facts and rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from loam.pools.rules import LEVELS, Facts, Rule, decide, return_time

BASE = datetime(2025, 1, 1, tzinfo=UTC)
moments = st.integers(min_value=0, max_value=2000 * 24).map(lambda h: BASE + timedelta(hours=h))
opt_moments = st.none() | moments
days = st.none() | st.integers(min_value=1, max_value=400)
level_days = st.none() | st.integers(min_value=0, max_value=400)
level_rules = st.dictionaries(
    st.sampled_from(LEVELS),
    st.fixed_dictionaries({"no_followup_days": level_days, "no_deal_days": level_days}),
    max_size=3,
)
rules = st.builds(
    Rule,
    no_followup_days=days,
    no_deal_days=days,
    level_rules=level_rules,
    exempt_closed=st.booleans(),
    warn_days=st.integers(min_value=0, max_value=30),
)
facts = st.builds(
    Facts,
    owner_since=opt_moments,
    last_followup_at=opt_moments,
    level=st.sampled_from(LEVELS),
    locked=st.booleans(),
    closed=st.booleans(),
)


@given(facts, rules, moments)
def test_locked_never_returns(f: Facts, rule: Rule, now: datetime) -> None:
    d = decide(Facts(f.owner_since, f.last_followup_at, f.level, True, f.closed), rule, now)
    assert d.return_at is None and not d.due and not d.warn


@given(facts, rules, moments)
def test_closed_never_returns_when_exempt(f: Facts, rule: Rule, now: datetime) -> None:
    exempt = Rule(rule.no_followup_days, rule.no_deal_days, rule.level_rules, True, rule.warn_days)
    d = decide(Facts(f.owner_since, f.last_followup_at, f.level, f.locked, True), exempt, now)
    assert d.return_at is None and not d.due and not d.warn


@given(facts, rules, moments, moments)
def test_return_at_is_monotonic_in_last_followup(f: Facts, rule: Rule, a: datetime, b: datetime) -> None:
    early, late = min(a, b), max(a, b)
    r_early, _ = return_time(Facts(f.owner_since, early, f.level, f.locked, f.closed), rule)
    r_late, _ = return_time(Facts(f.owner_since, late, f.level, f.locked, f.closed), rule)
    assert (r_early is None) == (r_late is None)  # a follow-up never switches a rule on or off
    if r_early is not None and r_late is not None:
        assert r_late >= r_early


@given(facts, rules, moments)
def test_never_returns_before_its_days(f: Facts, rule: Rule, now: datetime) -> None:
    d = decide(f, rule, now)
    followup_days, deal_days = rule.days(f.level)
    if d.return_at is None:
        return
    assert f.owner_since is not None or f.last_followup_at is not None
    shortest = min(x for x in (followup_days, deal_days) if x)
    start = f.owner_since or f.last_followup_at
    assert start is not None
    assert d.return_at >= start + timedelta(days=shortest)
    if d.cause == "no_followup":
        latest = max(x for x in (f.owner_since, f.last_followup_at) if x is not None)
        assert d.return_at == latest + timedelta(days=followup_days or 0)
    if d.due:
        assert now >= d.return_at


@given(facts, rules, moments)
def test_warning_only_inside_the_window(f: Facts, rule: Rule, now: datetime) -> None:
    d = decide(f, rule, now)
    if d.warn:
        assert d.return_at is not None and not d.due
        assert d.return_at - timedelta(days=rule.warn_days) <= now < d.return_at
    if d.return_at is not None and rule.warn_days > 0:
        inside = d.return_at - timedelta(days=rule.warn_days) <= now < d.return_at
        assert d.warn == inside
    assert not (d.warn and d.due)


@given(facts, rules, moments)
def test_cutoff_is_a_safe_prefilter(f: Facts, rule: Rule, now: datetime) -> None:
    """A customer held since after the SQL cutoff is never due nor warned (so skipping it loses nothing)."""
    cutoff = rule.cutoff(now)
    d = decide(f, rule, now)
    if cutoff is None:
        assert d.return_at is None
    elif f.owner_since is not None and f.owner_since > cutoff:
        assert not d.due and not d.warn


def test_level_overrides_and_zero_switches_a_rule_off() -> None:
    rule = Rule(
        no_followup_days=30,
        no_deal_days=90,
        level_rules={"key": {"no_followup_days": 0}, "minor": {"no_deal_days": 10}},
    )
    assert rule.days("normal") == (30, 90)
    assert rule.days("key") == (None, 90)
    assert rule.days("minor") == (30, 10)
    assert rule.shortest() == 10
