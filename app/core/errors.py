"""The JSON API's error answers, declared so that the OpenAPI schema documents every status an
operation can answer with. Every refusal is ``{"detail": "<Swedish text>"}``; a request that
fails validation also lists the fields in ``errors``."""

from typing import Any

from pydantic import BaseModel, Field


class ErrorOut(BaseModel):
    detail: str = Field(description="Varför begäran inte gick igenom, i klartext")


class ValidationErrorOut(ErrorOut):
    errors: list[dict[str, Any]] = Field(
        default_factory=list, description="Fälten som inte kunde tas emot (FastAPI:s format)"
    )


DESCRIPTIONS = {
    400: "Innehållet kunde inte tolkas",
    401: "Inloggning krävs",
    403: "Rollen har inte behörighet, eller CSRF-token saknas (ändrande anrop)",
    404: "Finns inte i användarens område",
    409: "Inte tillåtet i ärendets läge, eller ärendet har ändrats av någon annan",
    413: "Innehållet är för stort",
    422: "Uppgifterna kunde inte tas emot",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route or router: the error body of each of ``statuses``."""
    return {
        status: {
            "model": ValidationErrorOut if status == 422 else ErrorOut,
            "description": DESCRIPTIONS[status],
        }
        for status in statuses
    }
