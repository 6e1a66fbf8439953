from __future__ import annotations

import pytest

from loam.customers import service
from loam.customers.schemas import CustomerFilters, CustomerUpdate, MemberWrite, TransferRequest
from loam.errors import Conflict, Forbidden, NotFound
from tests.helpers import make_customer, scope_of


def test_create_needs_only_a_name_and_owner_defaults_to_creator(session, ids):
    c = make_customer(session, ids["ar1"], "ＧＸ 河池电信（集团）有限公司")
    assert c.owner_id == ids["ar1"]
    assert c.department_id == ids["team1"]
    assert c.name_norm == "gx河池电信"  # full-width folded, punctuation and （集团）有限公司 removed
    assert c.version == 1


def test_data_scope_own_vs_director(session, ids):
    c1 = make_customer(session, ids["ar1"], "A公司")
    c2 = make_customer(session, ids["ar2"], "B公司")
    ar1, ar2, director = (scope_of(session, ids[u]) for u in ("ar1", "ar2", "director"))
    assert service.get(session, ar1, c1.id).id == c1.id
    with pytest.raises(NotFound):
        service.get(session, ar1, c2.id)
    with pytest.raises(NotFound):
        service.get(session, ar2, c1.id)
    seen = {c.id for c in service.list_page(session, director, CustomerFilters(), 1, 100)[0]}
    assert {c1.id, c2.id} <= seen
    # finance1 sits outside the account department and sees neither
    fin = scope_of(session, ids["finance1"])
    assert service.list_page(session, fin, CustomerFilters(), 1, 100)[1] == 0


def test_stale_version_is_a_conflict_and_changes_nothing(session, ids):
    c = make_customer(session, ids["ar1"], "C公司")
    ar1 = scope_of(session, ids["ar1"])
    service.update(session, ar1, c.id, CustomerUpdate(name="C公司二", version=1))
    assert c.version == 2
    with pytest.raises(Conflict):
        service.update(session, ar1, c.id, CustomerUpdate(name="C公司三", version=1))
    assert c.name == "C公司二"


def test_team_member_read_and_write_access_and_expiry(session, ids):
    from datetime import timedelta

    from loam.db import utcnow

    c = make_customer(session, ids["ar1"], "D公司")
    ar1, ar2 = scope_of(session, ids["ar1"]), scope_of(session, ids["ar2"])
    service.add_member(session, ar1, c.id, MemberWrite(user_id=ids["ar2"], access="read"))
    assert service.get(session, ar2, c.id).id == c.id
    assert not service.can_write(session, ar2, c)
    with pytest.raises(Forbidden):
        service.update(session, ar2, c.id, CustomerUpdate(name="x", version=c.version))
    service.add_member(session, ar1, c.id, MemberWrite(user_id=ids["ar2"], access="write"))
    service.update(session, ar2, c.id, CustomerUpdate(name="D公司改", version=c.version))
    assert c.name == "D公司改"
    # an expired membership gives no access
    member = service.members(session, ar1, c.id)[0]
    member.expires_at = utcnow() - timedelta(minutes=1)
    session.flush()
    with pytest.raises(NotFound):
        service.get(session, ar2, c.id)


def test_transfer_keeps_old_owner_as_member_and_audits(session, ids):
    c = make_customer(session, ids["ar1"], "E公司")
    director = scope_of(session, ids["director"])
    service.transfer(session, director, c.id, TransferRequest(owner_id=ids["ar2"]))
    assert c.owner_id == ids["ar2"] and c.department_id == ids["team2"]
    ar1 = scope_of(session, ids["ar1"])
    assert service.get(session, ar1, c.id)  # still visible as a read member
    actions = [h.action for h in service.history(session, director, c.id)]
    assert actions[:2] == ["transfer", "create"]


def test_ar_cannot_transfer_someone_elses_customer_they_only_read(session, ids):
    c = make_customer(session, ids["ar1"], "F公司")
    ar1, ar2 = scope_of(session, ids["ar1"]), scope_of(session, ids["ar2"])
    service.add_member(session, ar1, c.id, MemberWrite(user_id=ids["ar2"], access="write"))
    with pytest.raises(Forbidden):
        service.transfer(session, ar2, c.id, TransferRequest(owner_id=ids["ar2"]))
    assert c.owner_id == ids["ar1"]


def test_delete_restore_and_purge(session, ids):
    c = make_customer(session, ids["ar1"], "G公司")
    admin, ar1 = scope_of(session, ids["admin"]), scope_of(session, ids["ar1"])
    with pytest.raises(Forbidden):
        service.delete_(session, ar1, c.id)  # the AR role has no delete permission
    service.delete_(session, admin, c.id)
    with pytest.raises(NotFound):
        service.get(session, admin, c.id)
    service.restore(session, admin, c.id)
    assert service.get(session, admin, c.id).deleted_at is None
    service.delete_(session, admin, c.id)
    service.purge(session, admin, c.id)
    with pytest.raises(NotFound):
        service.restore(session, admin, c.id)


def test_deal_status_is_recorded_audited_and_exempts_from_the_no_deal_rule(session, ids):
    c = make_customer(session, ids["ar1"], "成交客户")
    ar1, ar2 = scope_of(session, ids["ar1"]), scope_of(session, ids["ar2"])
    with pytest.raises(NotFound):
        service.set_deal(session, ar2, c.id, True)
    service.set_deal(session, ar1, c.id, True)
    assert c.deal_status == "closed" and c.deal_at is not None
    assert service.history(session, ar1, c.id)[0].action == "deal"
    service.set_deal(session, ar1, c.id, False)
    assert c.deal_status == "none" and c.deal_at is None


def test_history_needs_the_audit_permission(session, ids):
    c = make_customer(session, ids["admin"], "审计客户")
    service.add_member(session, scope_of(session, ids["admin"]), c.id, MemberWrite(user_id=ids["finance1"]))
    finance = scope_of(session, ids["finance1"])
    assert service.get(session, finance, c.id).id == c.id
    with pytest.raises(Forbidden):
        service.history(session, finance, c.id)


def test_a_team_member_cannot_restore_a_customer_they_do_not_own(session, ids):
    from loam.authz.scope import Scope

    c = make_customer(session, ids["ar1"], "恢复客户")
    service.add_member(session, scope_of(session, ids["ar1"]), c.id, MemberWrite(user_id=ids["ar2"], access="write"))
    service.delete_(session, Scope.system(), c.id)
    ar2 = scope_of(session, ids["ar2"])
    ar2 = type(ar2)(**{**ar2.__dict__, "permissions": ar2.permissions | {"customers.delete"}})
    with pytest.raises((Forbidden, NotFound)):
        service.restore(session, ar2, c.id)
    assert c.deleted_at is not None
