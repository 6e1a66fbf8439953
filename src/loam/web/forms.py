"""Form handling for pages: the form as a dict, parsed into the same Pydantic schemas the API uses (R18)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, ValidationError

from loam.errors import Invalid, LoamError
from loam.kit.i18n import gettext as _

M = TypeVar("M", bound=BaseModel)
MULTI_SUFFIX = "[]"


@cache
def lax(model: type[M]) -> type[M]:
    """The same schema for a submitted form: text inputs may stand for numbers and booleans (JSON bodies, parsed
    with the strict schema itself, stay strict)."""
    return type(f"{model.__name__}Form", (model,), {"model_config": ConfigDict(strict=False), "__module__": __name__})


async def form_dict(request: Request) -> dict[str, Any]:
    """The submitted form: ``name[]`` fields become lists, ``cf_<key>`` fields go under ``custom``."""
    form = await request.form()
    out: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        if key.endswith(MULTI_SUFFIX):
            value: Any = [v for v in form.getlist(key) if isinstance(v, str) and v != ""]
            key = key[: -len(MULTI_SUFFIX)]
        else:
            raw = form.get(key)
            # An empty input means "no value": forms send "" where JSON clients send null.
            value = raw if isinstance(raw, str) and raw != "" else None
        if key.startswith("cf_"):
            custom[key[3:]] = value
        else:
            out[key] = value
    if custom:
        out["custom"] = custom
    return out


FormData = Annotated[dict[str, Any], Depends(form_dict)]


def query_dict(request: Request) -> dict[str, Any]:
    """Query parameters without the empty ones (a filter form's "any" option sends "")."""
    return {k: v for k, v in request.query_params.items() if v != "" and not k.startswith("cf_")}


def parse(model: type[M], data: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    """Validate a form; on failure return the messages per field (``custom.<key>`` for custom fields)."""
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "__all__"
            errors.setdefault(loc, _translate_pydantic(err))
        return None, errors


def errors_of(exc: LoamError) -> dict[str, str]:
    """Field errors carried by a service error (``detail`` dict), else a form-level message."""
    if isinstance(exc.detail, dict):
        out = {str(k): str(v) for k, v in exc.detail.items()}
        out.setdefault("__all__", exc.message)
        return out
    return {"__all__": exc.message}


def _translate_pydantic(err: Any) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing" or (err.get("input", "") is None and kind.endswith("_type")):
        return _("This field is required.")
    if kind == "string_too_short":
        return _("This field is required.") if ctx.get("min_length") == 1 else _("Too short.")
    if kind == "string_too_long":
        return _("At most %(n)s characters.", n=ctx.get("max_length", ""))
    if kind in (
        "datetime_from_date_parsing",
        "datetime_parsing",
        "date_from_datetime_parsing",
        "date_parsing",
    ):
        return _("Enter a valid date.")
    if kind in ("int_parsing", "float_parsing", "decimal_parsing"):
        return _("Enter a number.")
    if kind in ("literal_error", "enum"):
        return _("Choose one of the listed options.")
    if kind == "value_error" and "email" in str(err.get("msg", "")).lower():
        return _("Enter a valid email address.")
    return _("This value is not valid.")


def raise_invalid(errors: dict[str, str]) -> None:
    """For small action forms (no form page to re-render): a 422 naming the bad fields."""
    raise Invalid(_("Invalid input: %(fields)s", fields="; ".join(f"{k}: {v}" for k, v in errors.items())))


def list_filters(model: type[M], custom: bool = False) -> Callable[[Request], M]:
    """A dependency parsing a list page's filter form into ``model`` (the API's filter schema): blank options
    mean "any", bad values give a 422 page; with ``custom``, ``cf_<key>`` parameters filter custom fields."""

    def dependency(request: Request) -> M:
        data, errors = parse(model, {k: v for k, v in query_dict(request).items() if k not in ("page", "sort")})
        if data is None:
            raise_invalid(errors)
        assert data is not None
        if custom:
            data.custom = {k[3:]: v[:200] for k, v in request.query_params.items() if k.startswith("cf_") and v}  # type: ignore[attr-defined]
        return data

    return dependency


def record_id(value: Any) -> int | None:
    """A record id from a form or query value, or None when it is not one (never an out-of-range int)."""
    from loam.kit.schemas import MAX_ID

    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and 1 <= number <= MAX_ID else None


def submit(
    session: Any,
    form: dict[str, Any],
    schema: type[M],
    action: Callable[[M], Any],
    rerender: Callable[[dict[str, str], int], Any],
) -> tuple[Any, Any]:
    """The body of every form POST: parse ``form`` into ``schema`` and run ``action``; on bad input (422) or a
    rule the service refuses (409, 422…), roll back and return ``(None, rerender(errors, status))`` so the
    form shows the messages; 403 and 404 propagate to the error page. Otherwise ``(result, None)``."""
    data, errors = parse(schema, form)
    if data is None:
        return None, rerender(errors, 422)
    try:
        return action(data), None
    except LoamError as exc:
        if exc.status_code in (403, 404):
            raise
        session.rollback()
        return None, rerender(errors_of(exc), exc.status_code)
