"""The language switch in every page's header: remembered in a cookie for a year, for staff
and applicants alike (applicants have no account to keep it in)."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from app.core.i18n import LANGUAGE_COOKIE, LANGUAGES

pages = APIRouter(include_in_schema=False)

ONE_YEAR = 365 * 24 * 3600


def _local(path: str) -> str:
    """Only a path on this site, so the switch cannot be used to send people elsewhere."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


@pages.post("/language")
def choose_language(
    request: Request,
    language: Annotated[str, Form(max_length=5)],
    next_path: Annotated[str, Form(alias="next", max_length=2000)] = "/",
) -> RedirectResponse:
    if language not in LANGUAGES:
        raise HTTPException(status_code=400)
    response = RedirectResponse(_local(next_path), status_code=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=ONE_YEAR,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
    )
    return response
