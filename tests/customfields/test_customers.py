"""A custom field defined for customers shows in the customer pages and API, and is validated."""

from __future__ import annotations

from loam.authz.scope import Scope
from loam.customfields import service
from loam.kit.customfields import CustomFieldWrite
from tests.helpers import api, login, post_form


def _fields(session) -> None:
    system = Scope.system()
    for data in (
        CustomFieldWrite(
            entity="customer",
            key="area",
            label_zh="片区",
            label_en="Area",
            field_type="select",
            choices=["南宁", "柳州"],
            required=True,
        ),
        CustomFieldWrite(
            entity="customer",
            key="contract_no",
            label_zh="合同号",
            label_en="Contract no",
            field_type="text",
            unique=True,
        ),
        CustomFieldWrite(
            entity="customer", key="budget", label_zh="预算", label_en="Budget", field_type="number", show_in_list=False
        ),
    ):
        service.create_field(session, system, data)
    session.flush()


def test_custom_fields_in_the_customer_form_list_and_detail(session, ids):
    _fields(session)
    c = login("ar1")
    form = c.get("/customers/new").text
    assert (
        'name="cf_area"' in form and "柳州" in form and 'name="cf_contract_no"' in form and 'name="cf_budget"' in form
    )
    base = {"name": "自定义字段客户", "level": "normal", "cf_area": "", "cf_contract_no": "HT-001", "cf_budget": "12.5"}
    r = post_form(c, "/customers", base)
    assert r.status_code == 422 and 'data-testid="error-custom.area"' in r.text and 'value="HT-001"' in r.text
    r = post_form(c, "/customers", base | {"cf_area": "桂林"})
    assert r.status_code == 422 and 'data-testid="error-custom.area"' in r.text
    r = post_form(c, "/customers", base | {"cf_budget": "lots", "cf_area": "南宁"})
    assert r.status_code == 422 and 'data-testid="error-custom.budget"' in r.text
    r = post_form(c, "/customers", base | {"cf_area": "南宁"})
    assert r.status_code == 303, r.text[:500]
    detail = c.get(r.headers["location"]).text
    assert 'data-testid="cf-area">南宁<' in detail and 'data-testid="cf-contract_no">HT-001<' in detail
    listing = c.get("/customers").text
    assert ("片区" in listing or "Area" in listing) and "HT-001" in listing and "12.5" not in listing
    r = post_form(c, "/customers", base | {"name": "重复合同号客户", "cf_area": "柳州"})
    assert r.status_code == 422 and 'data-testid="error-custom.contract_no"' in r.text


def test_custom_fields_in_the_customer_api(session, ids):
    _fields(session)
    c = api("ar1")
    assert c.post("/api/v1/customers", json={"name": "无片区"}).status_code == 422
    r = c.post("/api/v1/customers", json={"name": "南宁客户", "custom": {"area": "南宁", "budget": "100"}})
    assert r.status_code == 201, r.text
    assert r.json()["custom"] == {"area": "南宁", "budget": 100, "contract_no": None}
    c.post("/api/v1/customers", json={"name": "柳州客户", "custom": {"area": "柳州", "contract_no": "A1"}})
    bad = c.post("/api/v1/customers", json={"name": "x", "custom": {"area": "南宁", "nope": 1}})
    assert bad.status_code == 422 and "custom.nope" in bad.json()["fields"]
    dup = c.post("/api/v1/customers", json={"name": "y", "custom": {"area": "南宁", "contract_no": "A1"}})
    assert dup.status_code == 422 and "custom.contract_no" in dup.json()["fields"]
    names = lambda **p: {i["name"] for i in c.get("/api/v1/customers", params=p).json()["items"]}  # noqa: E731
    assert names(cf_area="南宁") == {"南宁客户"}
    assert names(cf_area="柳州") == {"柳州客户"}
    assert names(cf_budget="100") == {"南宁客户"}
    assert c.get("/api/v1/customers", params={"cf_budget": "lots"}).status_code == 422
    # once deactivated the field is no longer required nor shown
    area = next(f for f in c.get("/api/v1/custom-fields", params={"entity": "customer"}).json() if f["key"] == "area")
    admin = api("admin")
    body = {k: area[k] for k in ("entity", "key", "label_zh", "label_en", "field_type", "required")}
    r = admin.put(f"/api/v1/custom-fields/{area['id']}", json=body | {"choices": ["南宁", "柳州"], "active": False})
    assert r.status_code == 200
    assert c.post("/api/v1/customers", json={"name": "停用后创建"}).status_code == 201
