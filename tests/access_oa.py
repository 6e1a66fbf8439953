"""OA requests in the access matrix (tests/access.py): data scope Module.oa (ar1 sees their own, the director
his department's, the admin all; ar2 and finance1, own scope, do not). Approvers outside the scope read a request
through its approval (tests/oa/test_service.py). Every demo role may file requests, so the 403 for filing without
``oa.request`` is tested with a role that lacks it in tests/oa/test_api.py (``test_filing_needs_oa_request``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.access import Resource


def _request(session: Session, owner_id: int) -> int:
    from tests.oa.factories import make_request

    return make_request(session, owner_id, title="矩阵测试年假").id


def _delete(session: Session, record_id: int) -> None:
    from loam.authz.scope import Scope
    from loam.oa import service

    service.delete_(session, Scope.system(), record_id)


RESOURCES = [
    Resource(
        name="oa_request",
        make=_request,
        api_detail="/api/v1/oa/requests/{id}",
        api_list="/api/v1/oa/requests?page_size=200",
        web_detail="/oa/{id}",
        write=(
            "PUT",
            "/api/v1/oa/requests/{id}",
            lambda v: {"title": "越权修改", "values": {}, "version": v},
        ),
        delete=_delete,
    ),
]
