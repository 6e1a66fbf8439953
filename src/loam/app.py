"""create_app(): the JSON API at /api/v1, the pages at /, static files at /static (DESIGN.md §2)."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from loam import __version__
from loam.config import settings
from loam.kit.i18n import set_locale
from loam.web import errors
from loam.web.security import RejectNul, SecurityHeaders, WriteIntent
from loam.web.templating import HERE, templates

# Domains with HTTP surfaces; each may have api.py (router) and views.py (router).
DOMAINS = (
    "auth",
    "dashboard",
    "org",
    "customers",
    "pools",
    "leads",
    "contacts",
    "activities",
    "notifications",
    "recycle",
    "customfields",
    "bgjobs",
    "imports",
    "exports",
    "search",
    "merge",
    "savedviews",
    "products",
    "opportunities",
    "approvals",
    "contracts",
    "receivables",
    "reports",
    "relationships",
    "oa",
)


def _routers(module: str) -> list:  # type: ignore[type-arg]
    found = []
    for domain in DOMAINS:
        try:
            mod = importlib.import_module(f"loam.{domain}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name in (f"loam.{domain}", f"loam.{domain}.{module}"):
                continue
            raise
        found.append(mod.router)
    return found


class ErrorOut(BaseModel):
    """Every API error has this shape (R14)."""

    error: str
    detail: Any = None
    fields: Any = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in (
        (400, "Malformed request body"),
        (401, "Not authenticated"),
        (403, "Not permitted"),
        (404, "Not found or not visible to the caller"),
        (409, "Conflict: stale version, duplicate or illegal transition"),
        (422, "Invalid input"),
        (429, "Too many attempts"),
    )
}


def create_api() -> FastAPI:
    api = FastAPI(
        title="Loam API",
        version=__version__,
        description="The Loam CRM REST API. Authenticate with `POST /api/v1/auth/token` or a personal access token.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    errors.install_api_handlers(api)
    for router in _routers("api"):
        api.include_router(router, responses=ERROR_RESPONSES)

    @api.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "api_docs.html", {})

    return api


def create_app() -> FastAPI:
    logging.basicConfig(level=logging.INFO)
    app = FastAPI(title="Loam", docs_url=None, redoc_url=None, openapi_url=None)
    errors.install_web_handlers(app)

    @app.middleware("http")
    async def default_locale(request: Request, call_next):  # type: ignore[no-untyped-def]
        set_locale(
            request.cookies.get("loam_locale") or request.headers.get("accept-language") or settings.default_locale
        )
        return await call_next(request)

    app.mount("/api/v1", create_api())
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for router in _routers("views"):
        app.include_router(router)
    app.add_middleware(WriteIntent)
    app.add_middleware(RejectNul)
    app.add_middleware(SecurityHeaders, secure=settings.secure_cookies)
    return app
