"""A cap on request bodies, so that a huge upload is refused before it is spooled to disk.

Starlette writes an uploaded file to a temporary file before any route sees it; checking the size
in the route would be too late. Browsers always send Content-Length for forms; a reverse proxy
in front should enforce the same limit for anything else.
"""

from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.i18n import N_
from app.core.i18n import gettext as _

TOO_LARGE = N_("Det du skickade är för stort. En bilaga får vara högst {limit} MB.")


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int, api_prefix: str) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope.get("headers", []):
                if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                    text = _(TOO_LARGE).format(limit=self.max_bytes // (1024 * 1024))
                    # API clients get the API's error body, as for every other refusal.
                    response: Response = (
                        JSONResponse({"detail": text}, status_code=413)
                        if scope["path"].startswith(self.api_prefix)
                        else PlainTextResponse(text, status_code=413)
                    )
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)
