"""The settings editor (关系方法设置): every section of :class:`~loam.relationships.settings.MethodSettings` as one
form, the rules the schema alone does not state (bands and grades in descending order, a default department
template, …) with messages in the reader's language, and saving as a new version.

Form fields are named by their path in the settings document (``health.weights.key``, ``stages.0.zh``,
``org.items.2.weight``, ``coverage.templates.telecom`` — one department per line), so a validation error names the
field it belongs to.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from loam.authz.scope import Scope
from loam.errors import Conflict, Invalid, NotFound
from loam.kit.choices import INDUSTRIES
from loam.kit.i18n import gettext as _
from loam.relationships import access
from loam.relationships import settings as method_settings
from loam.relationships.models import RelationshipSettings
from loam.relationships.settings import MethodSettings, SettingsWrite
from loam.web.forms import _translate_pydantic

LIST_PATHS = ("stages", "org.items")
BLANK_ITEMS = 2  # empty checklist rows offered for adding items


def template_keys(data: dict[str, Any]) -> list[str]:
    """The department templates the editor shows: default, every industry, and any other stored key."""
    stored = list(data.get("coverage", {}).get("templates", {}))
    return ["default", *INDUSTRIES, *[k for k in stored if k != "default" and k not in INDUSTRIES]]


def to_document(form: dict[str, Any]) -> dict[str, Any]:
    """The submitted form (flat dotted names) as the nested settings document; checklist rows left blank or
    ticked for removal are dropped, empty department templates are left out (the industry uses the default)."""
    doc: dict[str, Any] = {}
    for name, value in form.items():
        if name in ("note", "base_version") or not isinstance(name, str) or "." not in name:
            continue
        node = doc
        parts = name.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    for path in LIST_PATHS:
        _listify(doc, path.split("."))
    items = doc.get("org", {}).get("items")
    if isinstance(items, list):
        doc["org"]["items"] = [i for i in items if _kept(i)]
    templates = doc.get("coverage", {}).get("templates")
    if isinstance(templates, dict):
        doc["coverage"]["templates"] = {
            k: lines
            for k, v in templates.items()
            if (lines := [s.strip() for s in (v or "").splitlines() if s.strip()])
        }
    return doc


def _listify(doc: dict[str, Any], path: list[str]) -> None:
    parent = doc
    for part in path[:-1]:
        parent = parent.get(part) if isinstance(parent, dict) else None  # type: ignore[assignment]
        if parent is None:
            return
    rows = parent.get(path[-1])
    if isinstance(rows, dict):
        parent[path[-1]] = [rows[k] for k in sorted(rows, key=lambda k: int(k) if k.isdigit() else 10**6)]


def _kept(item: Any) -> bool:
    if not isinstance(item, dict) or item.pop("remove", None) in ("true", "on", True):
        return False
    return any(item.get(k) not in (None, "") for k in ("key", "zh", "en", "weight"))


def rule_errors(data: MethodSettings) -> dict[str, str]:
    """What the schema accepts but the method does not: bounds out of order, every weight zero, an empty
    default template."""
    errors: dict[str, str] = {}
    descending = (
        ("health.bands", [data.health.bands[k] for k in ("healthy", "sub_healthy", "at_risk")]),
        ("coverage.grades", [data.coverage.grades[k] for k in ("A", "B", "C")]),
        ("org.grades", [data.org.grades[k] for k in ("A", "B")]),
    )
    for name, bounds in descending:
        if any(a <= b for a, b in pairwise(bounds)):
            errors[name] = _("Each lower bound must be below the one before it.")
    for name, weights in (
        ("health.weights", data.health.weights),
        ("key.weights", data.key.weights),
        ("coverage.level_weights", data.coverage.level_weights),
        ("key.influence_weights", data.key.influence_weights),
    ):
        if sum(weights.values()) <= 0:
            errors[name] = _("The weights must not all be 0.")
    if sum(i.weight for i in data.org.items) <= 0:
        errors["org.items"] = _("The weights must not all be 0.")
    if not data.coverage.templates.get("default"):
        errors["coverage.templates.default"] = _("The default template needs at least one department.")
    return errors


def parse(form: dict[str, Any]) -> tuple[SettingsWrite | None, dict[str, str]]:
    """The form as a :class:`SettingsWrite`, or the messages per field (dotted names, ``__all__`` for the form)."""
    doc = to_document(form)
    try:
        data = SettingsWrite.model_validate({"data": doc, "note": form.get("note")})
    except ValidationError as exc:
        return None, _messages(exc)
    errors = rule_errors(data.data)
    if errors:
        errors.setdefault("__all__", _("Check the highlighted settings."))
        return None, errors
    return data, {}


def _messages(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        name = ".".join(loc[1:] if loc and loc[0] == "data" else loc) or "__all__"
        name, message = _message(name, err)
        errors.setdefault(name, message)
    errors.setdefault("__all__", _("Check the highlighted settings."))
    return errors


def _message(name: str, err: Any) -> tuple[str, str]:
    """A field's message in the reader's language; the settings' own whole-section rules name their field."""
    kind, ctx, msg = err.get("type", ""), err.get("ctx") or {}, str(err.get("msg", ""))
    if kind in ("greater_than_equal", "greater_than"):
        return name, _("At least %(n)s.", n=ctx.get("ge", ctx.get("gt", "")))
    if kind in ("less_than_equal", "less_than"):
        return name, _("At most %(n)s.", n=ctx.get("le", ctx.get("lt", "")))
    if kind == "string_pattern_mismatch":
        return name, _("Lower-case letters, digits and _ only, starting with a letter.")
    if kind == "value_error":
        if "must not all be 0" in msg:
            return f"{name}.weights", _("The weights must not all be 0.")
        if "'default' template" in msg:
            return "coverage.templates.default", _("The default template needs at least one department.")
        if "unique" in msg:
            return "org.items", _("Every checklist item needs its own key.")
    return name, _translate_pydantic(err)


def save(session: Session, scope: Scope, data: SettingsWrite, base_version: int | None = None) -> RelationshipSettings:
    """Store the settings as the next version (relationships.manage; 403 otherwise). 422 with the fields when a rule
    is broken; 409 when ``base_version`` (the version the editor was opened on) is no longer the one in force."""
    access.require_manage(scope)
    errors = rule_errors(data.data)
    if errors:
        raise Invalid(_("Check the highlighted settings."), detail=errors)
    current = method_settings.current_row(session)
    if base_version is not None and base_version != current.version:
        raise Conflict(
            _("Someone stored version %(n)s meanwhile: reload the page to see it.", n=current.version),
            detail={
                "__all__": _("Someone stored version %(n)s meanwhile: reload the page to see it.", n=current.version)
            },
        )
    return method_settings.save(session, scope, data)


def require_manage(scope: Scope) -> None:
    """The editor needs relationships.manage (403)."""
    access.require_manage(scope)


def current(session: Session, scope: Scope) -> RelationshipSettings:
    """The version in force (relationships.view)."""
    access.require_view(scope)
    return method_settings.current_row(session)


def history(session: Session, scope: Scope) -> list[RelationshipSettings]:
    """Every version, newest first (relationships.manage)."""
    access.require_manage(scope)
    return method_settings.history(session, scope)


def version(session: Session, scope: Scope, number: int) -> RelationshipSettings:
    """One stored version (relationships.manage; 404 when there is none)."""
    access.require_manage(scope)
    row = method_settings.version_row(session, number)
    if row is None:
        raise NotFound(_("There is no settings version %(n)s.", n=number))
    return row
