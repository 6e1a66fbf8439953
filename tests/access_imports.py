"""Import jobs in the access matrix: only their creator — and administrators — see them (404 otherwise);
a user in another team cannot change their mapping; creating one needs ``data.import``."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from tests.access import Resource
from tests.helpers import scope_of
from tests.imports.factory import csv_bytes


def _import_job(session: Session, owner_id: int) -> int:
    from loam.imports import service

    content = csv_bytes([["客户名称", "电话"], ["矩阵导入客户", "13800000000"]])
    job = service.upload(session, scope_of(session, owner_id), "customer", "matrix.csv", io.BytesIO(content))
    session.flush()
    return job.id


RESOURCES = [
    Resource(
        name="import",
        make=_import_job,
        api_detail="/api/v1/imports/{id}",
        api_list="/api/v1/imports?page_size=200",
        web_detail="/imports/{id}",
        write=("PUT", "/api/v1/imports/{id}", lambda _v: {"on_duplicate": "update"}),
        delete=None,
        list_key="items",
        extra_visible={"director": False},  # a job is its creator's, not their manager's
    ),
]
