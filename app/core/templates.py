"""Jinja2 set-up: one environment for all HTML, with Swedish formatting filters.

Every page is rendered through ``render`` so that the user, the CSRF token and the navigation
are always in the context.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from app.config import PROJECT_ROOT, get_settings
from app.core.flash import clear_flash, read_flash
from app.core.identifiers import format_bankgiro, format_org_number, format_plusgiro
from app.core.money import format_kronor_input, format_money
from app.core.navigation import navigation_for
from app.organisations.models import LegalForm

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")


def _date(value: date | None, fmt: str = "d MMM y") -> str:
    return format_date(value, fmt, locale=get_settings().default_locale) if value else "–"


def _datetime(value: datetime | None, fmt: str = "d MMM y HH:mm") -> str:
    if value is None:
        return "–"
    settings = get_settings()
    return format_datetime(
        value, fmt, tzinfo=ZoneInfo(settings.timezone), locale=settings.default_locale
    )


def _percent(value: Decimal) -> str:
    return f"{_one_decimal(value)} %"


def _one_decimal(value: Decimal) -> str:
    """Points and averages: "657,5"."""
    return format_decimal(value, "#,##0.0", locale=get_settings().default_locale)


def _deadline(value: datetime) -> str:
    """A window that ends at midnight is shown as its last minute: "31 mars 2027 kl. 23:59"."""
    return _datetime(value - timedelta(seconds=1), "d MMMM y 'kl.' HH:mm")


templates.env.filters["money"] = format_money
# An amount as it is typed into a form field ("12 500,50"), for pre-filled inputs.
templates.env.filters["kronor_input"] = format_kronor_input
templates.env.filters["deadline"] = _deadline
templates.env.filters["percent"] = _percent
templates.env.filters["one_decimal"] = _one_decimal
templates.env.filters["org_number"] = format_org_number
templates.env.filters["legal_form"] = lambda value: LegalForm(value).label
templates.env.filters["bankgiro"] = format_bankgiro
templates.env.filters["plusgiro"] = format_plusgiro
templates.env.filters["date"] = _date
templates.env.filters["datetime"] = _datetime


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    user = getattr(request.state, "user", None)
    base = {
        "user": user,
        "csrf_token": request.state.csrf_token,
        "navigation": navigation_for(user, request.url.path),
    }
    response = templates.TemplateResponse(
        request,
        name,
        {**base, "flash": read_flash(request), **(context or {})},
        status_code=status_code,
    )
    clear_flash(request, response)
    return response
