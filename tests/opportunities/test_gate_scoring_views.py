"""Pages of the major-opportunity gate (立项) and of the learned win probability."""

from __future__ import annotations

import re

from loam.approvals import service as approval_service
from loam.opportunities import pipelines, scoring
from tests.helpers import login, post_form
from tests.opportunities.factories import default_stages, make_opportunity
from tests.opportunities.test_gate import big_opportunity, ready_opportunity
from tests.opportunities.test_scoring import configure, data_set


def _inputs(html):
    return dict(re.findall(r'data-testid="gate-input-(\w+)" data-ok="(true|false)"', html))


def test_the_gate_panel_submit_and_the_approval_panel(session, ids):
    st = default_stages(session)
    o = big_opportunity(session, ids)
    c = login("ar1")
    page = c.get(f"/opportunities/{o.id}")
    assert (
        page.status_code == 200
        and 'data-testid="gate-panel"' in page.text
        and 'data-testid="gate-required"' in page.text
    )
    assert _inputs(page.text) == {"amount": "true", "expected_close": "false", "decision_maker": "false",
                                  "competition": "false", "products": "false", "power_map": "false"}  # fmt: skip
    assert re.search(r'data-testid="gate-submit" disabled', page.text) and 'data-testid="gate-not-ready"' in page.text
    r = post_form(c, f"/opportunities/{o.id}/gate/submit", {"comment": "试试"})
    assert r.status_code == 409 and 'data-testid="action-error"' in r.text
    r = post_form(c, f"/opportunities/{o.id}/gate/inputs", {"no_competitor": "true"})
    assert r.status_code == 303 and r.headers["location"].endswith(f"/opportunities/{o.id}#gate")
    assert _inputs(c.get(f"/opportunities/{o.id}").text)["competition"] == "true"
    r = post_form(c, f"/opportunities/{o.id}/move", {"stage_id": st["Proposal / quote"].id})
    assert r.status_code == 409 and "5,000,000.00 CNY" in r.text
    ready = ready_opportunity(session, ids, "页面立项")
    page = c.get(f"/opportunities/{ready.id}")
    assert set(_inputs(page.text).values()) == {"true"} and re.search(r'data-testid="gate-submit"\s', page.text)
    assert 'data-testid="approval-panel"' not in page.text
    r = post_form(c, f"/opportunities/{ready.id}/gate/submit", {"comment": "请王总审批"})
    assert r.status_code == 303, r.text
    page = c.get(f"/opportunities/{ready.id}")
    assert 'data-status="pending"' in page.text and 'data-testid="approval-panel"' in page.text
    assert 'data-testid="gate-submit-form"' not in page.text
    director = login("director")
    page = director.get(f"/opportunities/{ready.id}")
    assert 'data-testid="approval-actions"' in page.text  # the approver acts from the opportunity page
    instance = approval_service.pending(session, "opportunity", ready.id)
    r = post_form(
        director, f"/approvals/{instance.id}/approve", {"comment": "同意", "next": f"/opportunities/{ready.id}"}
    )
    assert r.status_code == 303
    assert 'data-status="approved"' in c.get(f"/opportunities/{ready.id}").text


def test_gate_forms_need_write_access(session, ids):
    o = ready_opportunity(session, ids, "别人的立项")
    c = login("ar2")
    assert post_form(c, f"/opportunities/{o.id}/gate/submit", {}).status_code == 404
    assert post_form(c, f"/opportunities/{o.id}/gate/inputs", {"no_competitor": "true"}).status_code == 404
    director = login("director")
    assert 'data-testid="gate-submit-form"' in director.get(f"/opportunities/{o.id}").text


def test_small_opportunity_shows_the_gate_as_not_required(session, ids):
    o = make_opportunity(session, ids["ar1"], "小单")
    page = login("ar1").get(f"/opportunities/{o.id}")
    assert 'data-testid="gate-not-required"' in page.text and 'data-testid="gate-submit-form"' not in page.text
    assert 'data-testid="probability-note"' in page.text


def _gate_badge(html, o):
    found = re.search(rf'data-testid="gate-badge-{o.id}" data-status="(\w+)"', html)
    return found.group(1) if found else None


def test_kanban_cards_and_list_rows_show_the_project_approval_state(session, ids):
    small = make_opportunity(session, ids["ar1"], "小单看板")
    big = big_opportunity(session, ids)
    ready = ready_opportunity(session, ids, "看板立项")
    c = login("ar1")
    assert post_form(c, f"/opportunities/{ready.id}/gate/submit", {"comment": "请审批"}).status_code == 303
    for url in ("/opportunities/kanban", "/opportunities"):
        html = c.get(url).text
        assert _gate_badge(html, small) is None, url  # below the gate amount: nothing to show
        assert _gate_badge(html, big) == "none" and "需立项审批" in html, url
        assert _gate_badge(html, ready) == "pending", url
    pipeline = pipelines.get_pipeline(session, big.pipeline_id)
    pipeline.gate_stage_id = None  # a pipeline without a gate: an unsubmitted big deal needs nothing
    session.flush()
    html = c.get("/opportunities/kanban").text
    assert _gate_badge(html, big) is None and _gate_badge(html, ready) == "pending"


def test_pipeline_page_gate_settings(session, ids):
    st = default_stages(session)
    pipeline = pipelines.get_pipeline(session, st["Qualify"].pipeline_id)
    c = login("director")
    page = c.get(f"/opportunities/pipelines/{pipeline.id}")
    assert page.status_code == 200 and 'data-testid="pipeline-gate"' in page.text
    assert re.search(rf'<option value="{st["Needs analysis"].id}" selected>', page.text)
    form = {"gate_amount": "3000000", "gate_stage_id": str(st["Negotiation"].id), "version": str(pipeline.version)}
    assert post_form(login("ar1"), f"/opportunities/pipelines/{pipeline.id}/gate", form).status_code == 403
    r = post_form(c, f"/opportunities/pipelines/{pipeline.id}/gate", form)
    assert r.status_code == 303, r.text
    session.refresh(pipeline)
    assert (str(pipeline.gate_amount), pipeline.gate_stage_id) == ("3000000.00", st["Negotiation"].id)
    r = post_form(c, f"/opportunities/pipelines/{pipeline.id}/gate", form)  # stale version
    assert r.status_code == 409 and 'data-testid="form-error"' in r.text
    bad = form | {"gate_amount": "lots", "version": str(pipeline.version)}
    assert post_form(c, f"/opportunities/pipelines/{pipeline.id}/gate", bad).status_code == 422
    off = form | {"gate_stage_id": "", "version": str(pipeline.version)}
    assert post_form(c, f"/opportunities/pipelines/{pipeline.id}/gate", off).status_code == 303
    session.refresh(pipeline)
    assert pipeline.gate_stage_id is None


def test_probability_model_page_settings_and_recompute(session, ids):
    c = login("director")
    assert 'data-testid="scoring-link"' in c.get("/opportunities/pipelines").text
    page = c.get("/opportunities/pipelines/scoring")
    assert page.status_code == 200 and 'data-testid="scoring-settings"' in page.text
    assert 'id="feature-industry" checked' in page.text and 'id="feature-owner" checked' not in page.text
    assert login("ar1").get("/opportunities/pipelines/scoring").status_code == 403
    assert post_form(login("ar1"), "/opportunities/pipelines/scoring/run").status_code == 403
    form = {
        "features[]": ["source", "stages"],
        "amount_bands_text": "200000, 2000000",
        "min_closed": "4",
        "version": "1",
    }
    r = post_form(c, "/opportunities/pipelines/scoring", form)
    assert r.status_code == 303, r.text
    model = scoring.settings(session)
    session.refresh(model)
    assert (model.features, model.amount_bands, model.min_closed) == (
        ["source", "stages"],
        ["200000.00", "2000000.00"],
        4,
    )
    assert post_form(c, "/opportunities/pipelines/scoring", form).status_code == 409  # stale
    bad = form | {"amount_bands_text": "9, 3", "version": str(model.version)}
    r = post_form(c, "/opportunities/pipelines/scoring", bad)
    assert r.status_code == 422 and 'data-testid="form-error"' in r.text
    assert (
        post_form(c, "/opportunities/pipelines/scoring", form | {"features[]": [], "version": "2"}).status_code == 422
    )
    opp = data_set(session, ids)
    r = post_form(c, "/opportunities/pipelines/scoring/run")
    assert r.status_code == 303
    page = c.get("/opportunities/pipelines/scoring")
    assert 'data-testid="scoring-scored">4<' in page.text
    detail = login("ar1").get(f"/opportunities/{opp['A'].id}")
    assert 'data-testid="probability-value">67 %' in detail.text
    assert "×1.5" in detail.text and "×1.3" in detail.text and 'data-testid="probability-factors"' in detail.text


def test_probability_note_below_the_minimum(session, ids):
    configure(session, ids, ["source"], min_closed=50)
    o = make_opportunity(session, ids["ar1"], "样本不足")
    post_form(login("director"), "/opportunities/pipelines/scoring/run")
    page = login("ar1").get(f"/opportunities/{o.id}")
    note = re.search(r'data-testid="probability-note">([^<]+)<', page.text)
    assert note and "50" in note.group(1)
