"""Contract service rules: creation, references, amounts from lines, status rules, recycle bin, team."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from loam.authz.scope import Scope
from loam.contracts import lifecycle, options, service
from loam.contracts.schemas import ContractCreate, ContractFilters, ContractSettings, ContractUpdate, MemberWrite
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from tests.contracts.factories import make_contract
from tests.helpers import make_customer, scope_of
from tests.products.factories import line, make_product


def _update(c, **kw) -> ContractUpdate:
    values = {k: getattr(c, k) for k in ContractUpdate.model_fields if k not in ("custom", "lines")}
    values.update(kw)
    return ContractUpdate.model_validate(values)


def test_create_numbers_owner_and_audit(session, ids) -> None:
    c = make_contract(session, ids["ar1"], amount=Decimal("1000.5"), currency="usd")
    assert c.status == "draft" and c.owner_id == ids["ar1"] and c.created_by == ids["ar1"]
    today = service.today()
    assert c.number.startswith(f"HT-{today:%Y%m}-") and len(c.number) == len("HT-202612-00001")
    assert c.amount == Decimal("1000.50") and c.currency == "USD"
    c2 = make_contract(session, ids["ar1"], "第二份合同", customer_id=c.customer_id)
    assert int(c2.number[-5:]) == int(c.number[-5:]) + 1
    assert [h.action for h in audit.history(session, "contract", c.id)] == ["create"]


def test_numbers_follow_the_configured_pattern(session, ids) -> None:
    admin = scope_of(session, ids["admin"])
    conf = options.load(session).model_copy(update={"number_pattern": "XS{yy}-{seq:03}"})
    options.save(session, admin, conf)
    c = make_contract(session, ids["ar1"])
    assert c.number.startswith(f"XS{service.today():%y}-") and len(c.number) == 8
    with pytest.raises(Invalid):
        options.save(session, admin, conf.model_copy(update={"number_pattern": "XS-{yyyy}"}))
    with pytest.raises(Forbidden):
        options.save(session, scope_of(session, ids["ar1"]), conf)


def test_customer_must_be_visible_and_refs_checked(session, ids) -> None:
    other = make_customer(session, ids["ar2"], "柳州移动")
    ar1 = scope_of(session, ids["ar1"])
    with pytest.raises(Invalid) as exc:
        service.create(session, ar1, ContractCreate(name="越权客户", customer_id=other.id))
    assert "customer_id" in exc.value.detail
    with pytest.raises(Invalid):
        service.create(session, ar1, ContractCreate(name="无客户"))
    mine = make_customer(session, ids["ar1"], "南宁联通")
    with pytest.raises(Invalid) as exc:  # a contact of another customer cannot sign
        from loam.contacts import service as contact_service
        from loam.contacts.schemas import ContactCreate

        ct = contact_service.create(
            session, scope_of(session, ids["ar2"]), ContactCreate(name="王五", customer_id=other.id)
        )
        service.create(session, ar1, ContractCreate(name="签约人", customer_id=mine.id, customer_signatory_id=ct.id))
    assert "customer_signatory_id" in exc.value.detail
    with pytest.raises(Invalid) as exc:
        service.create(session, ar1, ContractCreate(name="类型", customer_id=mine.id, type="nonsense"))
    assert "type" in exc.value.detail


def test_end_date_not_before_start() -> None:
    with pytest.raises(ValidationError):
        ContractCreate(name="x", customer_id=1, start_on=date(2026, 12, 2), end_on=date(2026, 12, 1))


def test_amount_follows_the_product_lines(session, ids) -> None:
    p = make_product(session, ids["admin"], "CT-P1", price="100.00")
    c = make_contract(session, ids["ar1"], amount=Decimal("1"), lines=[line(p.id, "3", discount="10")])
    assert c.amount == Decimal("270.00")
    ar1 = scope_of(session, ids["ar1"])
    c = service.update(session, ar1, c.id, _update(c, lines=[line(p.id, "1")], amount=Decimal("5")))
    assert c.amount == Decimal("100.00")
    c = service.update(session, ar1, c.id, _update(c, amount=Decimal("5")))  # lines unchanged: still their total
    assert c.amount == Decimal("100.00")
    c = service.update(session, ar1, c.id, _update(c, lines=[], amount=Decimal("5")))
    assert c.amount == Decimal("5.00") and service.line_items(session, c) == []


def test_stale_version_is_409(session, ids) -> None:
    c = make_contract(session, ids["ar1"])
    ar1 = scope_of(session, ids["ar1"])
    stale = _update(c, name="改名")
    service.update(session, ar1, c.id, _update(c, name="先改"))
    with pytest.raises(Conflict):
        service.update(session, ar1, c.id, stale)


def _submit_without_flow(session, ids, c):
    return lifecycle.submit(session, scope_of(session, ids["ar1"]), c.id)


def test_status_rules(session, ids) -> None:
    ar1 = scope_of(session, ids["ar1"])
    director = scope_of(session, ids["director"])
    c = make_contract(session, ids["ar1"])
    c.status = "in_approval"  # as the approval engine leaves it
    session.flush()
    for action in (
        lambda: service.update(session, ar1, c.id, _update(c, name="改")),
        lambda: service.set_remark(session, ar1, c.id, "备注", c.version),
        lambda: service.delete_(session, director, c.id),
        lambda: lifecycle.submit(session, ar1, c.id),
        lambda: lifecycle.void(session, director, c.id, "作废"),
    ):
        with pytest.raises(Conflict):
            action()
    c.status = "approved"
    session.flush()
    with pytest.raises(Conflict):
        service.update(session, ar1, c.id, _update(c, name="改名"))
    c = service.update(session, ar1, c.id, _update(c, remark="只改备注"))
    assert c.remark == "只改备注" and c.name == "河池电信传输网扩容合同"
    with pytest.raises(Conflict):
        service.delete_(session, scope_of(session, ids["admin"]), c.id)
    with pytest.raises(Forbidden):  # ar1 may not void
        lifecycle.void(session, ar1, c.id, "作废")
    with pytest.raises(Invalid):
        lifecycle.void(session, director, c.id, "  ")
    c = lifecycle.void(session, director, c.id, "客户取消")
    assert c.status == "void" and c.void_reason == "客户取消" and c.voided_by == ids["director"]
    with pytest.raises(Conflict):
        service.set_remark(session, ar1, c.id, "x", c.version)
    with pytest.raises(Conflict):
        lifecycle.void(session, director, c.id, "again")
    assert [h.action for h in audit.history(session, "contract", c.id)][:2] == ["void", "update"]


def test_draft_may_be_voided_rejected_may_not(session, ids) -> None:
    director = scope_of(session, ids["director"])
    draft = make_contract(session, ids["ar1"])
    assert lifecycle.void(session, director, draft.id, "不签了").status == "void"
    rejected = make_contract(session, ids["ar1"])
    rejected.status = "rejected"
    session.flush()
    with pytest.raises(Conflict):
        lifecycle.void(session, director, rejected.id, "x")
    c = service.update(session, scope_of(session, ids["ar1"]), rejected.id, _update(rejected, name="修改后重提"))
    assert c.name == "修改后重提"


def test_scope_and_write_access(session, ids) -> None:
    c = make_contract(session, ids["ar1"])
    with pytest.raises(NotFound):
        service.get(session, scope_of(session, ids["ar2"]), c.id)
    assert service.get(session, scope_of(session, ids["director"]), c.id).id == c.id
    service.add_member(session, scope_of(session, ids["ar1"]), c.id, MemberWrite(user_id=ids["ar2"]))
    assert service.get(session, scope_of(session, ids["ar2"]), c.id).id == c.id
    with pytest.raises(Forbidden):  # sees it (read member) but may not write
        service.update(session, scope_of(session, ids["ar2"]), c.id, _update(c, name="成员改"))
    with pytest.raises(Forbidden):  # team changes are owner-level
        service.add_member(session, scope_of(session, ids["ar2"]), c.id, MemberWrite(user_id=ids["sr1"]))
    service.add_member(session, scope_of(session, ids["ar1"]), c.id, MemberWrite(user_id=ids["ar2"], access="write"))
    c = service.update(session, scope_of(session, ids["ar2"]), c.id, _update(c, name="成员改"))
    assert c.name == "成员改"
    service.remove_member(session, scope_of(session, ids["ar1"]), c.id, ids["ar2"])
    with pytest.raises(NotFound):
        service.get(session, scope_of(session, ids["ar2"]), c.id)


def test_recycle_bin(session, ids) -> None:
    ar1 = scope_of(session, ids["ar1"])
    c = make_contract(session, ids["ar1"])
    with pytest.raises(Forbidden):  # ar has no contracts.delete
        service.delete_(session, ar1, c.id)
    director = scope_of(session, ids["director"])
    service.delete_(session, director, c.id)
    with pytest.raises(NotFound):
        service.get(session, director, c.id)
    items, _total = service.list_deleted(session, director)
    assert c.id in {x.id for x in items}
    assert c.id not in {x.id for x in service.list_deleted(session, scope_of(session, ids["ar2"]))[0]}
    service.restore(session, director, c.id)
    assert service.get(session, ar1, c.id).deleted_at is None
    service.delete_(session, director, c.id)
    with pytest.raises(Forbidden):
        service.purge(session, director, c.id)
    service.purge(session, scope_of(session, ids["admin"]), c.id)
    assert service.load(session, c.id) is None
    assert audit.history(session, "contract", c.id)[0].action == "purge"


def test_recycle_bin_through_the_shared_service(session, ids) -> None:
    from loam.recycle import service as recycle_service

    c = make_contract(session, ids["ar1"])
    admin = scope_of(session, ids["admin"])
    service.delete_(session, admin, c.id)
    items, _total = recycle_service.list_deleted(session, admin, "contract")
    assert c.id in {x.id for x in items} and recycle_service.label(items[0])
    recycle_service.restore(session, admin, "contract", c.id)
    assert service.get(session, admin, c.id)


def test_list_filters(session, ids) -> None:
    ar1 = scope_of(session, ids["ar1"])
    cust = make_customer(session, ids["ar1"], "过滤测试客户")
    a = make_contract(session, ids["ar1"], "过滤A", customer_id=cust.id, signed_on=date(2026, 1, 10))
    b = make_contract(session, ids["ar1"], "过滤B", customer_id=cust.id, signed_on=date(2026, 6, 10))
    b.status = "approved"
    b.end_on = service.today() + timedelta(days=10)
    session.flush()

    def found(**f) -> set[int]:
        return {c.id for c in service.list_page(session, ar1, ContractFilters.model_validate(f), 1, 200)[0]}

    assert found(customer_id=cust.id) == {a.id, b.id}
    assert found(customer_id=cust.id, status="approved") == {b.id}
    assert found(customer_id=cust.id, signed_from="2026-03-01") == {b.id}
    assert found(customer_id=cust.id, signed_to="2026-03-01") == {a.id}
    assert found(q="过滤A") == {a.id}
    assert found(q=a.number) == {a.id}
    assert found(customer_id=cust.id, expiring_within=30) == {b.id}
    assert found(customer_id=cust.id, expiring_within=5) == set()
    assert {c.id for c in service.for_customer(session, ar1, cust.id)} == {a.id, b.id}
    with pytest.raises(NotFound):
        service.for_customer(session, scope_of(session, ids["ar2"]), cust.id)


def test_signing_entities_and_types_are_data(session, ids) -> None:
    admin = scope_of(session, ids["admin"])
    conf = options.load(session)
    types = [*conf.types, {"code": "lease", "label": "租赁合同"}]
    options.save(
        session,
        admin,
        ContractSettings.model_validate(
            conf.model_dump() | {"types": types, "signing_entities": ["壤土科技有限公司", "壤土（广西）有限公司"]}
        ),
    )
    cust = make_customer(session, ids["ar1"], "实体客户")
    ar1 = scope_of(session, ids["ar1"])
    c = service.create(
        session, ar1, ContractCreate(name="租赁", customer_id=cust.id, type="lease", signing_entity="壤土科技有限公司")
    )
    assert c.type == "lease" and options.type_label(options.load(session), "lease") == "租赁合同"
    with pytest.raises(Invalid) as exc:
        service.create(session, ar1, ContractCreate(name="x", customer_id=cust.id, signing_entity="别家公司"))
    assert "signing_entity" in exc.value.detail


def test_system_scope_sees_everything(session, ids) -> None:
    c = make_contract(session, ids["ar1"])
    assert service.get(session, Scope.system(), c.id).id == c.id
