"""Web form helpers of the receivables pages: option lists, batch rows, allocation inputs, safe "next" links.

Forms are parsed into the same Pydantic schemas as the API (R18); these helpers only reshape the flat form
fields (``rows-3-amount``, ``alloc-17``) into the nested data those schemas take, and back for the errors.
"""

from __future__ import annotations

import re
from typing import Any

from loam.kit.choices import translated
from loam.receivables.schemas import (
    BUCKETS,
    FREQUENCIES,
    INVOICE_KINDS,
    INVOICE_STATUSES,
    METHODS,
    MILESTONES,
    PLAN_STATUSES,
    RECEIPT_STATUSES,
)

ROW_FIELD = re.compile(r"rows-(\d{1,3})-(due_on|amount|milestone|site|remark)")
ALLOC_FIELD = re.compile(r"alloc-(\d{1,10})")
BATCH_ROWS = 5


def options() -> dict[str, Any]:
    return {
        "milestones": translated(MILESTONES),
        "plan_statuses": translated(PLAN_STATUSES),
        "methods": translated(METHODS),
        "receipt_statuses": translated(RECEIPT_STATUSES),
        "invoice_kinds": translated(INVOICE_KINDS),
        "invoice_statuses": translated(INVOICE_STATUSES),
        "frequencies": translated(FREQUENCIES),
        "MILESTONES": MILESTONES,
        "PLAN_STATUSES": PLAN_STATUSES,
        "METHODS": METHODS,
        "RECEIPT_STATUSES": RECEIPT_STATUSES,
        "INVOICE_KINDS": INVOICE_KINDS,
        "INVOICE_STATUSES": INVOICE_STATUSES,
        "BUCKETS": BUCKETS,
    }


def batch_data(form: dict[str, Any]) -> dict[str, Any]:
    """``rows-N-field`` inputs → ``{"contract_id", "rows": [...]}``; rows left completely blank are skipped. The
    form's custom field inputs (one set, under the table) go to every row."""
    rows: dict[int, dict[str, Any]] = {}
    for key, value in form.items():
        m = ROW_FIELD.fullmatch(key)
        if m and value is not None:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = value
    custom = form.get("custom") or {}
    return {"contract_id": form.get("contract_id"), "rows": [rows[i] | {"custom": custom} for i in sorted(rows)]}


def batch_rows(form: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows to show again in a re-rendered batch form (at least :data:`BATCH_ROWS`)."""
    rows = [{k: v for k, v in row.items() if k != "custom"} for row in batch_data(form)["rows"]]
    return rows + [{} for _ in range(max(BATCH_ROWS - len(rows), 1))]


def receipt_data(form: dict[str, Any]) -> dict[str, Any]:
    """The receipt fields plus ``allocations``: mode "auto" → None (oldest due first), "none" → [], "manual" →
    the non-empty ``alloc-<plan id>`` amounts."""
    data = {k: v for k, v in form.items() if not ALLOC_FIELD.fullmatch(k) and k != "allocate"}
    mode = form.get("allocate") or "auto"
    if mode == "auto":
        data["allocations"] = None
    elif mode == "none":
        data["allocations"] = []
    else:
        picked = [(ALLOC_FIELD.fullmatch(k), v) for k, v in form.items()]
        data["allocations"] = [{"plan_id": m.group(1), "amount": v} for m, v in picked if m and v is not None]
    return data


def manual_amounts(form: dict[str, Any]) -> dict[int, str]:
    """``{plan id: typed amount}`` of a re-rendered receipt form."""
    out = {}
    for key, value in form.items():
        m = ALLOC_FIELD.fullmatch(key)
        if m and value is not None:
            out[int(m.group(1))] = str(value)
    return out


def flat_errors(errors: dict[str, str]) -> dict[str, str]:
    """Schema error locations as the form names them: ``rows.2.amount`` → ``rows-2-amount``; a batch row's
    custom field (``rows.2.custom.region``) → the form's one set of custom inputs (``custom.region``)."""
    out: dict[str, str] = {}
    for key, message in errors.items():
        parts = key.split(".")
        if len(parts) == 4 and parts[0] == "rows" and parts[1].isdigit() and parts[2] == "custom":
            key = f"custom.{parts[3]}"
        elif len(parts) == 3 and parts[0] in ("rows", "allocations") and parts[1].isdigit():
            key = "-".join(parts)
        out.setdefault(key, message)
    return out


def safe_next(value: Any) -> str | None:
    """A same-site path to go back to after a form (``/contracts/12``), never an outside URL."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value[:500]
    return None
