"""Turning the OA page forms into the API's schemas: ``v_<key>`` inputs are a request's values; the type editor's
rows ``f-<n>-<attribute>`` are its fields."""

from __future__ import annotations

import re
from typing import Any

from loam.oa.models import OaType

MAX_ROWS = 40
BLANK_ROWS = 3
_ROW = re.compile(r"^f-(\d{1,2})-key$")


def request_data(form: dict[str, Any]) -> dict[str, Any]:
    """The form as a RequestCreate/RequestUpdate dict: ``v_<key>`` fields go under ``values``."""
    values = {k[2:]: v for k, v in form.items() if k.startswith("v_")}
    keep = {k: v for k, v in form.items() if k in ("title", "content", "type", "version")}
    return keep | {"values": values}


def _choices(text: Any) -> list[str]:
    if not isinstance(text, str):
        return []
    return [c.strip() for c in re.split(r"[\n,，、;；]", text) if c.strip()]


def type_data(form: dict[str, Any]) -> dict[str, Any]:
    """The type editor as a TypeCreate/TypeUpdate dict; rows whose key is blank are dropped (that removes a
    field)."""
    rows = sorted(int(m.group(1)) for k in form if (m := _ROW.match(k)))[:MAX_ROWS]
    fields = []
    for n in rows:
        key = form.get(f"f-{n}-key")
        if not key:
            continue
        kind = form.get(f"f-{n}-kind") or "text"
        fields.append(
            {
                "key": key,
                "label_zh": form.get(f"f-{n}-label_zh"),
                "label_en": form.get(f"f-{n}-label_en") or form.get(f"f-{n}-label_zh"),
                "kind": kind,
                "required": form.get(f"f-{n}-required") == "true",
                "choices": _choices(form.get(f"f-{n}-choices")) if kind == "select" else [],
            }
        )
    keep = ("code", "name_zh", "name_en", "description", "sort", "version")
    out = {k: form.get(k) for k in keep if k in form}
    out["active"] = form.get("active") == "true"
    if out.get("sort") is None:
        out["sort"] = 0
    return out | {"fields": fields}


def editor_rows(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The type editor's rows: the fields, then a few blank rows for new ones."""
    rows = [dict(f) | {"choices_text": "\n".join(f.get("choices") or [])} for f in fields]
    blank = {"key": "", "label_zh": "", "label_en": "", "kind": "text", "required": False, "choices_text": ""}
    return rows + [dict(blank) for _ in range(BLANK_ROWS)]


def type_values(oa_type: OaType) -> dict[str, Any]:
    """A stored type as the editor's values."""
    keep = ("code", "name_zh", "name_en", "description", "active", "sort", "version")
    return {k: getattr(oa_type, k) for k in keep} | {"fields": list(oa_type.fields or [])}
