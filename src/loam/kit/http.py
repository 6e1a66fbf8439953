"""Transaction framing for HTTP (R4): one session per request, committed before the response is sent."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Path, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from loam import db


def get_db(request: Request) -> Session:
    """The request's session; opened on first use and finished by :class:`TxRoute`."""
    session = getattr(request.state, "db", None)
    if session is None:
        session = db.SessionLocal()
        request.state.db = session
    return session


DbSession = Annotated[Session, Depends(get_db)]


def _finish(session: Session, ok: bool) -> None:
    try:
        if ok:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


class TxRoute(APIRoute):
    """Commits the request's session after the endpoint returns and before the response leaves.

    Any exception (including a failed commit) rolls back, so a client never sees a success that was
    not stored; error responses (status >= 400) built by the endpoint itself roll back too.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await original(request)
            except BaseException:
                session = getattr(request.state, "db", None)
                if session is not None:
                    request.state.db = None
                    await run_in_threadpool(_finish, session, False)
                raise
            session = getattr(request.state, "db", None)
            if session is not None:
                request.state.db = None
                await run_in_threadpool(_finish, session, response.status_code < 400)
            return response

        return handler


# A record id in a URL: bounded like loam.kit.schemas.Id so an out-of-range id is a 422, never a 500.
PathId = Annotated[int, Path(ge=1, le=2_147_483_647)]


def custom_filters(
    request: Request, model: type[BaseModel], extra: tuple[str, ...] = ("page", "page_size", "sort")
) -> dict[str, str]:
    """``cf_<key>=value`` query parameters of a list endpoint, which filter on custom fields. Any other
    parameter the list does not know is a 422, so a misspelt or mis-serialised filter never silently
    returns the unfiltered list."""
    from loam.errors import Invalid
    from loam.kit.i18n import gettext as _

    known = set(model.model_fields) - {"custom"} | set(extra)
    unknown = [k for k in request.query_params if k not in known and not (k.startswith("cf_") and len(k) < 50)]
    if unknown:
        raise Invalid(_("Unknown query parameter: %(name)s", name=unknown[0][:40]))
    return {k[3:]: v[:200] for k, v in request.query_params.items() if k.startswith("cf_") and len(k) < 50}
