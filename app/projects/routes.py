"""The office's page for registering a Leader project (thin: the rules are in the service).

Include ``pages`` before the case-handling router: its ``/cases/{application_id}`` would
otherwise take ``/cases/new-project`` and answer 422.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.areas.service import current_period
from app.auth.dependencies import DbSession, require_roles
from app.auth.models import User
from app.auth.service import actor_for
from app.core.clock import local_today
from app.core.flash import flash
from app.core.forms import PostedForm
from app.core.i18n import gettext as _
from app.core.navigation import CASES
from app.core.templates import render
from app.projects import service
from app.projects.schemas import FIELD_NAMES, form_sections

pages = APIRouter(include_in_schema=False)

CaseWorker = Annotated[User, Depends(require_roles(*CASES.roles))]
NEW_PROJECT_PATH = f"{CASES.path}/new-project"


def _form_page(
    request: Request,
    session: Session,
    user: User,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    sections = form_sections(current_period(session, user.area_id, local_today()))
    return render(
        request,
        "projects/register.html",
        {"sections": sections, "values": values, "errors": errors, "action": NEW_PROJECT_PATH},
        status_code=status_code,
    )


@pages.get(NEW_PROJECT_PATH)
def new_project(request: Request, session: DbSession, user: CaseWorker) -> Response:
    return _form_page(request, session, user, {}, {})


@pages.post(NEW_PROJECT_PATH)
def register_project(
    request: Request, session: DbSession, user: CaseWorker, raw: PostedForm
) -> Response:
    application, result = service.register_project(
        session,
        actor_for(user),
        user.area_id,
        raw,
        roles=frozenset(role.value for role in user.roles),
        today=local_today(),
    )
    if application is None:
        session.rollback()
        values = {name: raw.get(name, "") for name in FIELD_NAMES}
        return _form_page(request, session, user, values, result.errors, status_code=400)
    session.commit()
    response = RedirectResponse(f"{CASES.path}/{application.id}", status_code=303)
    flash(
        request,
        response,
        _("Leaderprojektet {reference} är registrerat.").format(reference=application.reference),
    )
    return response
