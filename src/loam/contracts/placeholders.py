"""The placeholders a Word template may use (documented on the templates page and in docs/contracts.md), and
the sample data every uploaded template is test-rendered with."""

from __future__ import annotations

from typing import Any

from loam.kit.i18n import N_

# (placeholder, description msgid) — "contract" templates
CONTRACT_PLACEHOLDERS = [
    ("{{ contract.number }}", N_("Contract number")),
    ("{{ contract.name }}", N_("Contract name")),
    ("{{ contract.type }}", N_("Contract type")),
    ("{{ contract.signed_on }} / {{ contract.start_on }} / {{ contract.end_on }}", N_("Signed, start and end dates")),
    ("{{ contract.payment_terms }}", N_("Payment terms")),
    ("{{ contract.remark }}", N_("Remarks")),
    ("{{ contract.owner }}", N_("Owner")),
    ("{{ customer.name }} / {{ customer.address }} / {{ customer.phone }}", N_("Customer name, address, phone")),
    ("{{ signing_entity }}", N_("Our signing entity")),
    ("{{ our_signatory.name }}", N_("Our signatory")),
    ("{{ customer_signatory.name }} / {{ customer_signatory.title }}", N_("Customer's signatory and job title")),
    ("{{ amount }} {{ currency }}", N_("Amount (1,234.50) and currency")),
    ("{{ amount_in_words }}", N_("Amount in Chinese capitals (大写金额)")),
    (
        "{%tr for l in lines %} {{ l.no }} {{ l.name }} {{ l.unit }} {{ l.quantity }} {{ l.sale_price }} "
        "{{ l.subtotal }} {%tr endfor %}",
        N_("Product lines: a table row repeated per line (also l.list_price, l.discount_pct, l.remark)"),
    ),
    ("{{ lines_total }}", N_("Total of the product lines")),
    ("{{ today }}", N_("Today's date")),
]
# "receipt" templates: the receivables domain fills these (plus contract.*, customer.*, amount…)
RECEIPT_PLACEHOLDERS = [
    ("{{ receipt.number }}", N_("Receipt number")),
    ("{{ receipt.received_on }}", N_("Date received")),
    ("{{ receipt.method }}", N_("Payment method")),
    ("{{ receipt.payer }}", N_("Payer")),
    ("{{ receipt.remark }}", N_("Remarks")),
    ("{{ amount }} {{ currency }} {{ amount_in_words }}", N_("Amount received, currency, in Chinese capitals")),
    ("{{ contract.number }} {{ contract.name }} {{ customer.name }}", N_("The contract and customer")),
    ("{{ today }}", N_("Today's date")),
]


def _line(no: int) -> dict[str, Any]:
    return {
        "no": no,
        "name": f"示例产品 {no}",
        "unit": "套",
        "quantity": "2",
        "list_price": "1,000.00",
        "discount_pct": "10.00",
        "sale_price": "900.00",
        "subtotal": "1,800.00",
        "remark": "",
    }


def sample_context(kind: str) -> dict[str, Any]:
    """Realistic sample values for every documented placeholder of ``kind`` ("contract" or "receipt")."""
    contract = {
        "number": "HT-202612-00001",
        "name": "示例合同",
        "type": "销售合同",
        "amount": "3,600.00",
        "amount_in_words": "叁仟陆佰元整",
        "currency": "CNY",
        "signed_on": "2026-12-01",
        "start_on": "2026-12-01",
        "end_on": "2027-11-30",
        "payment_terms": "30% 预付款，验收后付清",
        "remark": "",
        "signing_entity": "示例科技有限公司",
        "status": "approved",
        "owner": "张三",
    }
    ctx: dict[str, Any] = {
        "contract": contract,
        "customer": {"name": "示例客户", "address": "广西河池市", "phone": "0778-0000000"},
        "our_signatory": {"name": "张三"},
        "customer_signatory": {"name": "李四", "title": "采购经理", "phone": "13800000000"},
        "signing_entity": "示例科技有限公司",
        "amount": "3,600.00",
        "amount_in_words": "叁仟陆佰元整",
        "currency": "CNY",
        "lines": [_line(1), _line(2)],
        "lines_total": "3,600.00",
        "today": "2026-12-03",
    }
    if kind == "receipt":
        ctx["receipt"] = {
            "number": "SK-202612-00001",
            "received_on": "2026-12-03",
            "method": "银行转账",
            "payer": "示例客户",
            "remark": "",
            "amount": "1,080.00",
            "amount_in_words": "壹仟零捌拾元整",
        }
    return ctx
