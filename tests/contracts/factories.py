"""Typed factories for contract tests; they go through the real services (R27)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from loam.contracts import service
from loam.contracts.models import Contract
from loam.contracts.schemas import ContractCreate
from tests.helpers import make_customer, scope_of


def make_contract(
    session: Session, owner_id: int, name: str = "河池电信传输网扩容合同", customer_id: int | None = None, **fields: Any
) -> Contract:
    if customer_id is None and "opportunity_id" not in fields:
        customer_id = make_customer(session, owner_id, "广西河池电信分公司").id
    data = ContractCreate(name=name, customer_id=customer_id, **fields)
    contract = service.create(session, scope_of(session, owner_id), data)
    session.flush()
    return contract


def make_opportunity(session: Session, owner_id: int, customer_id: int, amount: str = "500000", **fields: Any) -> Any:
    from loam.opportunities import service as opportunity_service
    from loam.opportunities.schemas import OpportunityCreate

    data = OpportunityCreate(
        name=fields.pop("name", "传输网扩容项目"), customer_id=customer_id, amount=Decimal(amount), **fields
    )
    opp = opportunity_service.create(session, scope_of(session, owner_id), data)
    session.flush()
    return opp


def docx_bytes(*paragraphs: str, table_loop: bool = False) -> bytes:
    """A Word document whose paragraphs are the given (docxtpl) texts; optionally a product-lines table whose
    middle row repeats per line (``{%tr for l in lines %}`` … ``{%tr endfor %}``)."""
    from docx import Document

    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    if table_loop:
        table = doc.add_table(rows=4, cols=3)
        table.rows[0].cells[0].text = "产品"
        table.rows[0].cells[1].text = "数量"
        table.rows[0].cells[2].text = "小计"
        table.rows[1].cells[0].text = "{%tr for l in lines %}"
        table.rows[2].cells[0].text = "{{ l.name }}"
        table.rows[2].cells[1].text = "{{ l.quantity }}"
        table.rows[2].cells[2].text = "{{ l.subtotal }}"
        table.rows[3].cells[0].text = "{%tr endfor %}"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """All the text of a .docx (paragraphs and table cells), one line each."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)
