"""Opportunity and contract lists export like the others: the list's filters and data scope, stage and pipeline
names, amounts as numbers (xlsx) and exact digits (csv), labels in the creator's language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from loam.kit.columns import ENTITY_LABELS, columns
from loam.kit.i18n import translations
from tests.contracts.factories import make_contract
from tests.exports.helpers import export_rows, grant_export
from tests.helpers import make_customer
from tests.opportunities.factories import default_stages, make_opportunity

ZH = translations("zh_CN").gettext


@pytest.fixture(autouse=True)
def _sales_may_export(session) -> None:
    grant_export(session, "ar")


def _row(rows: list[list[object]], entity: str, record_id: int) -> dict[str, object]:
    keys = [c.key for c in columns(entity) if c.exportable]
    assert len(rows[0]) == len(keys)  # no custom fields defined here
    found = [r for r in rows[1:] if int(r[0]) == record_id]  # type: ignore[call-overload]
    assert len(found) == 1
    return dict(zip(keys, found[0], strict=True))


def test_opportunities_export_with_stage_names_amounts_and_scope(session, ids) -> None:
    customer = make_customer(session, ids["ar1"], "广西河池电信分公司")
    mine = make_opportunity(
        session, ids["ar1"], "河池5G承载网", customer.id, amount=Decimal("1234567.89"), expected_close=date(2027, 3, 31)
    )
    other = make_opportunity(session, ids["ar2"], "柳州政务云", amount=Decimal("10.00"))
    rows = export_rows(session, ids["ar1"], "opportunity")
    assert rows[0][:3] == ["编号", ZH("Opportunity"), ZH("Customer")]
    listed = {int(r[0]) for r in rows[1:]}  # type: ignore[call-overload]
    assert mine.id in listed and other.id not in listed  # ar1 sees only their own
    row = _row(rows, "opportunity", mine.id)
    first_stage = default_stages(session)["Qualify"]
    assert row["customer"] == "广西河池电信分公司"
    assert row["stage"] == first_stage.name_zh and row["status"] == ZH("Open")
    assert row["amount"] == 1234567.89 and row["currency"] == "CNY"
    assert row["gate_status"] == ZH("Not submitted")
    director = export_rows(session, ids["director"], "opportunity", "csv", locale="en")
    assert director[0][:3] == ["ID", "Opportunity", "Customer"]
    row = _row(director, "opportunity", mine.id)
    assert row["amount"] == "1234567.89" and row["stage"] == first_stage.name_en and row["status"] == "Open"
    assert row["expected_close"] == "2027-03-31" and row["owner"] == "ar1"


def test_opportunity_export_follows_the_list_filters(session, ids) -> None:
    won_stage = default_stages(session)["Qualify"]
    a = make_opportunity(session, ids["ar1"], "甲项目", amount=Decimal("100"))
    b = make_opportunity(session, ids["ar1"], "乙项目", amount=Decimal("900"))
    rows = export_rows(session, ids["ar1"], "opportunity", filters={"amount_min": "500"})
    listed = {int(r[0]) for r in rows[1:]}  # type: ignore[call-overload]
    assert b.id in listed and a.id not in listed
    rows = export_rows(session, ids["ar1"], "opportunity", filters={"stage_id": won_stage.id, "q": "甲"})
    assert {int(r[0]) for r in rows[1:]} == {a.id}  # type: ignore[call-overload]


def test_contracts_export(session, ids) -> None:
    contract = make_contract(session, ids["ar1"], amount=Decimal("880000.50"), signed_on=date(2026, 11, 2))
    rows = export_rows(session, ids["ar1"], "contract")
    assert ZH(ENTITY_LABELS["contract"]) == "合同"
    row = _row(rows, "contract", contract.id)
    assert row["number"] == contract.number and row["name"] == "河池电信传输网扩容合同"
    assert row["customer"] == "广西河池电信分公司" and row["amount"] == 880000.5
    assert row["status"] == ZH("Draft") and row["signed_on"] is not None
    assert _row(export_rows(session, ids["ar1"], "contract", "csv"), "contract", contract.id)["amount"] == "880000.50"
    assert contract.id not in {int(r[0]) for r in export_rows(session, ids["ar2"], "contract")[1:]}  # type: ignore[call-overload]
