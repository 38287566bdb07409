"""The settings pages (`/settings`): an overview, and one form per part. A form that is refused
comes back with the reason next to the field and what was typed kept; a saved one returns to
the overview."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.areas.models import ActionArea, Area, BasicCondition, ProgrammePeriod, SelectionCriterion
from app.areas.service import current_period
from app.auth.dependencies import DbSession, require_roles
from app.auth.models import User
from app.auth.service import actor_for
from app.core.clock import local_today
from app.core.flash import flash
from app.core.forms import FieldSpec, FormResult, PostedForm
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.core.navigation import SETTINGS
from app.core.params import RecordId
from app.core.templates import render
from app.settings import schemas, service

pages = APIRouter(include_in_schema=False)
Keeper = Annotated[User, Depends(require_roles(*SETTINGS.roles))]

SAVED = N_("Inställningarna är sparade.")
REMOVED = N_("Borttaget.")


@pages.get(SETTINGS.path)
def settings_page(request: Request, session: DbSession, user: Keeper) -> Response:
    area = session.get_one(Area, user.area_id)
    period = current_period(session, area.id, local_today())
    return render(request, "settings/settings.html", {"o": service.overview(session, area, period)})


def _period(session: Session, user: User) -> ProgrammePeriod:
    period = current_period(session, user.area_id, local_today())
    if period is None:
        raise HTTPException(status_code=404, detail=_("Området har ingen programperiod."))
    return period


def _own(session: Session, user: User, model: type[Any], record_id: int) -> Any:
    """An action area, criterion or condition of the user's own area."""
    record = session.get(model, record_id)
    if record is None or record.area_id != user.area_id:
        raise HTTPException(status_code=404)
    return record


def _form(
    request: Request, title: str, fields: tuple[FieldSpec, ...], values: dict[str, str],
    errors: dict[str, str] | None = None, *, remove: str | None = None,
) -> Response:  # fmt: skip
    """A settings form; ``remove`` labels a button that removes the record."""
    return render(request, "settings/form.html", {
        "title": title, "fields": fields, "values": values, "errors": errors or {},
        "action": request.url.path.removesuffix("/remove"), "remove": remove,
    }, status_code=400 if errors else 200)  # fmt: skip


def _back(request: Request, session: Session, anchor: str, message: str = SAVED) -> Response:
    session.commit()
    response = RedirectResponse(f"{SETTINGS.path}#{anchor}", status_code=303)
    flash(request, response, _(message))
    return response


def _done(
    request: Request, session: Session, result: FormResult, anchor: str, title: str,
    fields: tuple[FieldSpec, ...], remove: str | None = None,
) -> Response:  # fmt: skip
    """Commit and go back to the overview, or show the form again with its errors."""
    if result.ok:
        return _back(request, session, anchor)
    session.rollback()
    return _form(request, title, fields, result.raw, result.errors, remove=remove)


def _remove(
    request: Request, session: Session, anchor: str, remove: Callable[[], None], title: str,
    fields: tuple[FieldSpec, ...], values: dict[str, str], label: str,
) -> Response:  # fmt: skip
    """Remove a record, or show its form with the reason it cannot be removed."""
    try:
        remove()
    except service.SettingsRefused as refused:
        session.rollback()
        return _form(request, title, fields, values, {service.FORM: refused.message},
                     remove=label)  # fmt: skip
    return _back(request, session, anchor, REMOVED)


# --- The area's rules and the period's figures ---


@pages.get(SETTINGS.path + "/area")
def area_form(request: Request, session: DbSession, user: Keeper) -> Response:
    area = session.get_one(Area, user.area_id)
    return _form(request, _("Områdets regler"), schemas.AREA_FIELDS, service.area_values(area))


@pages.post(SETTINGS.path + "/area")
def save_area(request: Request, session: DbSession, user: Keeper, raw: PostedForm) -> Response:
    area = session.get_one(Area, user.area_id)
    result = service.save_area(session, actor_for(user), area, raw)
    return _done(request, session, result, "area", _("Områdets regler"), schemas.AREA_FIELDS)


def _period_title(period: ProgrammePeriod) -> str:
    return _("Programperioden {name}").format(name=period.name)


@pages.get(SETTINGS.path + "/period")
def period_form(request: Request, session: DbSession, user: Keeper) -> Response:
    period = _period(session, user)
    values = service.period_values(period)
    return _form(request, _period_title(period), schemas.PERIOD_FIELDS, values)


@pages.post(SETTINGS.path + "/period")
def save_period(request: Request, session: DbSession, user: Keeper, raw: PostedForm) -> Response:
    period = _period(session, user)
    title = _period_title(period)
    result = service.save_period(session, actor_for(user), period, raw)
    return _done(request, session, result, "period", title, schemas.PERIOD_FIELDS)


def _allocation_title(period: ProgrammePeriod) -> str:
    return _("Tilldelning för programperioden {name}").format(name=period.name)


@pages.get(SETTINGS.path + "/allocation")
def allocation_form(request: Request, session: DbSession, user: Keeper) -> Response:
    period = _period(session, user)
    values = service.allocation_values(session, period)
    return _form(request, _allocation_title(period), schemas.ALLOCATION_FIELDS, values)


@pages.post(SETTINGS.path + "/allocation")
def change_allocation(
    request: Request, session: DbSession, user: Keeper, raw: PostedForm
) -> Response:
    period = _period(session, user)
    title = _allocation_title(period)
    result = service.change_allocation(session, actor_for(user), period, raw)
    return _done(request, session, result, "period", title, schemas.ALLOCATION_FIELDS)


# --- Action areas ---

NEW_ACTION_AREA = N_("Nytt insatsområde")
REMOVE_ACTION_AREA = N_("Ta bort insatsområdet")


def _action_area_title(action_area: ActionArea) -> str:
    return _("Insatsområdet {name}").format(name=action_area.name)


@pages.get(SETTINGS.path + "/action-areas/new")
def new_action_area(request: Request, session: DbSession, user: Keeper) -> Response:
    _period(session, user)
    return _form(request, _(NEW_ACTION_AREA), schemas.NEW_ACTION_AREA_FIELDS, {})


@pages.post(SETTINGS.path + "/action-areas/new")
def add_action_area(
    request: Request, session: DbSession, user: Keeper, raw: PostedForm
) -> Response:
    period = _period(session, user)
    _added, result = service.save_action_area(session, actor_for(user), period, raw)
    return _done(request, session, result, "action-areas", _(NEW_ACTION_AREA),
                 schemas.NEW_ACTION_AREA_FIELDS)  # fmt: skip


@pages.get(SETTINGS.path + "/action-areas/{action_area_id}")
def edit_action_area(
    request: Request, session: DbSession, user: Keeper, action_area_id: RecordId
) -> Response:
    action_area = _own(session, user, ActionArea, action_area_id)
    return _form(request, _action_area_title(action_area), schemas.ACTION_AREA_FIELDS,
                 service.action_area_values(action_area), remove=_(REMOVE_ACTION_AREA))  # fmt: skip


@pages.post(SETTINGS.path + "/action-areas/{action_area_id}")
def save_action_area(
    request: Request, session: DbSession, user: Keeper, action_area_id: RecordId,
    raw: PostedForm,
) -> Response:  # fmt: skip
    action_area = _own(session, user, ActionArea, action_area_id)
    title = _action_area_title(action_area)
    _saved, result = service.save_action_area(
        session, actor_for(user), action_area.period, raw, action_area
    )
    return _done(request, session, result, "action-areas", title, schemas.ACTION_AREA_FIELDS,
                 _(REMOVE_ACTION_AREA))  # fmt: skip


@pages.post(SETTINGS.path + "/action-areas/{action_area_id}/remove")
def remove_action_area(
    request: Request, session: DbSession, user: Keeper, action_area_id: RecordId
) -> Response:
    action_area = _own(session, user, ActionArea, action_area_id)
    return _remove(
        request, session, "action-areas",
        lambda: service.remove_action_area(session, actor_for(user), action_area),
        _action_area_title(action_area), schemas.ACTION_AREA_FIELDS,
        service.action_area_values(action_area), _(REMOVE_ACTION_AREA),
    )  # fmt: skip


# --- Selection criteria ---

NEW_CRITERION = N_("Nytt urvalskriterium")
REMOVE_CRITERION = N_("Ta bort urvalskriteriet")


def _criterion_title(criterion: SelectionCriterion) -> str:
    return _("Urvalskriteriet {name}").format(name=criterion.name)


@pages.get(SETTINGS.path + "/criteria/new")
def new_criterion(request: Request, session: DbSession, user: Keeper) -> Response:
    _period(session, user)
    return _form(request, _(NEW_CRITERION), schemas.CRITERION_FIELDS, {})


@pages.post(SETTINGS.path + "/criteria/new")
def add_criterion(request: Request, session: DbSession, user: Keeper, raw: PostedForm) -> Response:
    period = _period(session, user)
    _added, result = service.save_criterion(session, actor_for(user), period, raw)
    return _done(request, session, result, "criteria", _(NEW_CRITERION), schemas.CRITERION_FIELDS)


@pages.get(SETTINGS.path + "/criteria/{criterion_id}")
def edit_criterion(
    request: Request, session: DbSession, user: Keeper, criterion_id: RecordId
) -> Response:
    criterion = _own(session, user, SelectionCriterion, criterion_id)
    return _form(request, _criterion_title(criterion), schemas.CRITERION_FIELDS,
                 service.criterion_values(criterion), remove=_(REMOVE_CRITERION))  # fmt: skip


@pages.post(SETTINGS.path + "/criteria/{criterion_id}")
def save_criterion(
    request: Request, session: DbSession, user: Keeper, criterion_id: RecordId, raw: PostedForm
) -> Response:
    criterion = _own(session, user, SelectionCriterion, criterion_id)
    title = _criterion_title(criterion)
    _saved, result = service.save_criterion(
        session, actor_for(user), criterion.period, raw, criterion
    )
    return _done(request, session, result, "criteria", title, schemas.CRITERION_FIELDS,
                 _(REMOVE_CRITERION))  # fmt: skip


@pages.post(SETTINGS.path + "/criteria/{criterion_id}/remove")
def remove_criterion(
    request: Request, session: DbSession, user: Keeper, criterion_id: RecordId
) -> Response:
    criterion = _own(session, user, SelectionCriterion, criterion_id)
    return _remove(
        request, session, "criteria",
        lambda: service.remove_criterion(session, actor_for(user), criterion),
        _criterion_title(criterion), schemas.CRITERION_FIELDS,
        service.criterion_values(criterion), _(REMOVE_CRITERION),
    )  # fmt: skip


@pages.post(SETTINGS.path + "/criteria/{criterion_id}/move")
def move_criterion(
    request: Request, session: DbSession, user: Keeper, criterion_id: RecordId, raw: PostedForm
) -> Response:
    criterion = _own(session, user, SelectionCriterion, criterion_id)
    service.move(session, actor_for(user), criterion, raw.get("direction", ""))
    return _back(request, session, "criteria")


# --- Basic conditions ---

NEW_CONDITION = N_("Nytt grundkrav")
CONDITION = N_("Ändra grundkrav")


@pages.get(SETTINGS.path + "/basic-conditions/new")
def new_condition(request: Request, session: DbSession, user: Keeper) -> Response:
    _period(session, user)
    return _form(request, _(NEW_CONDITION), schemas.NEW_CONDITION_FIELDS, {})


@pages.post(SETTINGS.path + "/basic-conditions/new")
def add_condition(request: Request, session: DbSession, user: Keeper, raw: PostedForm) -> Response:
    period = _period(session, user)
    _added, result = service.save_condition(session, actor_for(user), period, raw)
    return _done(request, session, result, "basic-conditions", _(NEW_CONDITION),
                 schemas.NEW_CONDITION_FIELDS)  # fmt: skip


@pages.get(SETTINGS.path + "/basic-conditions/{condition_id}")
def edit_condition(
    request: Request, session: DbSession, user: Keeper, condition_id: RecordId
) -> Response:
    condition = _own(session, user, BasicCondition, condition_id)
    values = service.condition_values(condition)
    return _form(request, _(CONDITION), schemas.CONDITION_FIELDS, values)


@pages.post(SETTINGS.path + "/basic-conditions/{condition_id}")
def save_condition(
    request: Request, session: DbSession, user: Keeper, condition_id: RecordId, raw: PostedForm
) -> Response:
    condition = _own(session, user, BasicCondition, condition_id)
    _saved, result = service.save_condition(
        session, actor_for(user), condition.period, raw, condition
    )
    return _done(request, session, result, "basic-conditions", _(CONDITION),
                 schemas.CONDITION_FIELDS)  # fmt: skip


@pages.post(SETTINGS.path + "/basic-conditions/{condition_id}/move")
def move_condition(
    request: Request, session: DbSession, user: Keeper, condition_id: RecordId, raw: PostedForm
) -> Response:
    condition = _own(session, user, BasicCondition, condition_id)
    service.move(session, actor_for(user), condition, raw.get("direction", ""))
    return _back(request, session, "basic-conditions")
