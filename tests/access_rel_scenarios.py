"""The scenario record of a follow-up in the access matrix (tests/access.py): visible iff the follow-up is — the
follow-up of ar1's customer is seen by ar1, the director and admin, and is a 404 for ar2 and finance1.

The record's id is its follow-up's id (one record per follow-up), so the list the matrix checks is the follow-up
list. Out-of-scope writes (PUT) are 404 and change nothing; a deleted follow-up hides its scenario from everyone;
adding to the catalogue without ``relationships.manage`` (ar1) is a 403.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.access import Resource


def _record(session: Session, owner_id: int) -> int:
    from tests.helpers import make_customer
    from tests.relationships.scenarios_factories import choose, followup

    customer = make_customer(session, owner_id, "矩阵测试场景客户")
    f = followup(session, owner_id, customer_id=customer.id)
    choose(session, owner_id, f.id, "daily_visit", checked=[0])
    return f.id


def _delete(session: Session, record_id: int) -> None:
    from loam.activities import service
    from loam.authz.scope import Scope

    service.delete_(session, Scope.system(), record_id)


RESOURCES = [
    Resource(
        name="followup_scenario",
        make=_record,
        api_detail="/api/v1/followups/{id}/scenario",
        api_list="/api/v1/followups?page_size=200",
        web_detail="/followups/{id}/scenario",
        # Out of scope, the follow-up is a 404 before the body's scenario is even looked at.
        write=("PUT", "/api/v1/followups/{id}/scenario", lambda _v: {"scenario_id": 1, "checked": [0, 1, 2]}),
        delete=_delete,
        create=("/api/v1/contact-scenarios", {"name_zh": "越权新增", "name_en": "Not allowed"}, "ar1"),
    ),
]
