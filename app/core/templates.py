"""Jinja2 set-up: one environment for all HTML, with gettext and formatting filters that follow
the interface language (see app/core/i18n.py).

Every page is rendered through ``render`` so that the user, the CSRF token and the navigation
are always in the context.
"""

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup
from starlette.responses import Response

from app.config import PROJECT_ROOT
from app.core import formatting, i18n
from app.core.flash import clear_flash, read_flash
from app.core.identifiers import format_bankgiro, format_org_number, format_plusgiro
from app.core.money import format_kronor_input, format_money
from app.core.navigation import navigation_for
from app.core.static import static_url
from app.organisations.models import LegalForm

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")
templates.env.add_extension("jinja2.ext.i18n")
# Whitespace inside {% trans %} blocks is collapsed, here and in extraction (babel.cfg), so the
# template's line breaks never leak into the catalogue.
templates.env.policies["ext.i18n.trimmed"] = True
# New-style gettext escapes the translation's variables and fails on a missing one.
templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)


@pass_eval_context
def _gettext(eval_ctx: EvalContext, message: str, **variables: Any) -> str:
    """The extension's new-style gettext in one call instead of three nested context calls
    (``_`` resolves ``gettext``, which calls the translation): a case page says ``_()`` over a
    hundred times."""
    text = i18n.gettext(message)
    if eval_ctx.autoescape:
        # The message is ours (template source or catalogue); ``%`` escapes the variables.
        text = Markup(text)  # noqa: S704
    # Formatting fills in the variables and reads "%%" as "%"; most messages need neither.
    return text % variables if variables or "%" in text else text


templates.env.globals["_"] = templates.env.globals["gettext"] = _gettext

# For messages held in variables (labels declared in Python and marked there with N_): plain
# gettext, without new-style gettext's %-formatting, which a "%" in a label would break.
templates.env.globals["static_url"] = static_url
templates.env.filters["translate"] = i18n.gettext


templates.env.filters["money"] = format_money
# An amount as it is typed into a form field ("12 500,50"), for pre-filled inputs.
templates.env.filters["kronor_input"] = format_kronor_input
templates.env.filters["deadline"] = formatting.deadline
templates.env.filters["percent"] = formatting.percent
templates.env.filters["one_decimal"] = formatting.one_decimal
templates.env.filters["org_number"] = format_org_number
templates.env.filters["legal_form"] = lambda value: LegalForm(value).label
templates.env.filters["bankgiro"] = format_bankgiro
templates.env.filters["plusgiro"] = format_plusgiro
templates.env.filters["date"] = formatting.short_date
templates.env.filters["long_date"] = formatting.long_date
templates.env.filters["datetime"] = formatting.date_time


def _here(request: Request) -> str:
    """Where the language switch brings the visitor back to: this page, or for a page answering
    a form post, the page the form was on."""
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path:
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/"


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    user = getattr(request.state, "user", None)
    base = {
        "user": user,
        "csrf_token": request.state.csrf_token,
        "navigation": navigation_for(user, request.url.path),
        "language": i18n.current_language(),
        "languages": i18n.LANGUAGES,
        "here": _here(request),
    }
    response = templates.TemplateResponse(
        request,
        name,
        {**base, "flash": read_flash(request), **(context or {})},
        status_code=status_code,
    )
    clear_flash(request, response)
    return response
