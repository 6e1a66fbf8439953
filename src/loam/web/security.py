"""Security headers on every response (CSP without inline scripts, no sniffing, no framing)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from loam import db

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'"
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {
                    b"content-security-policy": CSP.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"x-frame-options": b"DENY",
                    b"referrer-policy": b"same-origin",
                    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
                    b"cross-origin-opener-policy": b"same-origin",
                }
                if self.secure:
                    extra[b"strict-transport-security"] = b"max-age=31536000; includeSubDomains"
                headers += [(k, v) for k, v in extra.items() if k not in names]
                if not scope["path"].startswith("/static/") and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class WriteIntent:
    """Requests with an unsafe method are meant to write: their transaction starts with the write lock on
    SQLite (``loam.db.WRITE_INTENT``), so a commit by another connection between their reads and their
    write cannot fail them with "database is locked"."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        with db.writing():
            await self.app(scope, receive, send)


NUL_MARKERS = (b"\x00", b"%00", b"\\u0000")
CHECKED_TYPES = (b"application/json", b"application/x-www-form-urlencoded")
MAX_CHECKED_BODY = 10 * 1024 * 1024


class RejectNul:
    """Refuse NUL characters in URLs, JSON and form bodies with a 422 before any code sees them.

    PostgreSQL text cannot hold NUL, and no business field needs one; refusing them at the edge keeps
    both databases behaving the same. Multipart bodies (file uploads) are not inspected.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope["path"].encode()
        if any(m in raw_path or m in scope.get("query_string", b"") for m in NUL_MARKERS[:2]):
            await _refuse(send, 422, b'{"error":"invalid","detail":"NUL characters are not allowed."}')
            return
        ctype = dict(scope.get("headers", [])).get(b"content-type", b"")
        if not ctype.startswith(CHECKED_TYPES):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > MAX_CHECKED_BODY:
                await _refuse(send, 413, b'{"error":"too_large","detail":"Request body too large."}')
                return
        body = b"".join(chunks)
        if any(m in body for m in NUL_MARKERS):
            await _refuse(send, 422, b'{"error":"invalid","detail":"NUL characters are not allowed."}')
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
