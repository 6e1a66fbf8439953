"""The importer's rules through the real service: counts, dedup and policies, scope, custom fields,
entities, dry run, cancel and the error file."""

from __future__ import annotations

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from loam.bgjobs import service as job_service
from loam.contacts.models import Contact
from loam.customers.models import Customer
from loam.errors import Forbidden, Invalid
from loam.imports import service
from loam.kit import audit, customfields
from loam.leads.models import Lead
from tests.helpers import make_customer, scope_of
from tests.imports.factory import counts, run_import

HEADER = ["客户名称", "电话", "邮箱", "客户级别", "负责人", "省份"]


def _customers(session, **where):  # type: ignore[no-untyped-def]
    stmt = select(Customer).where(Customer.deleted_at.is_(None))
    for k, v in where.items():
        stmt = stmt.where(getattr(Customer, k) == v)
    return list(session.scalars(stmt))


def test_import_counts_add_up_and_good_rows_land(session, ids) -> None:
    scope = scope_of(session, ids["director"])
    rows = [
        HEADER,
        ["广西河池电信分公司", "138-0013-8000", "HC@Example.com", "重点客户", "ar1", "广西"],
        ["南宁供电局", "", "", "Normal customer", "", ""],
        ["", "13900000000", "", "", "", ""],  # no name
        ["柳州移动", "", "not-an-email", "", "", ""],
        ["桂林银行", "", "", "最重要", "", ""],  # not a level
    ]
    job = run_import(session, scope, "customer", rows)
    assert job.status == "done"
    assert counts(job) == {"read": 5, "new": 2, "updated": 0, "skipped": 0, "failed": 3}
    hc = _customers(session, name="广西河池电信分公司")[0]
    assert (hc.phone_norm, hc.level, hc.owner_id, hc.province) == ("+8613800138000", "key", ids["ar1"], "广西")
    assert hc.created_by == ids["director"]
    nn = _customers(session, name="南宁供电局")[0]
    assert (nn.level, nn.owner_id) == ("normal", ids["director"])
    assert not _customers(session, name="柳州移动") and not _customers(session, name="桂林银行")
    errors = dict(job.result["first_errors"])
    assert set(errors) == {4, 5, 6}
    assert "not-an-email" in errors[5]
    assert [a.action for a in audit.history(session, "customer", hc.id)] == ["import"]


def test_dedup_against_existing_and_within_file_with_each_policy(session, ids) -> None:
    scope = scope_of(session, ids["ar1"])
    existing = make_customer(session, ids["ar1"], "广西河池电信有限公司", phone="13800138000")
    rows = [
        ["客户名称", "电话", "城市"],
        ["广西河池电信", "", "河池"],  # same normalised name as the existing one
        ["别的名字", "+86 138 0013 8000", "南宁"],  # same phone
        ["新客户甲", "13911112222", "柳州"],
        ["新客户甲有限公司", "", "桂林"],  # same as the row above (suffix folded)
    ]
    skipped = run_import(session, scope, "customer", rows)
    assert counts(skipped) == {"read": 4, "new": 1, "updated": 0, "skipped": 3, "failed": 0}
    rows_out, _ = service.issues(session, scope, skipped.id, "skipped")
    assert [r.row_no for r in rows_out] == [2, 3, 5]
    assert f"#{existing.id}" in rows_out[0].message and "第 4 行" in rows_out[2].message

    errored = run_import(session, scope, "customer", rows, policy="error")
    assert counts(errored)["failed"] == 4  # the new customer now exists too

    updated = run_import(session, scope, "customer", rows, policy="update")
    c = counts(updated)
    assert c["updated"] + c["skipped"] == 4 and c["failed"] == 0
    session.refresh(existing)
    assert existing.city == "南宁"  # the last matching row's filled cells win
    assert "import_update" in [a.action for a in audit.history(session, "customer", existing.id)]


def test_reimporting_the_same_file_with_skip_adds_nothing(session, ids) -> None:
    scope = scope_of(session, ids["admin"])
    rows = [["客户名称", "电话"]] + [[f"客户{i}", f"1380000{i:04d}"] for i in range(50)]
    first = run_import(session, scope, "customer", rows)
    assert counts(first)["new"] == 50
    before = session.scalar(select(func.count()).select_from(Customer))
    again = run_import(session, scope, "customer", rows)
    assert counts(again) == {"read": 50, "new": 0, "updated": 0, "skipped": 50, "failed": 0}
    assert session.scalar(select(func.count()).select_from(Customer)) == before


def test_update_of_an_unchanged_row_counts_as_skipped(session, ids) -> None:
    scope = scope_of(session, ids["ar1"])
    make_customer(session, ids["ar1"], "甲公司", city="南宁")
    job = run_import(session, scope, "customer", [["客户名称", "城市"], ["甲公司", "南宁"]], policy="update")
    assert counts(job) == {"read": 1, "new": 0, "updated": 0, "skipped": 1, "failed": 0}


def test_owner_and_department_stay_inside_the_importers_scope(session, ids) -> None:
    scope = scope_of(session, ids["ar1"])
    rows = [["客户名称", "负责人", "所属部门"], ["甲", "ar2", ""], ["乙", "ar1", ""], ["丙", "", "不存在的部门"]]
    job = run_import(session, scope, "customer", rows)
    assert counts(job) == {"read": 3, "new": 1, "updated": 0, "skipped": 0, "failed": 2}
    assert "数据权限范围" in dict(job.result["first_errors"])[2]  # ("outside your data scope")
    assert _customers(session, name="乙")[0].owner_id == ids["ar1"]
    assert not _customers(session, name="甲")


def test_a_match_outside_the_scope_is_never_updated(session, ids) -> None:
    theirs = make_customer(session, ids["ar2"], "乙方公司", city="柳州")
    job = run_import(
        session,
        scope_of(session, ids["ar1"]),
        "customer",
        [["客户名称", "城市"], ["乙方公司", "南宁"]],
        policy="update",
    )
    assert counts(job)["failed"] == 1
    session.refresh(theirs)
    assert theirs.city == "柳州"


def test_server_owned_fields_cannot_be_mapped(session, ids) -> None:
    scope = scope_of(session, ids["admin"])
    with pytest.raises(Invalid):
        run_import(session, scope, "customer", [["客户名称", "x"], ["甲", "1"]], mapping=["name", "owner_id"])
    with pytest.raises(Invalid):
        run_import(session, scope, "customer", [["客户名称", "x"], ["甲", "1"]], mapping=["name", "version"])


def test_permission_is_checked_before_anything_is_stored(session, ids) -> None:
    with pytest.raises(Forbidden):
        run_import(session, scope_of(session, ids["finance1"]), "customer", [["客户名称"], ["甲"]])
    assert not job_service.list_mine(session, scope_of(session, ids["finance1"]), "import")[0]


def test_custom_fields_are_validated_per_row(session, ids) -> None:
    customfields.save_definition(
        session,
        customfields.CustomFieldWrite(
            entity="customer",
            key="region",
            label_zh="片区",
            label_en="Region",
            field_type="select",
            choices=["华南", "华北"],
            required=True,
        ),
    )
    rows = [["客户名称", "片区"], ["甲", "华南"], ["乙", "西北"], ["丙", ""]]
    job = run_import(session, scope_of(session, ids["admin"]), "customer", rows)
    assert counts(job) == {"read": 3, "new": 1, "updated": 0, "skipped": 0, "failed": 2}
    assert _customers(session, name="甲")[0].custom == {"region": "华南"}


def test_dry_run_keeps_nothing_and_reports_exact_counts(session, ids) -> None:
    scope = scope_of(session, ids["admin"])
    make_customer(session, ids["admin"], "已存在")
    before = session.scalar(select(func.count()).select_from(Customer))
    rows = [["客户名称", "邮箱"], ["已存在", ""], ["新的", ""], ["新的", ""], ["坏的", "x@"]]
    job = run_import(session, scope, "customer", rows, dry_run=True)
    assert job.status == "draft"
    assert job.params["last_dry_run"]["counts"] == {"read": 4, "new": 1, "updated": 0, "skipped": 2, "failed": 1}
    assert session.scalar(select(func.count()).select_from(Customer)) == before
    service.start(session, scope, job.id, dry_run=False)  # the same draft can then run for real
    service.run_job(job.id)
    session.expire_all()
    assert counts(service.get(session, scope, job.id))["new"] == 1


def test_error_file_has_the_failed_rows_and_an_error_column(session, ids, tmp_path) -> None:
    scope = scope_of(session, ids["admin"])
    rows = [["客户名称", "邮箱", "备注"], ["好", "a@b.cn", "=1+2"], ["坏", "oops", "<b>x</b>"], ["", "c@d.cn", "无名"]]
    job = run_import(session, scope, "customer", rows)
    path, name, _media = job_service.output(session, scope, job.id)
    assert name.endswith(".xlsx")
    got = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert got[0][:3] == ["客户名称", "邮箱", "备注"] and len(got[0]) == 4
    assert [r[:3] for r in got[1:]] == [["坏", "oops", "<b>x</b>"], ["", "c@d.cn", "无名"]]
    assert "oops" in got[1][3] and got[2][3]
    assert _customers(session, name="好")[0].remark == "=1+2"  # stored as typed; exports neutralise it


def test_cancel_stops_at_the_next_batch(session, ids, monkeypatch) -> None:
    scope = scope_of(session, ids["admin"])
    monkeypatch.setitem(service.BATCH, "customer", 10)
    rows = [["客户名称"]] + [[f"批次客户{i}"] for i in range(35)]
    import io

    from tests.imports.factory import csv_bytes

    job = service.upload(session, scope, "customer", "c.csv", io.BytesIO(csv_bytes(rows)))
    service.start(session, scope, job.id, dry_run=False)
    session.flush()

    def cancel_after_first(done: int) -> None:
        if done == 10:
            job_service.cancel(session, scope, job.id)
            session.flush()

    service.run_job(job.id, on_progress=cancel_after_first)
    session.expire_all()
    job = service.get(session, scope, job.id)
    assert job.status == "cancelled" and job.checkpoint == 10
    assert len([c for c in _customers(session) if c.name.startswith("批次客户")]) == 10


def test_leads_contacts_and_followups_import_through_their_services(session, ids) -> None:
    scope = scope_of(session, ids["ar1"])
    customer = make_customer(session, ids["ar1"], "广西河池电信分公司")
    leads = run_import(
        session,
        scope,
        "lead",
        [["姓名", "公司名称", "手机", "线索来源"], ["张三", "甲公司", "13800000001", "展会"], ["", "乙", "", ""]],
    )
    assert counts(leads) == {"read": 2, "new": 1, "updated": 0, "skipped": 0, "failed": 1}
    lead = session.scalars(select(Lead).where(Lead.name == "张三")).one()
    assert (lead.source, lead.owner_id, lead.company_norm) == ("exhibition", ids["ar1"], "甲公司")
    contacts = run_import(
        session,
        scope,
        "contact",
        [
            ["客户名称", "姓名", "职务", "层级", "是否关键决策人"],
            ["广西河池电信分公司", "李四", "总经理", "高层", "是"],
            ["不存在的客户", "王五", "", "", ""],
        ],
    )
    assert counts(contacts) == {"read": 2, "new": 1, "updated": 0, "skipped": 0, "failed": 1}, contacts.result
    li = session.scalars(select(Contact).where(Contact.name == "李四")).one()
    assert (li.customer_id, li.level, li.is_decision_maker) == (customer.id, "executive", True)
    rows = [
        ["客户名称", "跟进方式", "跟进时间", "跟进内容"],
        ["广西河池电信分公司", "拜访", "2024-03-01 10:00", "现场交流"],
    ]
    followups = run_import(session, scope, "followup", rows)
    assert counts(followups) == {"read": 1, "new": 1, "updated": 0, "skipped": 0, "failed": 0}
    again = run_import(session, scope, "followup", rows, policy="update")
    assert counts(again) == {"read": 1, "new": 0, "updated": 0, "skipped": 1, "failed": 0}
    session.refresh(customer)
    assert customer.last_followup_at is not None


def test_mapping_is_remembered_per_header_set(session, ids) -> None:
    scope = scope_of(session, ids["admin"])
    rows = [["名头甲", "名头乙"], ["甲公司", "13800000009"]]
    run_import(session, scope, "customer", rows, mapping={"名头甲": "name", "名头乙": "phone"})
    import io

    from tests.imports.factory import csv_bytes

    again = service.upload(session, scope, "customer", "x.csv", io.BytesIO(csv_bytes(rows)))
    assert again.params["mapping"] == ["name", "phone"] and again.params["remembered"] is True


def test_imported_customers_are_found_by_the_global_search(session, ids) -> None:
    from loam.search import service as search_service

    scope = scope_of(session, ids["ar1"])
    rows = [["客户名称", "电话"], ["广西河池电信分公司", "13812345678"], ["南宁某某科技", ""]]
    run_import(session, scope, "customer", rows)
    found = search_service.search(session, scope, "河池")
    names = [hit.name for group in found.groups for hit in group.items]
    assert "广西河池电信分公司" in names
    assert [h.name for g in search_service.search(session, scope, "12345678").groups for h in g.items] == [
        "广西河池电信分公司"
    ]


def _customer_indexes(session):  # type: ignore[no-untyped-def]
    from sqlalchemy import inspect

    return sorted(ix["name"] for ix in inspect(session.connection()).get_indexes("customers"))


def test_a_big_load_suspends_and_restores_the_indexes(session, ids, monkeypatch) -> None:
    monkeypatch.setattr(service, "FAST_LOAD_ROWS", 10)
    monkeypatch.setitem(service.BATCH, "customer", 7)
    before = _customer_indexes(session)
    rows = [["客户名称", "电话"]] + [[f"快速客户{i}", f"1370000{i:04d}"] for i in range(30)] + [["快速客户3", ""]]
    job = run_import(session, scope_of(session, ids["admin"]), "customer", rows)
    assert counts(job) == {"read": 31, "new": 30, "updated": 0, "skipped": 1, "failed": 0}
    assert _customer_indexes(session) == before
    assert job.params["suspended_indexes"]  # the load really ran without them
    assert len(_customers(session, name="快速客户29")) == 1


def test_a_cancelled_big_load_restores_the_indexes(session, ids, monkeypatch) -> None:
    import io

    from tests.imports.factory import csv_bytes

    monkeypatch.setattr(service, "FAST_LOAD_ROWS", 10)
    monkeypatch.setitem(service.BATCH, "customer", 5)
    scope = scope_of(session, ids["admin"])
    before = _customer_indexes(session)
    rows = [["客户名称"]] + [[f"取消客户{i}"] for i in range(20)]
    job = service.upload(session, scope, "customer", "c.csv", io.BytesIO(csv_bytes(rows)))
    service.start(session, scope, job.id, dry_run=False)
    session.flush()

    def cancel(done: int) -> None:
        job_service.cancel(session, scope, job.id)
        session.flush()

    service.run_job(job.id, on_progress=cancel)
    session.expire_all()
    assert service.get(session, scope, job.id).status == "cancelled"
    assert _customer_indexes(session) == before


def test_a_creation_date_in_the_future_fails_its_row(session, ids) -> None:
    rows = [["客户名称", "创建时间"], ["过去的客户", "2020-01-01"], ["未来的客户", "2999-01-01"]]
    job = run_import(session, scope_of(session, ids["admin"]), "customer", rows)
    assert counts(job) == {"read": 2, "new": 1, "updated": 0, "skipped": 0, "failed": 1}
    assert not _customers(session, name="未来的客户")
