"""Every string a request schema accepts fits the column it is stored in (PostgreSQL enforces VARCHAR(n))."""

from __future__ import annotations

import importlib

import pytest
from pydantic import BaseModel
from sqlalchemy import String

PAIRS = [
    ("loam.customers.schemas", "CustomerCreate", "loam.customers.models", "Customer"),
    ("loam.customers.schemas", "CustomerUpdate", "loam.customers.models", "Customer"),
    ("loam.leads.schemas", "LeadCreate", "loam.leads.models", "Lead"),
    ("loam.leads.schemas", "LeadUpdate", "loam.leads.models", "Lead"),
    ("loam.contacts.schemas", "ContactCreate", "loam.contacts.models", "Contact"),
    ("loam.contacts.schemas", "ContactUpdate", "loam.contacts.models", "Contact"),
    ("loam.activities.schemas", "FollowUpCreate", "loam.activities.models", "FollowUp"),
    ("loam.org.schemas", "DepartmentCreate", "loam.org.models", "Department"),
    ("loam.org.schemas", "UserCreate", "loam.org.models", "User"),
    ("loam.org.schemas", "RoleWrite", "loam.org.models", "Role"),
    ("loam.pools.schemas", "PoolCreate", "loam.pools.models", "Pool"),
    ("loam.kit.customfields", "CustomFieldWrite", "loam.kit.models", "CustomField"),
]


def _limit(prop: dict, defs: dict) -> int | None:  # type: ignore[type-arg]
    """The longest string a JSON-schema property admits (None = unbounded)."""
    if "$ref" in prop:
        return _limit(defs[prop["$ref"].split("/")[-1]], defs)
    branches = prop.get("anyOf") or prop.get("oneOf")
    if branches:
        limits = [_limit(b, defs) for b in branches if b.get("type") != "null"]
        return None if any(x is None for x in limits) else max(limits, default=0)
    if "enum" in prop:
        return max(len(str(v)) for v in prop["enum"])
    if "const" in prop:
        return len(str(prop["const"]))
    if prop.get("type") != "string":
        return 0
    if prop.get("format") == "email":
        return 254  # email-validator refuses longer addresses
    return prop.get("maxLength")


@pytest.mark.parametrize(("smod", "sname", "mmod", "mname"), PAIRS, ids=[p[1] for p in PAIRS])
def test_string_limits_fit_columns(smod: str, sname: str, mmod: str, mname: str) -> None:
    schema: type[BaseModel] = getattr(importlib.import_module(smod), sname)
    model = getattr(importlib.import_module(mmod), mname)
    columns = model.__table__.columns
    js = schema.model_json_schema()
    too_long = {}
    for name, prop in js["properties"].items():
        if name not in columns or not isinstance(columns[name].type, String) or columns[name].type.length is None:
            continue
        limit = _limit(prop, js.get("$defs", {}))
        if limit is None or limit > columns[name].type.length:
            too_long[name] = (limit, columns[name].type.length)
    assert not too_long, f"{sname}: schema limit > column length: {too_long}"
