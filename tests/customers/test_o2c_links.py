"""A customer and what grows from it: purging keeps contracts (409) and takes opportunities along; an approved
contract marks the customer as closed-deal even when it went back to a public pool meanwhile."""

from __future__ import annotations

import pytest

from loam.authz.scope import Scope
from loam.contracts import lifecycle
from loam.customers import service as customer_service
from loam.errors import Conflict
from loam.opportunities.models import Opportunity
from tests.contracts.factories import make_contract
from tests.helpers import make_customer, scope_of
from tests.opportunities.factories import make_opportunity
from tests.receivables.factories import decide_all


def test_purging_a_customer_takes_its_opportunities(session, ids):
    customer = make_customer(session, ids["ar1"], "钦州港务集团")
    opportunity = make_opportunity(session, ids["ar1"], "钦州港5G专网", customer_id=customer.id)
    customer_service.delete_(session, Scope.system(), customer.id)
    customer_service.purge(session, scope_of(session, ids["admin"]), customer.id)
    session.flush()
    assert session.get(Opportunity, opportunity.id) is None


def test_a_customer_with_contracts_is_never_purged(session, ids):
    customer = make_customer(session, ids["ar1"], "北部湾银行")
    make_contract(session, ids["ar1"], "北部湾银行数据中心网络", customer_id=customer.id)
    customer_service.delete_(session, Scope.system(), customer.id)
    with pytest.raises(Conflict):
        customer_service.purge(session, scope_of(session, ids["admin"]), customer.id)
    assert customer_service.get_deleted(session, Scope.system(), customer.id).id == customer.id


def test_an_approved_contract_closes_the_deal_even_for_a_pool_customer(session, ids):
    customer = make_customer(session, ids["ar1"], "梧州电信分公司")
    contract = make_contract(session, ids["ar1"], "梧州传输网扩容", customer_id=customer.id)
    lifecycle.submit(session, scope_of(session, ids["ar1"]), contract.id)
    customer.owner_id = None  # back in a public pool while the contract was in approval
    session.flush()
    decide_all(session, "contract", contract.id)
    session.refresh(customer)
    assert contract.status == "approved" and customer.deal_status == "closed" and customer.deal_at is not None
    last = customer_service.history(session, Scope.system(), customer.id)[0]
    assert last.action == "deal" and last.note == contract.number
