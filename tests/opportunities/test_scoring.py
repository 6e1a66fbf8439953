"""The learned win probability on a small data set whose probabilities are worked out by hand below."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from typer.testing import CliRunner

import loam.models  # noqa: F401  (every table in the metadata)
from loam import db
from loam.authz.scope import Scope
from loam.db import Base
from loam.errors import Conflict, Forbidden, NotFound
from loam.kit import audit
from loam.kit.i18n import gettext as _
from loam.opportunities import cli, scoring, service, tasks
from loam.opportunities import scoring_repository as repo
from loam.opportunities.schemas import ScoringSettings
from tests.helpers import scope_of
from tests.opportunities.factories import default_stages, make_opportunity, reason


def configure(session, ids, features, min_closed=4, bands=()):
    model = scoring.settings(session)
    data = ScoringSettings(features=features, amount_bands=list(bands), min_closed=min_closed, version=model.version)
    return scoring.update_settings(session, scope_of(session, ids["director"]), data)


def _opp(session, ids, name, source, path, **fields):
    """An opportunity of ar1 moved along ``path`` (English stage names); lost/invalid take a listed reason."""
    st = default_stages(session)
    ar1 = scope_of(session, ids["ar1"])
    o = make_opportunity(session, ids["ar1"], name, source=source, **fields)
    for name_en in path:
        kind = st[name_en].kind
        extra = {"note": "签约"} if kind == "won" else {}
        if kind in ("lost", "invalid"):
            extra = {"lost_reason_id": reason(session, kind)}
        service.move_to_stage(session, ar1, o.id, st[name_en].id, **extra)
    return o


def data_set(session, ids):
    """Closed: 3 won (referral, referral, website), 3 lost (referral reached Needs analysis; website lost in
    Qualify; website reached Proposal) — plus an invalid and a deleted lost one that must not count. Open: A
    (referral, in Needs analysis), B (website, in Qualify), C (no source, jumped to Negotiation), D (exhibition,
    a value no closed deal had, in Qualify)."""
    _opp(session, ids, "赢一", "referral", ["Needs analysis", "Won"])
    _opp(session, ids, "赢二", "referral", ["Won"])
    _opp(session, ids, "赢三", "website", ["Proposal / quote", "Won"])
    _opp(session, ids, "输一", "referral", ["Needs analysis", "Lost"])
    _opp(session, ids, "输二", "website", ["Lost"])
    _opp(session, ids, "输三", "website", ["Needs analysis", "Proposal / quote", "Lost"])
    _opp(session, ids, "无效", "referral", ["Invalid"])
    deleted = _opp(session, ids, "删掉的输单", "referral", ["Lost"])
    service.delete_(session, Scope.system(), deleted.id)
    return {
        "A": _opp(session, ids, "甲", "referral", ["Needs analysis"]),
        "B": _opp(session, ids, "乙", "website", []),
        "C": _opp(session, ids, "丙", None, ["Negotiation"]),
        "D": _opp(session, ids, "丁", "exhibition", []),
    }


def test_probabilities_match_the_hand_computation(session, ids):
    """W = 3 won, L = 3 lost, prior odds (3+1)/(3+1) = 1.
    source (K = 2 values): referral won 2 lost 1 → (3/5)/(2/5) = 1.5; website won 1 lost 2 → (2/5)/(3/5) = 2/3.
    stages reached (won 3 / lost 3 in the pipeline; P = (n+1)/(3+2)): Qualify 3/3 → 1; Needs analysis 3/2 → 4/3;
    Proposal 3/1 → 2; Negotiation 3/0 → 4.
    A: 1.5 · 1 · 4/3 = 2 → 2/3 = 67 %.   B: 2/3 · 1 → 0.4 = 40 %.
    C: source empty (never seen) skipped; 1 · 4/3 · 2 · 4 = 32/3 → 32/35 = 91.4 % → 91 %.   D: exhibition never seen,
    Qualify ×1 → 50 %."""
    configure(session, ids, ["source", "stages"])
    opp = data_set(session, ids)
    result = scoring.run(session)
    assert (result.status, result.closed, result.won, result.lost, result.scored) == ("ok", 6, 3, 3, 4)
    assert {k: o.computed_probability for k, o in opp.items()} == {"A": 67, "B": 40, "C": 91, "D": 50}
    model = scoring.settings(session)
    assert (model.status, model.closed_count, model.won_count, model.lost_count, model.scored_count) == (
        "ok", 6, 3, 3, 4,
    )  # fmt: skip
    assert model.trained_at == result.trained_at and model.version == 2  # a run does not bump the settings' version


def test_factors_content_and_explanation(session, ids):
    st = default_stages(session)
    configure(session, ids, ["source", "stages"])
    opp = data_set(session, ids)
    scoring.run(session)
    a = opp["A"]
    stored = a.computed_factors
    assert (stored["size"], stored["won"], stored["lost"]) == (6, 3, 3) and stored["trained_at"]
    assert stored["factors"] == [
        {"feature": "source", "value": "referral", "won": 2, "lost": 1, "ratio": 1.5},
        {"feature": "stages", "value": st["Needs analysis"].id, "won": 3, "lost": 2, "ratio": 1.3333},
        {"feature": "stages", "value": st["Qualify"].id, "won": 3, "lost": 3, "ratio": 1.0},
    ]
    c = opp["C"].computed_factors["factors"]
    assert [(f["value"], f["ratio"]) for f in c] == [
        (st["Negotiation"].id, 4.0),
        (st["Proposal / quote"].id, 2.0),
        (st["Needs analysis"].id, 1.3333),
        (st["Qualify"].id, 1.0),
    ]
    explained = scoring.explain(session, scope_of(session, ids["ar1"]), a.id)
    assert explained["computed_probability"] == 67 and explained["note"] is None and explained["size"] == 6
    first = explained["factors"][0]
    assert (first["feature_label"], first["value_label"]) == (_("Source"), _("Referral"))
    assert explained["factors"][1]["value_label"] == "需求分析"
    with pytest.raises(NotFound):
        scoring.explain(session, scope_of(session, ids["ar2"]), a.id)


def test_closed_opportunities_keep_no_score_and_new_ones_wait(session, ids):
    st = default_stages(session)
    configure(session, ids, ["source", "stages"])
    opp = data_set(session, ids)
    scoring.run(session)
    ar1 = scope_of(session, ids["ar1"])
    service.move_to_stage(session, ar1, opp["D"].id, st["Lost"].id, lost_reason_id=reason(session))
    fresh = make_opportunity(session, ids["ar1"], "新来的")
    note = scoring.explain(session, ar1, fresh.id)["note"]
    assert note == _("Not computed yet: this opportunity is newer than the last training.")
    result = scoring.run(session)
    assert (result.won, result.lost, result.scored) == (3, 4, 4)
    assert opp["D"].computed_probability is None and opp["D"].computed_factors is None
    assert fresh.computed_probability is not None
    assert scoring.explain(session, ar1, opp["D"].id)["note"]


def test_nothing_is_computed_below_the_minimum_number_of_closed_deals(session, ids):
    configure(session, ids, ["source", "stages"], min_closed=7)
    opp = data_set(session, ids)
    opp["A"].computed_probability = 12  # a stale score is emptied
    session.flush()
    result = scoring.run(session)
    assert (result.status, result.closed, result.scored) == ("insufficient", 6, 0)
    session.refresh(opp["A"])
    assert opp["A"].computed_probability is None
    model = scoring.settings(session)
    assert (model.status, model.closed_count) == ("insufficient", 6)
    note = scoring.explain(session, scope_of(session, ids["ar1"]), opp["A"].id)["note"]
    assert "6" in note and "7" in note


def test_the_default_minimum_is_twenty_and_needs_won_and_lost(session, ids):
    model = scoring.settings(session)
    assert model.min_closed == 20 and model.status == "never"
    assert model.features == ["industry", "tier", "source", "pipeline", "department", "amount_band", "stages"]
    configure(session, ids, ["source"], min_closed=2)
    for i in range(3):
        _opp(session, ids, f"只有赢单{i}", "referral", ["Won"])
    open_one = _opp(session, ids, "开着的", "referral", [])
    assert scoring.run(session).status == "insufficient"  # no lost deal to compare with
    assert open_one.computed_probability is None


def test_customer_fields_owner_department_and_amount_bands(session, ids):
    """W = 1, L = 1 → prior odds 1. industry (K = 2): telecom won 1 lost 0 → (2/3)/(1/3) = 2; amount band (K = 2):
    "< 2M" won 1 lost 0 → 2; department (K = 1): team 1 won 1 lost 1 → (2/2)/(2/2) = 1.
    Open telecom deal of 1.5M: odds 2 · 2 · 1 = 4 → 4/5 = 80 %."""
    from tests.helpers import make_customer

    configure(session, ids, ["industry", "amount_band", "department"], min_closed=2, bands=["2000000"])
    telecom = make_customer(session, ids["ar1"], "河池电信", industry="telecom")
    gov = make_customer(session, ids["ar1"], "河池政务", industry="government")
    _opp(session, ids, "电信赢", None, ["Won"], customer_id=telecom.id, amount=Decimal("1000000"))
    _opp(session, ids, "政务输", None, ["Lost"], customer_id=gov.id, amount=Decimal("3000000"))
    o = _opp(session, ids, "电信开", None, [], customer_id=telecom.id, amount=Decimal("1500000"))
    scoring.run(session)
    factors = {f["feature"]: f for f in o.computed_factors["factors"]}
    assert factors["industry"] == {"feature": "industry", "value": "telecom", "won": 1, "lost": 0, "ratio": 2.0}
    assert factors["amount_band"] == {
        "feature": "amount_band",
        "value": "-2000000.00",
        "won": 1,
        "lost": 0,
        "ratio": 2.0,
    }
    assert factors["department"]["value"] == ids["team1"] and factors["department"]["ratio"] == 1.0
    assert o.computed_probability == 80
    labels = {f["feature"]: f["value_label"] for f in scoring.explain(session, Scope.system(), o.id)["factors"]}
    assert labels == {"industry": _("Telecom operator"), "amount_band": "< 2,000,000", "department": "南宁客户群一组"}
    assert scoring.band_label("2000000.00-") == "≥ 2,000,000" and scoring.band_label("1.50-3") == "1.50 – 3"


def test_settings_need_pipelines_manage_and_a_fresh_version(session, ids):
    model = scoring.settings(session)
    data = ScoringSettings(features=["source"], amount_bands=[], min_closed=5, version=model.version)
    with pytest.raises(Forbidden):
        scoring.update_settings(session, scope_of(session, ids["ar1"]), data)
    scoring.update_settings(session, scope_of(session, ids["director"]), data)
    assert (model.features, model.min_closed, model.version) == (["source"], 5, 2)
    assert [h.action for h in audit.history(session, "scoring_model", model.id)] == ["update"]
    with pytest.raises(Conflict):
        scoring.update_settings(session, scope_of(session, ids["director"]), data)
    with pytest.raises(ValueError):
        ScoringSettings(features=["shoe_size"], min_closed=5, version=1)
    with pytest.raises(ValueError):
        ScoringSettings(features=["source"], amount_bands=["200", "100"], min_closed=5, version=1)
    with pytest.raises(Forbidden):
        scoring.run_now(session, scope_of(session, ids["ar1"]))
    assert scoring.run_now(session, scope_of(session, ids["director"])).status == "insufficient"


def test_the_daily_task_and_the_cli(session, ids):
    configure(session, ids, ["source", "stages"])
    opp = data_set(session, ids)
    out = tasks.score_opportunities.call_local()
    assert (out["status"], out["closed"], out["won"], out["lost"], out["scored"]) == ("ok", 6, 3, 3, 4)
    session.expire_all()
    assert opp["A"].computed_probability == 67
    r = CliRunner().invoke(cli.app, ["score", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["scored"] == 4
    r = CliRunner().invoke(cli.app, ["score"])
    assert r.exit_code == 0 and "ok: learned from 6 closed (3 won, 3 lost), scored 4 open" in r.output


def test_scores_are_written_back_in_batches(session, ids, monkeypatch):
    monkeypatch.setattr(scoring, "BATCH", 3)
    configure(session, ids, ["source", "stages"])
    opp = data_set(session, ids)
    before = {k: (o.version, o.updated_at) for k, o in opp.items()}
    scoring.run(session)
    assert {k: o.computed_probability for k, o in opp.items()} == {"A": 67, "B": 40, "C": 91, "D": 50}
    assert {k: (o.version, o.updated_at) for k, o in opp.items()} == before  # derived data: no 409, no reorder
    assert len(repo.open_ids(session)) == 4


def test_models_match_the_migration():
    ours = ("opportunity_scoring", "gate_status", "gate_decided_at", "no_competitor", "computed_factors")
    ours += ("gate_amount", "gate_stage_id")
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert [d for d in diffs if any(name in repr(d) for name in ours)] == []
