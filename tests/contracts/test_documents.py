"""Word templates: upload checks, generation (opened with python-docx), the print view and print history, the
API other domains use (render_document / record_print), and amounts in Chinese capitals."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from loam.contracts import documents, service
from loam.contracts.words import amount_in_words
from loam.errors import Forbidden, Invalid, NotFound
from tests.contracts.factories import docx_bytes, docx_text, make_contract
from tests.helpers import scope_of
from tests.products.factories import line, make_product


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("1.05", "壹元零伍分"),
        ("10", "壹拾元整"),
        ("10.5", "壹拾元伍角"),
        ("1005", "壹仟零伍元整"),
        ("10500.30", "壹万零伍佰元叁角"),
        ("100010000", "壹亿零壹万元整"),
        ("1000010", "壹佰万零壹拾元整"),
        ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("1000000001", "壹拾亿零壹元整"),
        ("-3.2", "负叁元贰角"),
        ("0.005", "壹分"),
    ],
)
def test_amount_in_words(amount: str, words: str) -> None:
    assert amount_in_words(Decimal(amount)) == words


def _upload(session, ids, data: bytes, kind: str = "contract", name: str = "标准销售合同", user: str = "admin"):
    return documents.upload_template(
        session, scope_of(session, ids[user]), name, kind, f"{name}.docx", io.BytesIO(data), None
    )


CONTRACT_DOC = (
    "合同编号：{{ contract.number }}",
    "合同名称：{{ contract.name }}",
    "甲方：{{ customer.name }}",
    "金额：{{ amount }} {{ currency }}（大写：{{ amount_in_words }}）",
    "签约人：{{ customer_signatory.name }} / {{ our_signatory.name }}",
    "期限：{{ contract.start_on }} 至 {{ contract.end_on }}",
)


def test_generate_fills_the_template(session, ids) -> None:
    p = make_product(session, ids["admin"], "DOC-P1", name="光传输设备", price="1000.00")
    c = make_contract(
        session, ids["ar1"], "传输设备采购合同", lines=[line(p.id, "2", sale="900.00")], our_signatory_id=ids["ar1"]
    )
    template = _upload(session, ids, docx_bytes(*CONTRACT_DOC, table_loop=True))
    data, name = documents.generate(session, scope_of(session, ids["ar1"]), c.id, template.id)
    assert name.endswith(".docx") and c.number in name
    text = docx_text(data)
    assert f"合同编号：{c.number}" in text
    assert "合同名称：传输设备采购合同" in text
    assert "甲方：广西河池电信分公司" in text
    assert "金额：1,800.00 CNY（大写：壹仟捌佰元整）" in text
    assert "签约人： / 李明" in text
    assert "光传输设备 | 2 | 1,800.00" in text  # the table row repeated per product line
    prints = documents.prints(session, scope_of(session, ids["ar1"]), c.id)
    assert [(p.template_id, p.format, p.user_id) for p in prints] == [(template.id, "docx", ids["ar1"])]


def test_values_cannot_break_the_document(session, ids) -> None:
    c = make_contract(session, ids["ar1"], 'A & B <合同> "测试"')
    template = _upload(session, ids, docx_bytes("{{ contract.name }}"))
    data, _name = documents.generate(session, scope_of(session, ids["ar1"]), c.id, template.id)
    assert 'A & B <合同> "测试"' in docx_text(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip at all", "docx"),
        (docx_bytes("{{ contract.number "), "cannot be filled"),
        (docx_bytes("{% for x in %}"), "cannot be filled"),
    ],
)
def test_bad_templates_are_refused_with_the_reason(session, ids, data: bytes, message: str) -> None:
    from loam.kit.i18n import set_locale

    set_locale("en")
    try:
        with pytest.raises(Invalid) as exc:
            _upload(session, ids, data)
        assert message in exc.value.message
    finally:
        set_locale("zh_CN")


def test_templates_run_sandboxed(session, ids) -> None:
    c = make_contract(session, ids["ar1"])
    template = _upload(session, ids, docx_bytes("[{{ ''.__class__.__mro__ }}][{{ contract.__class__ }}]"))
    data, _name = documents.generate(session, scope_of(session, ids["ar1"]), c.id, template.id)
    assert "[][]" in docx_text(data)


def test_upload_limits_and_permission(session, ids) -> None:
    with pytest.raises(Forbidden):
        _upload(session, ids, docx_bytes("x"), user="ar1")
    with pytest.raises(Invalid):
        documents.upload_template(
            session, scope_of(session, ids["admin"]), "x", "contract", "x.doc", io.BytesIO(b"x"), None
        )
    with pytest.raises(Invalid):
        _upload(session, ids, docx_bytes("x"), kind="invoice")
    big = io.BytesIO(b"0" * (documents.MAX_BYTES + 1))
    with pytest.raises(Invalid):
        documents.upload_template(session, scope_of(session, ids["admin"]), "big", "contract", "big.docx", big, None)


def test_deactivated_templates_cannot_generate(session, ids) -> None:
    c = make_contract(session, ids["ar1"])
    template = _upload(session, ids, docx_bytes("{{ contract.number }}"))
    admin = scope_of(session, ids["admin"])
    documents.set_template_active(session, admin, template.id, False)
    with pytest.raises(NotFound):
        documents.generate(session, scope_of(session, ids["ar1"]), c.id, template.id)
    assert template.id not in {t.id for t in documents.list_templates(session, scope_of(session, ids["ar1"]))}
    assert template.id in {t.id for t in documents.list_templates(session, admin, include_inactive=True)}
    with pytest.raises(NotFound):  # someone who does not manage templates does not see inactive ones
        documents.get_template(session, scope_of(session, ids["ar1"]), template.id)


def test_receipt_templates_through_the_shared_api(session, ids) -> None:
    """What the receivables domain does: render a "receipt" template with its own context, record the print."""
    template = _upload(session, ids, docx_bytes("收据 {{ receipt.number }}：{{ amount_in_words }}"), kind="receipt")
    with pytest.raises(NotFound):  # a receipt template is not a contract template
        documents.generate(session, scope_of(session, ids["ar1"]), make_contract(session, ids["ar1"]).id, template.id)
    ar1 = scope_of(session, ids["ar1"])
    data = documents.render_document(
        session, ar1, template.id, {"receipt": {"number": "SK-1"}, "amount_in_words": amount_in_words(Decimal("50"))}
    )
    assert "收据 SK-1：伍拾元整" in docx_text(data)
    documents.record_print(session, ar1, "receivable", 42, template.id, "docx")
    assert [(p.entity, p.record_id) for p in documents.prints_of(session, "receivable", 42)] == [("receivable", 42)]
    with pytest.raises(Invalid):
        documents.record_print(session, ar1, "receivable", 42, template.id, "pdf")


def test_print_view_is_recorded_and_scoped(session, ids) -> None:
    c = make_contract(session, ids["ar1"], amount=Decimal("2500"))
    ctx = documents.print_view(session, scope_of(session, ids["ar1"]), c.id)
    assert ctx["amount_in_words"] == "贰仟伍佰元整" and ctx["contract"]["number"] == c.number
    with pytest.raises(NotFound):
        documents.print_view(session, scope_of(session, ids["ar2"]), c.id)
    prints = documents.prints(session, scope_of(session, ids["director"]), c.id)
    assert [(p.format, p.template_id) for p in prints] == [("html", None)]
    assert service.get(session, scope_of(session, ids["ar1"]), c.id)
