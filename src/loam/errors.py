"""Errors that carry their HTTP status (DESIGN.md R14/R15)."""

from __future__ import annotations

from typing import Any


class LoamError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str = "", detail: Any = None) -> None:
        super().__init__(message or self.code)
        self.message = message or self.code
        self.detail = detail


class NotAuthenticated(LoamError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(LoamError):
    status_code = 403
    code = "forbidden"


class NotFound(LoamError):
    status_code = 404
    code = "not_found"


class Conflict(LoamError):
    status_code = 409
    code = "conflict"


class Invalid(LoamError):
    """Input that is well-formed but breaks a business rule (422)."""

    status_code = 422
    code = "invalid"


class TooManyRequests(LoamError):
    status_code = 429
    code = "too_many_requests"
