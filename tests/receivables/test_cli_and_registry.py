"""`loam receivables ...`, the approval document type, and the recycle bin page for the three entities."""

from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from loam.approvals import registry
from loam.receivables import cli, dates
from tests.helpers import login
from tests.receivables.factories import D, make_contract, make_plan, make_receipt


def _overdue_deal(session, ids):
    c = make_contract(session, ids["ar1"], "1000.00")
    make_plan(session, ids["ar1"], c.id, dates.today() - timedelta(days=40), "300.00")
    make_plan(session, ids["ar1"], c.id, dates.today() - timedelta(days=5), "200.00")
    make_plan(session, ids["ar1"], c.id, dates.today() + timedelta(days=5), "100.00")
    return c


def test_cli_overdue_and_ageing(session, ids):
    c = _overdue_deal(session, ids)
    runner = CliRunner()
    r = runner.invoke(cli.app, ["overdue", "--json", "--as", "ar1"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [(x["contract"], x["outstanding"]) for x in rows] == [(c.number, "300.00"), (c.number, "200.00")]
    assert json.loads(runner.invoke(cli.app, ["overdue", "--json", "--as", "ar2"]).output) == []
    assert "nothing overdue" in runner.invoke(cli.app, ["overdue", "--as", "ar2"]).output
    assert c.number in runner.invoke(cli.app, ["overdue"]).output  # the only administrator
    r = runner.invoke(cli.app, ["ageing", "--json", "--as", "ar1"])
    report = json.loads(r.output)
    assert [(b["bucket"], b["count"], b["amount"]) for b in report["buckets"]] == [
        ("0-30", 1, "200.00"),
        ("31-60", 1, "300.00"),
        ("61-90", 0, "0.00"),
        ("90+", 0, "0.00"),
    ]
    past = json.loads(runner.invoke(cli.app, ["ageing", "--json", "--as-of", "2000-01-01"]).output)
    assert past["count"] == 0 and past["as_of"] == "2000-01-01"
    assert "500.00" in runner.invoke(cli.app, ["ageing", "--as", "ar1"]).output
    assert runner.invoke(cli.app, ["ageing", "--as", "nobody"]).exit_code == 1
    assert runner.invoke(cli.app, ["ageing", "--as-of", "yesterday"]).exit_code != 0


def test_cli_notify_overdue(session, ids):
    _overdue_deal(session, ids)
    runner = CliRunner()
    r = runner.invoke(cli.app, ["notify-overdue", "--json"])
    assert r.exit_code == 0 and json.loads(r.output) == {"checked": 2, "notified": 2}
    assert "notified: 0" in runner.invoke(cli.app, ["notify-overdue"]).output
    assert runner.invoke(cli.app, ["notify-overdue", "--as", "ar1"]).exit_code == 1  # needs receivables.update


def test_root_cli_has_the_receivables_command():
    from loam.cli import app

    r = CliRunner().invoke(app, ["receivables", "--help"])
    assert r.exit_code == 0 and "overdue" in r.output and "ageing" in r.output


def test_the_receipt_is_an_approval_document_type(session, ids):
    doc = registry.get("receivable")
    assert doc is not None and doc.fields == {"amount": "decimal", "method": "str"}
    assert doc.route == ("receivables:detail", "receivable_id")
    c = make_contract(session, ids["ar1"], "1000.00")
    r = make_receipt(session, ids["ar1"], c.id, "123.45", method="cash")
    loaded = doc.load(session, r.id)
    assert doc.values(loaded) == {"amount": D("123.45"), "method": "cash"}
    assert c.number in doc.describe(loaded) and "123.45" in doc.describe(loaded)
    assert doc.owner_id(loaded) == ids["ar1"]
    assert doc.load(session, 999_999) is None


def test_recycle_bin_page_shows_receivables(session, ids):
    from loam.authz.scope import Scope
    from loam.receivables import invoices, plans, service

    c = make_contract(session, ids["ar1"], "1000.00")
    p = make_plan(session, ids["ar1"], c.id, dates.today(), "100.00")
    r = make_receipt(session, ids["ar1"], c.id, "50.00")
    plans_before = p.id
    service.delete_(session, Scope.system(), r.id)
    session.flush()
    plans.delete_(session, Scope.system(), plans_before)
    session.flush()
    web = login("director")
    for entity, rid in (("receivable_plan", p.id), ("receivable", r.id)):
        page = web.get("/recycle", params={"entity": entity})
        assert (
            page.status_code == 200 and f'data-testid="recycle-{entity}-{rid}"' in page.text and c.number in page.text
        )
    assert web.get("/recycle", params={"entity": "invoice"}).status_code == 200
    assert invoices.list_deleted(session, Scope.system())[1] == 0
