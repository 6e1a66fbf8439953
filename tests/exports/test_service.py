"""Exports through the real job runner: contents, headers in both languages, filters, sort, data scope,
formula neutralisation, csv encoding and cancel."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from loam import db
from loam.bgjobs import service as job_service
from loam.config import settings
from loam.errors import Forbidden, Invalid
from loam.exports import service
from loam.kit import customfields
from loam.kit.columns import columns
from loam.kit.i18n import translations
from tests.contacts.factories import make_contact, make_followup, make_lead
from tests.exports.helpers import export_rows, grant_export, read, run
from tests.helpers import make_customer, scope_of

ZH = translations("zh_CN").gettext


def headers(entity: str, zh: bool = True) -> list[str]:
    return [ZH(c.label) if zh else c.label for c in columns(entity) if c.exportable]


def by_id(rows: list[list[object]]) -> dict[object, list[object]]:
    return {int(r[0]): r for r in rows[1:]}  # type: ignore[arg-type]


def keyed(rows: list[list[object]], entity: str, record_id: int, zh: bool = True) -> dict[str, object]:
    """One exported row by catalog key (custom fields by their header)."""
    keys = [c.key for c in columns(entity) if c.exportable]
    assert rows[0][: len(keys)] == headers(entity, zh)
    names = keys + [str(h) for h in rows[0][len(keys) :]]
    return dict(zip(names, by_id(rows)[record_id], strict=True))


def test_customers_xlsx_match_the_list_in_chinese(session, ids) -> None:
    when = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)
    c = make_customer(
        session,
        ids["ar1"],
        "广西河池电信分公司",
        industry="telecom",
        level="key",
        phone="13800138000",
        email="hc@example.com",
        province="广西",
        next_contact_at=when,
    )
    rows = export_rows(session, ids["director"], "customer")
    assert rows[0] == headers("customer")
    row = keyed(rows, "customer", c.id)
    assert row["name"] == "广西河池电信分公司"
    assert row["industry"] == ZH(columns("customer")[2].choices["telecom"])  # type: ignore[index]
    assert row["level"] == ZH("Key customer") and row["deal_status"] == ZH("No deal yet")
    assert row["phone"] == "13800138000" and row["email"] == "hc@example.com"
    assert row["owner"] == "ar1"
    assert row["department"] == "壤土科技有限公司/中国南部地区部/广西代表处/广西电信系统部/南宁客户群一组"
    assert row["next_contact_at"] == datetime(2026, 3, 1, 10, 30)  # a real date cell, in company time
    assert isinstance(row["created_at"], datetime)
    assert row["website"] == "" and row["remark"] == ""  # empty cells are blank


def test_csv_in_english_has_a_bom_crlf_and_text_dates(session, ids, tmp_path) -> None:
    c = make_customer(
        session, ids["ar1"], "柳州移动", level="minor", next_contact_at=datetime(2026, 1, 5, 16, 0, tzinfo=UTC)
    )
    job, path = run(session, ids["director"], "customer", "csv", locale="en")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = read(path)
    assert rows[0] == headers("customer", zh=False)
    row = keyed(rows, "customer", c.id, zh=False)
    assert row["level"] == "Minor customer" and row["owner"] == "ar1"
    assert row["next_contact_at"] == "2026-01-06 00:00:00"
    assert job.result["rows"] == len(rows) - 1
    assert job.result["download_name"].startswith("customers-") and job.result["download_name"].endswith(".csv")


def test_filters_and_sort_are_the_lists(session, ids) -> None:
    make_customer(session, ids["ar1"], "乙公司", level="key")
    make_customer(session, ids["ar1"], "甲公司", level="key")
    make_customer(session, ids["ar1"], "丙公司", level="normal")
    rows = export_rows(session, ids["director"], "customer", "csv", filters={"level": "key"}, sort="-name")
    names = [r[1] for r in rows[1:]]
    assert set(names) == {"甲公司", "乙公司"}
    assert names == sorted(names, reverse=True)


def test_export_obeys_the_creators_data_scope(session, ids) -> None:
    grant_export(session, "ar")
    mine = make_customer(session, ids["ar1"], "ar1 的客户")
    theirs = make_customer(session, ids["ar2"], "ar2 的客户")
    exported = by_id(export_rows(session, ids["ar1"], "customer"))
    assert mine.id in exported and theirs.id not in exported
    assert {mine.id, theirs.id} <= set(by_id(export_rows(session, ids["director"], "customer")))


def test_formula_cells_are_neutralised_but_numbers_stay_numbers(session, ids) -> None:
    customfields.save_definition(
        session,
        customfields.CustomFieldWrite(
            entity="customer", key="credit", label_zh="授信", label_en="Credit", field_type="number"
        ),
    )
    c = make_customer(
        session, ids["ar1"], '=HYPERLINK("http://x")', remark="-1+2", address="@SUM(A1)", custom={"credit": -5}
    )
    for fmt in ("xlsx", "csv"):
        rows = export_rows(session, ids["director"], "customer", fmt)
        row = keyed(rows, "customer", c.id)
        assert row["name"] == '\'=HYPERLINK("http://x")'
        assert row["remark"] == "'-1+2" and row["address"] == "'@SUM(A1)"
        assert row["授信"] == (-5.0 if fmt == "xlsx" else "-5")


def test_contacts_followups_and_leads(session, ids) -> None:
    c = make_customer(session, ids["ar1"], "南宁电信")
    contact = make_contact(session, ids["ar1"], c.id, "周经理", is_decision_maker=True, birthday=date(1980, 2, 3))
    f = make_followup(session, ids["ar1"], "拜访信息中心", customer_id=c.id, kind="call")
    lead = make_lead(session, ids["ar1"], "韩梅梅", company="桂林银行", grade="A")
    row = keyed(export_rows(session, ids["director"], "contact"), "contact", contact.id)
    assert row["customer"] == "南宁电信" and row["is_decision_maker"] == "是" and row["birthday"] == date(1980, 2, 3)
    row = keyed(export_rows(session, ids["director"], "followup", "csv", locale="en"), "followup", f.id, zh=False)
    assert row["customer"] == "南宁电信" and row["kind"] == "Phone call" and row["author"] == "ar1"
    row = keyed(export_rows(session, ids["director"], "lead"), "lead", lead.id)
    grade = ZH(columns("lead")[7].choices["A"])  # type: ignore[index]
    assert row["company"] == "桂林银行" and row["grade"] == grade and row["owner"] == "ar1"


def test_an_empty_export_still_has_its_header(session, ids) -> None:
    for fmt in ("xlsx", "csv"):
        rows = export_rows(session, ids["director"], "customer", fmt, filters={"q": "没有这个客户"})
        assert rows == [headers("customer")]


def test_permissions_and_bad_input_create_nothing(session, ids) -> None:
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(Forbidden):
        service.start_export(session, ar1, "customer", "xlsx")
    director = scope_of(session, ids["director"])
    for entity, fmt, filters, sort in (
        ("customer", "pdf", {}, None),
        ("nothing", "xlsx", {}, None),
        ("customer", "xlsx", {"level": "huge"}, None),
        ("customer", "xlsx", {}, "password"),
    ):
        with pytest.raises(Invalid):
            service.start_export(session, director, entity, fmt, filters, sort)
    assert service.list_exports(session, ar1)[1] == 0 and service.list_exports(session, director)[1] == 0


def test_cancel_stops_the_job_and_leaves_no_file(session, ids, files_dir) -> None:
    for i in range(3):
        make_customer(session, ids["ar1"], f"客户{i}")
    director = scope_of(session, ids["director"])
    job = service.start_export(session, director, "customer", "xlsx")
    session.flush()

    def cancel_on_start(done: int, total: int | None) -> None:
        if done == 0:
            with db.session_scope() as s:
                job_service.cancel(s, director, job.id)

    assert service.run_job(job.id, on_progress=cancel_on_start) == "cancelled"
    session.refresh(job)
    assert job.status == "cancelled" and job.output_file is None
    assert not list(files_dir.glob(f"export-{job.id}-*"))


def test_a_creator_who_lost_the_permission_exports_nothing(session, ids, files_dir) -> None:
    grant_export(session, "ar")
    job = service.start_export(session, scope_of(session, ids["ar1"]), "customer", "csv")
    session.flush()
    from loam.org import service as org_service

    role = org_service.ensure_builtin_roles(session)["ar"]
    permissions, scopes = org_service.grants_by_role(session, [role.id])[role.id]
    org_service.set_role_grants(session, role, permissions - {"data.export"}, scopes)
    session.flush()
    assert service.run_job(job.id) == "failed"
    session.refresh(job)
    assert job.error and job.output_file is None
    assert not list(files_dir.glob(f"export-{job.id}-*"))


def test_company_time_zone(session, ids) -> None:
    assert settings.timezone == "Asia/Shanghai"
    c = make_customer(session, ids["ar1"], "时区客户")
    rows = export_rows(session, ids["director"], "customer", "csv")
    created = keyed(rows, "customer", c.id)["created_at"]
    expected = c.created_at.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M:%S")
    assert created == expected
