"""The public list of open calls, and the manager's pages to set up and change calls."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.areas.models import ActionArea
from app.areas.service import current_period
from app.auth.dependencies import DbSession, OptionalUser, require_roles
from app.auth.models import User
from app.auth.service import actor_for
from app.core.clock import local_today
from app.core.flash import flash
from app.core.forms import PostedForm
from app.core.i18n import gettext as _
from app.core.navigation import CALLS
from app.core.params import RecordId
from app.core.templates import render
from app.db import utcnow
from app.ledger.service import pot_balance
from app.umbrellas import service
from app.umbrellas.models import UmbrellaProject
from app.umbrellas.schemas import call_fields

pages = APIRouter(include_in_schema=False)


@pages.get("/")
def public_index(request: Request, session: DbSession, _viewer: OptionalUser) -> Response:
    return render(request, "umbrellas/index.html", {"calls": service.open_calls(session, utcnow())})


Manager = Annotated[User, Depends(require_roles(*CALLS.roles))]


def _action_areas(session: Session, user: User) -> list[ActionArea]:
    period = current_period(session, user.area_id, local_today())
    return list(period.action_areas) if period else []


def _call_form(
    request: Request,
    session: Session,
    user: User,
    values: dict[str, str],
    errors: dict[str, str],
    umbrella: UmbrellaProject | None = None,
    status_code: int = 200,
) -> Response:
    areas = _action_areas(session, user)
    return render(
        request,
        "umbrellas/form.html",
        {
            "fields": call_fields([(str(a.id), a.name) for a in areas]),
            "values": values,
            "errors": errors,
            "umbrella": umbrella,
        },
        status_code=status_code,
    )


@pages.get(CALLS.path)
def calls_page(request: Request, session: DbSession, user: Manager) -> Response:
    umbrellas = service.calls_in_area(session, user.area_id)
    return render(
        request,
        "umbrellas/list.html",
        {"calls": [(u, pot_balance(session, u)) for u in umbrellas], "now": utcnow()},
    )


@pages.get(f"{CALLS.path}/new")
def new_call(request: Request, session: DbSession, user: Manager) -> Response:
    defaults = {
        "volunteer_match_percent": "50",
        "max_project_months": "6",
        "eligible_legal_forms": "ideell_forening",
        "required_attachments": "Budget\nStyrelsebeslut",
        "decision_body": "office",
    }
    return _call_form(request, session, user, defaults, {})


@pages.post(f"{CALLS.path}/new")
def create_call(request: Request, session: DbSession, user: Manager, raw: PostedForm) -> Response:
    return _save(request, session, user, raw, None)


@pages.get(f"{CALLS.path}/{{umbrella_id}}/edit")
def edit_call(
    request: Request, session: DbSession, user: Manager, umbrella_id: RecordId
) -> Response:
    umbrella = _own(session, user, umbrella_id)
    values = service.form_values(umbrella, request.app.state.settings.timezone)
    return _call_form(request, session, user, values, {}, umbrella)


@pages.post(f"{CALLS.path}/{{umbrella_id}}/edit")
def update_call(
    request: Request, session: DbSession, user: Manager, umbrella_id: RecordId, raw: PostedForm
) -> Response:
    return _save(request, session, user, raw, _own(session, user, umbrella_id))


def _own(session: Session, user: User, umbrella_id: int) -> UmbrellaProject:
    umbrella = service.get_in_area(session, user.area_id, umbrella_id)
    if umbrella is None:
        raise HTTPException(status_code=404)
    return umbrella


def _save(
    request: Request,
    session: Session,
    user: User,
    raw: dict[str, str],
    existing: UmbrellaProject | None,
) -> Response:
    area_ids = {area.id for area in _action_areas(session, user)}
    result = service.validate_call(session, user.area_id, area_ids, raw, existing)
    if not result.ok:
        return _call_form(
            request, session, user, result.raw, result.errors, existing, status_code=400
        )
    umbrella = service.save_call(
        session, actor_for(user), user.area_id, result.cleaned,
        request.app.state.settings.timezone, existing,
    )  # fmt: skip
    session.commit()
    response = RedirectResponse(CALLS.path, status_code=303)
    flash(request, response, _("Utlysningen {name} är sparad.").format(name=umbrella.name))
    return response
