"""An export re-imports with no changes (xlsx and csv, zh_CN and en headers), and a changed cell in an
exported file updates exactly that record."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from loam.contacts import service as contact_service
from loam.contacts.schemas import ContactCreate
from loam.customers.models import Customer
from loam.kit import customfields
from tests.exports.helpers import run as export
from tests.helpers import make_customer, scope_of
from tests.imports.factory import counts, run_import


def _seed(session, ids):  # type: ignore[no-untyped-def]
    customfields.save_definition(
        session,
        customfields.CustomFieldWrite(
            entity="customer",
            key="tags",
            label_zh="标签",
            label_en="Tags",
            field_type="multiselect",
            choices=["运营商", "政企"],
        ),
    )
    customfields.save_definition(
        session,
        customfields.CustomFieldWrite(
            entity="customer", key="vip", label_zh="贵宾", label_en="VIP", field_type="boolean"
        ),
    )
    a = make_customer(
        session,
        ids["ar1"],
        "广西河池电信分公司",
        phone="13800138000",
        email="hc@example.com",
        level="key",
        industry="telecom",
        source="referral",
        province="广西",
        city="河池",
        remark="=SUM(A1)",
        custom={"tags": ["运营商", "政企"], "vip": True},
    )
    make_customer(session, ids["ar1"], "南宁供电局", tier="S", custom={"vip": False})
    make_customer(session, ids["ar1"], "-负号开头的客户")
    contact_service.create(
        session,
        scope_of(session, ids["ar1"]),
        ContactCreate(customer_id=a.id, name="李四", level="executive", is_decision_maker=True),
    )
    session.flush()


@pytest.mark.parametrize(("file_format", "locale"), [("xlsx", "zh_CN"), ("csv", "en")])
def test_an_export_reimports_with_no_changes(session, ids, file_format, locale) -> None:
    _seed(session, ids)
    before = session.scalar(select(func.count()).select_from(Customer))
    _job, path = export(session, ids["director"], "customer", file_format, locale=locale)
    scope = scope_of(session, ids["director"])
    for policy in ("skip", "update"):
        job = run_import(session, scope, "customer", content=path.read_bytes(), filename=path.name, policy=policy)
        c = counts(job)
        assert (c["new"], c["updated"], c["failed"]) == (0, 0, 0), job.result["first_errors"]
        assert c["skipped"] == c["read"] > 0
    assert session.scalar(select(func.count()).select_from(Customer)) == before
    _job, contacts = export(session, ids["director"], "contact", file_format, locale=locale)
    job = run_import(session, scope, "contact", content=contacts.read_bytes(), filename=contacts.name, policy="update")
    assert counts(job)["skipped"] == counts(job)["read"] > 0 and counts(job)["failed"] == 0, job.result["first_errors"]


def test_an_edited_export_updates_only_the_changed_record(session, ids, tmp_path) -> None:
    import csv

    _seed(session, ids)
    _job, path = export(session, ids["director"], "customer", "csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    header = rows[0]
    city = header.index("城市")
    target = next(r for r in rows[1:] if r[header.index("客户名称")] == "南宁供电局")
    target[city] = "南宁"
    edited = tmp_path / "edited.csv"
    with edited.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    job = run_import(
        session,
        scope_of(session, ids["director"]),
        "customer",
        content=edited.read_bytes(),
        filename="edited.csv",
        policy="update",
    )
    c = counts(job)
    assert (c["updated"], c["new"], c["failed"]) == (1, 0, 0) and c["skipped"] == c["read"] - 1
    assert session.scalars(select(Customer).where(Customer.name == "南宁供电局")).one().city == "南宁"
