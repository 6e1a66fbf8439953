"""Catalogue service: create/edit with optimistic locking and unique codes, permissions, status, recycle bin,
custom fields, categories tree."""

from __future__ import annotations

from decimal import Decimal

import pytest

from loam.authz.scope import Scope
from loam.errors import Conflict, Forbidden, Invalid, NotFound
from loam.kit import audit
from loam.kit.customfields import CustomFieldWrite, save_definition
from loam.products import service
from loam.products.schemas import CategoryWrite, ProductCreate, ProductFilters, ProductUpdate
from loam.recycle import service as recycle_service
from tests.helpers import scope_of
from tests.products.factories import line, make_category, make_product

D = Decimal


def _update(p, **kw):
    base = {k: getattr(p, k) for k in ("code", "name", "category_id", "unit", "list_price", "currency", "status")}
    return ProductUpdate(**(base | {"version": p.version} | kw))


def test_create_read_and_audit(session, ids):
    p = make_product(session, ids["admin"], "SRV-01", "云服务器", "1234.5", unit="台", currency="usd")
    assert (p.code, p.list_price, p.currency, p.status, p.version, p.created_by) == (
        "SRV-01",
        D("1234.5"),
        "USD",
        "active",
        1,
        ids["admin"],
    )
    session.expire_all()
    again = service.get(session, scope_of(session, ids["ar1"]), p.id)
    assert again.list_price == D("1234.50")
    assert [h.action for h in audit.history(session, "product", p.id)] == ["create"]


def test_only_managers_write_everyone_with_view_reads(session, ids):
    p = make_product(session, ids["director"], "DIR", "总监建的")
    for user in ("ar1", "finance1"):
        scope = scope_of(session, ids[user])
        assert service.get(session, scope, p.id).id == p.id
        with pytest.raises(Forbidden):
            service.create(session, scope, ProductCreate(code="X", name="x"))
        with pytest.raises(Forbidden):
            service.update(session, scope, p.id, _update(p, name="改"))
        with pytest.raises(Forbidden):
            service.delete_(session, scope, p.id)
        with pytest.raises(Forbidden):
            service.set_status(session, scope, p.id, active=False)
    assert p.name == "总监建的" and p.deleted_at is None
    blind = Scope(user_id=ids["ar1"], department_id=None, permissions=frozenset())
    with pytest.raises(NotFound):
        service.get(session, blind, p.id)
    assert service.list_page(session, blind, ProductFilters())[1] == 0


def test_codes_unique_among_live_products(session, ids):
    admin = scope_of(session, ids["admin"])
    p = make_product(session, ids["admin"], "DUP", "一")
    with pytest.raises(Conflict):
        service.create(session, admin, ProductCreate(code="dup", name="二"))
    other = make_product(session, ids["admin"], "OTHER", "三")
    with pytest.raises(Conflict):
        service.update(session, admin, other.id, _update(other, code="DUP"))
    service.delete_(session, admin, p.id)
    reuse = service.create(session, admin, ProductCreate(code="DUP", name="四"))  # the deleted one frees the code
    with pytest.raises(Conflict):  # and cannot come back while the code is taken
        service.restore(session, admin, p.id)
    service.delete_(session, admin, reuse.id)
    assert service.restore(session, admin, p.id).deleted_at is None


def test_update_optimistic_lock_and_history(session, ids):
    admin = scope_of(session, ids["admin"])
    p = make_product(session, ids["admin"], "LOCK", "旧名", "10")
    stale = _update(p, name="别人改的")
    service.update(session, admin, p.id, _update(p, name="新名", list_price=D("12.30")))
    session.flush()
    assert p.version == 2
    with pytest.raises(Conflict):
        service.update(session, admin, p.id, stale)
    assert p.name == "新名"
    (last, _create) = audit.history(session, "product", p.id)
    assert last.action == "update" and last.changes == {"name": ["旧名", "新名"], "list_price": ["10.00", "12.30"]}
    with pytest.raises(Invalid):
        service.update(session, admin, p.id, _update(p, category_id=999999))


def test_status_inactive_stays_listed(session, ids):
    admin = scope_of(session, ids["admin"])
    p = make_product(session, ids["admin"], "OFF", "停用")
    service.set_status(session, admin, p.id, active=False)
    assert p.status == "inactive"
    assert audit.history(session, "product", p.id)[0].action == "deactivate"
    assert service.get(session, scope_of(session, ids["ar1"]), p.id).status == "inactive"
    found = {x.id for x in service.list_page(session, admin, ProductFilters(q="OFF"))[0]}
    assert p.id in found
    assert p.id not in {x.id for x in service.list_page(session, admin, ProductFilters(q="OFF", status="active"))[0]}
    assert p.id not in {x.id for x in service.picker(session, admin, "OFF")}


def test_list_filters_sort_and_category_subtree(session, ids):
    admin = scope_of(session, ids["admin"])
    hw = make_category(session, ids["admin"], "硬件")
    srv = make_category(session, ids["admin"], "服务器", hw.id)
    sw = make_category(session, ids["admin"], "软件")
    a = make_product(session, ids["admin"], "ZZ-1", "机架服务器", "300", category_id=srv.id)
    b = make_product(session, ids["admin"], "ZZ-2", "交换机", "100", category_id=hw.id)
    c = make_product(session, ids["admin"], "ZZ-3", "办公软件_100%", "200", category_id=sw.id)
    ids_of = lambda f, sort=None: [x.id for x in service.list_page(session, admin, f, 1, 50, sort)[0]]  # noqa: E731
    assert ids_of(ProductFilters(q="zz-")) == [a.id, b.id, c.id]
    assert ids_of(ProductFilters(q="ZZ"), "-list_price") == [a.id, c.id, b.id]
    assert ids_of(ProductFilters(category_id=hw.id)) == [a.id, b.id]
    assert ids_of(ProductFilters(category_id=srv.id)) == [a.id]
    assert ids_of(ProductFilters(q="服务器")) == [a.id]
    assert ids_of(ProductFilters(q="_100%")) == [c.id]  # LIKE wildcards are literal
    with pytest.raises(Invalid):
        service.list_page(session, admin, ProductFilters(), 1, 25, "password")


def test_custom_fields(session, ids):
    admin = scope_of(session, ids["admin"])
    save_definition(
        session,
        CustomFieldWrite(
            entity="product",
            key="brand",
            label_zh="品牌",
            label_en="Brand",
            field_type="select",
            choices=["华为", "中兴"],
        ),
    )
    p = make_product(session, ids["admin"], "CF", "带自定义字段", custom={"brand": "华为"})
    assert p.custom == {"brand": "华为"}
    with pytest.raises(Invalid) as exc:
        service.create(session, admin, ProductCreate(code="CF2", name="x", custom={"brand": "苹果"}))
    assert "custom.brand" in exc.value.detail
    found = service.list_page(session, admin, ProductFilters(custom={"brand": "华为"}))[0]
    assert [x.id for x in found] == [p.id]
    service.update(session, admin, p.id, _update(p, custom={"brand": "中兴"}))
    assert audit.history(session, "product", p.id)[0].changes == {"custom.brand": ["华为", "中兴"]}


def test_recycle_bin_delete_restore_purge(session, ids):
    admin = scope_of(session, ids["admin"])
    director = scope_of(session, ids["director"])
    p = make_product(session, ids["admin"], "BIN", "回收站")
    used = make_product(session, ids["admin"], "USED", "被引用")
    service.replace_lines(session, admin, "opportunity", 777, [line(used.id, "1")])
    for x in (p, used):
        service.delete_(session, director, x.id)
    with pytest.raises(NotFound):
        service.get(session, admin, p.id)
    rows, _n = recycle_service.list_deleted(session, director, "product")
    assert {p.id, used.id} <= {r.id for r in rows}
    assert recycle_service.label(p) == "回收站"
    with pytest.raises(Forbidden):
        recycle_service.restore(session, scope_of(session, ids["ar1"]), "product", p.id)
    with pytest.raises(Forbidden):  # purging needs recycle.purge (the director lacks it)
        recycle_service.purge(session, director, "product", p.id)
    with pytest.raises(Conflict):  # still used by a product line
        recycle_service.purge(session, admin, "product", used.id)
    service.purge_lines(session, "opportunity", 777)
    recycle_service.purge(session, admin, "product", used.id)
    recycle_service.restore(session, director, "product", p.id)
    assert service.get(session, admin, p.id).deleted_at is None
    assert [h.action for h in audit.history(session, "product", p.id)][:2] == ["restore", "delete"]
    assert audit.history(session, "product", used.id)[0].action == "purge"
    with pytest.raises(NotFound):
        service.purge(session, admin, p.id)  # a live product is not in the bin


def test_categories_tree_rename_move_delete(session, ids):
    admin = scope_of(session, ids["admin"])
    hw = make_category(session, ids["admin"], "硬件")
    srv = make_category(session, ids["admin"], "服务器", hw.id)
    rack = make_category(session, ids["admin"], "机架式", srv.id)
    sw = make_category(session, ids["admin"], "软件")
    assert [(n.path, n.depth) for n in service.tree(session, admin)] == [
        ("硬件", 0),
        ("硬件 / 服务器", 1),
        ("硬件 / 服务器 / 机架式", 2),
        ("软件", 0),
    ]
    assert service.category_by_path(session, admin, "硬件/服务器 / 机架式").id == rack.id
    with pytest.raises(NotFound):
        service.category_by_path(session, admin, "硬件/存储")
    with pytest.raises(Conflict):  # sibling names are unique
        service.create_category(session, admin, CategoryWrite(name="服务器", parent_id=hw.id))
    with pytest.raises(Invalid):  # not under itself
        service.update_category(session, admin, hw.id, CategoryWrite(name="硬件", parent_id=rack.id))
    with pytest.raises(Invalid):
        service.create_category(session, admin, CategoryWrite(name="x", parent_id=999999))
    service.update_category(
        session, admin, srv.id, CategoryWrite(name="服务器与存储", parent_id=sw.id, version=srv.version)
    )
    assert service.category_by_path(session, admin, "软件/服务器与存储/机架式").id == rack.id
    with pytest.raises(Conflict):  # stale version
        service.update_category(session, admin, srv.id, CategoryWrite(name="y", parent_id=sw.id, version=1))
    with pytest.raises(Forbidden):
        service.create_category(session, scope_of(session, ids["ar1"]), CategoryWrite(name="z"))
    with pytest.raises(Conflict):  # has sub-categories
        service.delete_category(session, admin, srv.id)
    p = make_product(session, ids["admin"], "RACK", "机架", category_id=rack.id)
    service.delete_(session, admin, p.id)
    with pytest.raises(Conflict):  # a product (even in the recycle bin) is filed under it
        service.delete_category(session, admin, rack.id)
    service.restore(session, admin, p.id)
    service.update(session, admin, p.id, _update(p, category_id=hw.id))
    service.delete_category(session, admin, rack.id)
    service.delete_category(session, admin, srv.id)
    assert [n.path for n in service.tree(session, admin)] == ["硬件", "软件"]
    assert audit.history(session, "product_category", srv.id)[0].action == "purge"


@pytest.mark.parametrize("schema", [ProductCreate, ProductUpdate, CategoryWrite])
def test_string_limits_fit_columns(schema) -> None:
    """Every string a request schema accepts fits its VARCHAR column (PostgreSQL enforces the length)."""
    from loam.products.models import Product, ProductCategory

    columns = (ProductCategory if schema is CategoryWrite else Product).__table__.columns
    props = schema.model_json_schema()["properties"]
    for name, prop in props.items():
        length = getattr(columns[name].type, "length", None) if name in columns else None
        if length is None:
            continue
        branches = [b for b in prop.get("anyOf", [prop]) if b.get("type") == "string"]
        limits = [max(map(len, b["enum"])) if "enum" in b else b.get("maxLength") for b in branches]
        assert limits and all(x is not None and x <= length for x in limits), (schema.__name__, name, limits, length)


def test_line_schema_limits_fit_columns() -> None:
    from loam.products.models import ProductLine
    from loam.products.schemas import ProductLineWrite

    props = ProductLineWrite.model_json_schema()["properties"]
    assert props["remark"]["anyOf"][0]["maxLength"] == ProductLine.__table__.columns["remark"].type.length
