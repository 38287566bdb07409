"""Public pages: the open calls for småstöd."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth.dependencies import DbSession, OptionalUser
from app.core.templates import render
from app.db import utcnow
from app.umbrellas import service

pages = APIRouter(include_in_schema=False)


@pages.get("/")
def public_index(request: Request, session: DbSession, _viewer: OptionalUser) -> Response:
    return render(request, "umbrellas/index.html", {"calls": service.open_calls(session, utcnow())})
