"""One error renderer per surface (R14): JSON for the API, a page or an HTMX toast for the web."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from loam.errors import LoamError, NotAuthenticated
from loam.kit.i18n import gettext as _

log = logging.getLogger("loam")


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        out.append(
            {
                "loc": [str(p) for p in err.get("loc", ())],
                "msg": str(err.get("msg", "")),
                "type": err.get("type"),
            }
        )
    return out


def install_api_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoamError)
    async def loam_error(request: Request, exc: LoamError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, NotAuthenticated) else None
        return JSONResponse(
            {"error": exc.code, "detail": exc.message, "fields": exc.detail},
            status_code=exc.status_code,
            headers=headers,
        )

    @app.exception_handler(StaleDataError)
    async def stale(request: Request, exc: StaleDataError) -> Response:
        return JSONResponse(
            {"error": "conflict", "detail": _("Someone else changed this record. Reload and try again.")},
            status_code=409,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse({"error": "invalid", "detail": _validation_detail(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(app, request.url.path, request.scope.get("root_path", "")))
        return JSONResponse(
            {"error": "http_error", "detail": str(exc.detail)}, status_code=exc.status_code, headers=headers
        )

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            {"error": "server_error", "detail": _("Something went wrong on our side.")}, status_code=500
        )


def _allowed_methods(app: FastAPI, path: str, root_path: str) -> list[str]:
    """Every method the OpenAPI documents for this path (Starlette's 405 lists only one route's)."""
    rel = path[len(root_path) :] if root_path and path.startswith(root_path) else path
    paths = app.openapi().get("paths", {})
    exact = paths.get(rel)
    if exact is not None:
        return sorted(m.upper() for m in exact)
    for template, ops in paths.items():
        if re.fullmatch(re.sub(r"\{[^/}]+\}", "[^/]+", template), rel):
            return sorted(m.upper() for m in ops)
    return []


def install_web_handlers(app: FastAPI) -> None:
    from loam.web.templating import is_htmx, render

    def page(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api/"):  # an API URL the mount did not match: answer as the API does
            return JSONResponse({"error": "http_error", "detail": message}, status_code=status)
        if is_htmx(request):
            return Response(status_code=status, headers={"X-Loam-Message": quote(message)})
        return render(request, "error.html", {"status": status, "message": message}, status_code=status)

    @app.exception_handler(NotAuthenticated)
    async def login_needed(request: Request, exc: NotAuthenticated) -> Response:
        target = "/login?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(LoamError)
    async def loam_error(request: Request, exc: LoamError) -> Response:
        return page(request, exc.status_code, exc.message)

    @app.exception_handler(StaleDataError)
    async def stale(request: Request, exc: StaleDataError) -> Response:
        return page(request, 409, _("Someone else changed this record. Reload and try again."))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(".".join(d["loc"][1:]) or d["msg"] for d in _validation_detail(exc))
        return page(request, 422, _("Invalid input: %(fields)s", fields=fields))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = _("Page not found.") if exc.status_code == 404 else str(exc.detail)
        return page(request, exc.status_code, message)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return page(request, 500, _("Something went wrong on our side."))
