"""The front door's one middleware: body limit, security headers, a privacy-safe access log.

Pure ASGI, so it also guards routes that stream. It logs method, path, status and time,
never a query string, a body, a phone number or a sender id.
"""
from __future__ import annotations

import logging
import time

from fastapi.responses import JSONResponse

log = logging.getLogger("bot.web")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
]


def content_security_policy(neutral_site: str) -> bytes:
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self' " + neutral_site.rstrip("/") + "; "
            "frame-ancestors 'none'; base-uri 'none'; object-src 'none'").encode()


class _TooLarge(Exception):
    pass


class FrontDoorMiddleware:
    """Refuses huge bodies (413), adds security headers, logs no query or body.
    `details`: the JSON `detail` words for 413 and 500 (content/web.yml `errors`)."""

    def __init__(self, app, max_body: int, neutral_site: str, details: dict):
        self.app = app
        self.max_body = max_body
        self.csp = content_security_policy(neutral_site)
        self.details = details

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, path = time.perf_counter(), scope.get("path", "")
        status = {"status": 0}
        try:
            if self._declared_length(scope) > self.max_body:
                raise _TooLarge()
            await self.app(scope, self._limited(receive), self._with_headers(send, path, status))
        except _TooLarge:
            await self._fail(scope, receive, send, status, 413, "too_large")
        except Exception as exc:  # noqa: BLE001 - never a stack trace, never text in logs
            log.error("unhandled %s on %s", type(exc).__name__, path[:100])
            await self._fail(scope, receive, send, status, 500, "server")
        finally:
            log.info("%s %s %s %.0fms", scope.get("method"), path[:100], status["status"],
                     (time.perf_counter() - start) * 1000)

    @staticmethod
    def _declared_length(scope) -> int:
        headers = dict(scope.get("headers") or [])
        try:
            return int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            return 0

    def _limited(self, receive):
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _TooLarge()
            return message
        return limited_receive

    def _with_headers(self, send, path: str, status: dict):
        docs = path.startswith("/docs") or path.startswith("/redoc")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                status["status"] = message["status"]
                extra = SECURITY_HEADERS + ([] if docs else [(b"content-security-policy", self.csp)])
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)
        return send_with_headers

    async def _fail(self, scope, receive, send, status: dict, code: int, which: str) -> None:
        if status["status"]:  # the response already started: nothing more can be sent
            return
        await JSONResponse({"detail": self.details[which]}, status_code=code)(scope, receive, send)
        status["status"] = code
