"""The Jinja environment: gettext from the request's locale, url_for, formatting filters, render helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, pass_context, select_autoescape
from starlette.datastructures import URL, URLPath

from loam.config import settings
from loam.kit import i18n
from loam.kit.audit import action_label, field_label

HERE = Path(__file__).resolve().parent
PKG = HERE.parent

# Domains may keep templates in <domain>/templates; web/templates comes first.
env = Environment(
    loader=ChoiceLoader(
        [FileSystemLoader(str(HERE / "templates"))]
        + [FileSystemLoader(str(p)) for p in sorted(PKG.glob("*/templates")) if p.parent.name != "web"]
    ),
    autoescape=select_autoescape(["html", "xml"], default_for_string=True),
    extensions=["jinja2.ext.i18n"],
)
templates = Jinja2Templates(env=env)

# Sentinels standing for path parameters while a route's path is worked out once (far from any real id).
_SENTINEL = 9_876_543_210_000
_TEXT = re.compile(r"[A-Za-z0-9_.~-]+")
_TEXT_PATH = re.compile(r"[A-Za-z0-9_.~-]+(/[A-Za-z0-9_.~-]+)*")


@dataclass(frozen=True)
class _PathTemplate:
    path: str  # with {name} for each parameter
    text: frozenset[str]  # parameters that take text (a str convertor), not only integers
    slashes: frozenset[str]  # parameters that take text with slashes (a path convertor)


def _accepts(app: Any, name: str, params: dict[str, Any]) -> bool:
    try:
        app.url_path_for(name, **params)
    except Exception:  # noqa: BLE001 - the route's convertor refused the sample
        return False
    return True


def _path_template(app: Any, name: str, keys: tuple[str, ...]) -> _PathTemplate | None:
    """The route's path with ``{key}`` placeholders, or None when no sample values fit its convertors."""
    ints: dict[str, Any] = {k: _SENTINEL + i for i, k in enumerate(keys)}
    texts: dict[str, Any] = {k: f"loamsample{_SENTINEL + i}" for i, k in enumerate(keys)}
    base = next((b for b in (ints, texts) if _accepts(app, name, b)), None)
    if base is None:
        return None
    path = str(app.url_path_for(name, **base))
    text = frozenset(k for k in keys if _accepts(app, name, base | {k: texts[k]}))
    slashes = frozenset(k for k in text if _accepts(app, name, base | {k: f"loam/sample/{_SENTINEL}"}))
    for k, v in base.items():
        path = path.replace(str(v), "{" + k + "}")
    return _PathTemplate(path, text, slashes)


def _cacheable(template: _PathTemplate, key: str, value: Any) -> bool:
    if type(value) is int:
        return value >= 0
    if type(value) is not str or key not in template.text:
        return False
    return bool((_TEXT_PATH if key in template.slashes else _TEXT).fullmatch(value)) and ".." not in value


def path_for(app: Any, name: str, params: dict[str, Any]) -> str:
    """``app.url_path_for`` with each route's path worked out once per name and parameter names: FastAPI walks
    every route (~5 ms here) on each call, and a list renders a link per row. Values the route's convertors are
    known to take as they are (non-negative integers; plain text where the route takes text) fill the cached
    path; anything else asks the router."""
    cache: dict[tuple[str, tuple[str, ...]], _PathTemplate | None] | None = getattr(app.state, "path_templates", None)
    if cache is None:
        cache = app.state.path_templates = {}
    keys = tuple(sorted(params))
    if (name, keys) not in cache:
        cache[(name, keys)] = _path_template(app, name, keys)
    template = cache[(name, keys)]
    if template is None or not all(_cacheable(template, k, v) for k, v in params.items()):
        return str(app.url_path_for(name, **params))
    return template.path.format(**params)


@pass_context
def url_for(context: dict[str, Any], name: str, /, **params: Any) -> URL:
    """The templates' ``url_for`` (as Starlette's: an absolute URL), through :func:`path_for`."""
    request: Request = context["request"]
    return URLPath(path_for(request.app, name, params)).make_absolute_url(base_url=request.base_url)


env.globals["url_for"] = url_for
env.install_gettext_callables(  # type: ignore[attr-defined]
    lambda s, **kw: i18n.gettext(s, **kw), lambda s, p, n, **kw: i18n.ngettext(s, p, n, **kw), newstyle=True
)
env.globals["get_locale"] = i18n.get_locale
env.globals["LOCALES"] = i18n.LOCALE_NAMES
env.globals["pick"] = i18n.pick
env.policies["ext.i18n.trimmed"] = True


def local(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.astimezone(ZoneInfo(settings.timezone))


def fmt_datetime(dt: Any) -> str:
    if not isinstance(dt, datetime):
        return dt if isinstance(dt, str) else ""
    value = local(dt)
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def fmt_date(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value)
        assert value is not None
    return value.strftime("%Y-%m-%d")


def input_datetime(dt: Any) -> str:
    """The value of a datetime-local input: a re-rendered form keeps the raw text the user typed."""
    if isinstance(dt, str):
        return dt
    if not isinstance(dt, datetime):
        return ""
    value = local(dt)
    return value.strftime("%Y-%m-%dT%H:%M") if value else ""


env.filters["dt"] = fmt_datetime
env.filters["d"] = fmt_date
env.filters["input_dt"] = input_datetime
env.filters["action"] = action_label
env.filters["field"] = field_label


def change_value(value: Any, field: str, names: dict[int, str] | None = None) -> str:
    """An old/new value of the history tab: user ids as names, timestamps in company time, yes/no."""
    if value is None or value == "":
        return "—"
    if field in ("owner_id", "previous_owner_id") and names and isinstance(value, int):
        return names.get(value, str(value))
    if isinstance(value, bool):
        return i18n.gettext("Yes") if value else i18n.gettext("No")
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        try:
            return fmt_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


env.filters["change"] = change_value


def _collect(routes: Any, names: set[str]) -> None:
    for route in routes:
        if getattr(route, "name", None):
            names.add(route.name)
        inner = getattr(route, "original_router", None) or getattr(route, "router", None)
        if inner is not None and getattr(inner, "routes", None) is not None and inner is not route:
            _collect(inner.routes, names)


def _route_names(request: Request) -> set[str]:
    names = getattr(request.app.state, "route_names", None)
    if names is None:
        names = set()
        _collect(request.app.router.routes, names)
        request.app.state.route_names = names
    return names


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    ctx = dict(context or {})
    ctx.setdefault("scope", getattr(request.state, "scope", None))
    ctx.setdefault("has_route", lambda name: name in _route_names(request))
    ctx.setdefault("csrf_token", getattr(request.state, "csrf", None) or getattr(request.state, "login_csrf", ""))
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def render_parts(request: Request, parts: list[tuple[str | None, str, dict[str, Any]]]) -> HTMLResponse:
    """One HTMX response holding several fragments, each rendered with its own context: ``(None, template, ctx)``
    is swapped into the requesting element; ``(element_id, template, ctx)`` replaces the content of the element
    with that id out of band (``hx-swap-oob``). Lets one request fill sections that share their computation."""
    base = {
        "request": request,
        "scope": getattr(request.state, "scope", None),
        "has_route": lambda name: name in _route_names(request),
        "csrf_token": getattr(request.state, "csrf", None) or "",
    }
    html = []
    for target, name, context in parts:
        body = env.get_template(name).render(base | context)
        html.append(body if target is None else f'<div id="{target}" hx-swap-oob="innerHTML">{body}</div>')
    return HTMLResponse("".join(html))


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def redirect(request: Request, url: str) -> Response:
    """Post/Redirect/Get; for HTMX requests an HX-Redirect header instead (R18)."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": str(url)})
    return RedirectResponse(str(url), status_code=303)
