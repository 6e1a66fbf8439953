"""The flow editor's form: flat ``step-<i>-<field>`` / ``cond-<j>-<field>`` inputs ⇄ the FlowCreate/FlowUpdate shape,
and the editor's in-place operations (add, remove or move a step or condition) that re-render without saving."""

from __future__ import annotations

import re
from typing import Any

COND_FIELDS = ("field", "op", "value")
STEP_FIELDS = ("name", "approver_kind", "role_code", "level", "mode", "when_empty")
_STEP = re.compile(r"^step-(\d{1,2})-")


def _indices(form: dict[str, Any], pattern: re.Pattern[str]) -> list[int]:
    return sorted({int(m.group(1)) for key in form if (m := pattern.match(key))})


def _conditions(form: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    pattern = re.compile(rf"^{re.escape(prefix)}cond-(\d{{1,2}})-")
    out = []
    for j in _indices(form, pattern):
        cond = {f: form.get(f"{prefix}cond-{j}-{f}") for f in COND_FIELDS}
        if cond["field"] or cond["value"]:
            cond["value"] = cond["value"] or ""
            out.append(cond)
    return out


def flow_data(form: dict[str, Any]) -> dict[str, Any]:
    """The submitted editor as the API's flow body (blank condition rows dropped, steps in row order)."""
    data = {k: form.get(k) for k in ("name", "description", "priority") if form.get(k) is not None}
    data["active"] = form.get("active") == "true"
    for key in ("doc_type", "version"):
        if form.get(key) is not None:
            data[key] = form[key]
    data["conditions"] = _conditions(form, "")
    steps = []
    for i in _indices(form, _STEP):
        prefix = f"step-{i}-"
        step = {f: form.get(prefix + f) for f in STEP_FIELDS if form.get(prefix + f) is not None}
        users = form.get(prefix + "user_ids")
        step["user_ids"] = users if isinstance(users, list) else ([users] if users else [])
        step["conditions"] = _conditions(form, prefix)
        steps.append(step)
    data["steps"] = steps
    return data


def blank_step() -> dict[str, Any]:
    return {"name": "", "approver_kind": "dept_head", "mode": "any", "when_empty": "admin", "user_ids": []}


def apply_op(data: dict[str, Any], op: str) -> dict[str, Any]:
    """One editor operation on the (unsaved) values: add_step, remove_step-i, up_step-i, add_cond, add_cond-i,
    remove_cond-j, remove_cond-i-j, refresh (e.g. after the approver kind changed)."""
    steps: list[dict[str, Any]] = data.setdefault("steps", [])
    parts = op.split("-")
    nums = [int(p) for p in parts[1:] if p.isdigit()]
    blank = {"field": "", "op": "eq", "value": ""}
    if op == "add_step":
        steps.append(blank_step())
    elif parts[0] == "remove_step" and nums and nums[0] < len(steps):
        steps.pop(nums[0])
    elif parts[0] == "up_step" and nums and 0 < nums[0] < len(steps):
        steps[nums[0] - 1], steps[nums[0]] = steps[nums[0]], steps[nums[0] - 1]
    elif op == "add_cond":
        data.setdefault("conditions", []).append(blank)
    elif parts[0] == "add_cond" and nums and nums[0] < len(steps):
        steps[nums[0]].setdefault("conditions", []).append(blank)
    elif parts[0] == "remove_cond" and len(nums) == 1 and nums[0] < len(data.get("conditions", [])):
        data["conditions"].pop(nums[0])
    elif parts[0] == "remove_cond" and len(nums) == 2 and nums[0] < len(steps):
        conds = steps[nums[0]].get("conditions", [])
        if nums[1] < len(conds):
            conds.pop(nums[1])
    return data


def flow_values(flow: Any, steps: list[Any]) -> dict[str, Any]:
    """A stored flow as the editor's values."""
    return {
        "doc_type": flow.doc_type,
        "name": flow.name,
        "description": flow.description,
        "active": flow.active,
        "priority": flow.priority,
        "version": flow.version,
        "conditions": list(flow.conditions or []),
        "steps": [
            {
                "name": s.name,
                "approver_kind": s.approver_kind,
                "user_ids": list(s.user_ids or []),
                "role_code": s.role_code,
                "level": s.level,
                "mode": s.mode,
                "when_empty": s.when_empty,
                "conditions": list(s.conditions or []),
            }
            for s in steps
        ],
    }


def action_data(form: dict[str, Any]) -> dict[str, Any]:
    """An action form (comment, to_step, user_id, user_ids[]) as the API's body."""
    data = {k: form[k] for k in ("comment", "to_step", "user_id") if form.get(k) is not None}
    if "user_ids" in form:
        users = form["user_ids"]
        data["user_ids"] = users if isinstance(users, list) else [users]
    return data
