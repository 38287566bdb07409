"""Account pages: the area's users (/admin/users), Leader areas (/admin/areas, deployment
administrators), the user's own account (/account) and the set-password link."""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.accounts import areas, service
from app.accounts.schemas import AREA_FIELDS, PASSWORD_FIELDS, ROLE_FIELD, invitation_fields
from app.audit.service import Actor
from app.auth.dependencies import (
    CurrentUser,
    DbSession,
    OptionalUser,
    deployment_admin,
    require_roles,
)
from app.auth.models import Role, User
from app.auth.routes import safe_next
from app.auth.schemas import CODE_FIELD
from app.auth.service import actor_for, users_in_area
from app.core.flash import flash
from app.core.forms import FormResult, PostedForm, optional_text, validate_form
from app.core.i18n import gettext as _
from app.core.navigation import ADMIN
from app.core.params import RecordId
from app.core.templates import render
from app.email.service import wake_sender

pages = APIRouter(include_in_schema=False)

# Managers see the list and invite; everything else about an account is the administrator's.
UserAdmin = Annotated[User, Depends(require_roles(*ADMIN.roles))]
Administrator = Annotated[User, Depends(require_roles(Role.ADMIN))]
DeploymentAdmin = Annotated[User, Depends(deployment_admin)]

USERS = ADMIN.path
AREAS = "/admin/areas"
ACCOUNT = "/account"


def _redirect(request: Request, path: str, message: str) -> Response:
    response = RedirectResponse(path, status_code=303)
    flash(request, response, message)
    return response


# --- The area's users ---


@pages.get(USERS)
def users_page(request: Request, session: DbSession, user: UserAdmin) -> Response:
    return render(
        request,
        "accounts/users.html",
        {
            "users": users_in_area(session, user.area_id),
            "can_manage": Role.ADMIN in user.roles,
            "is_deployment_admin": user.is_deployment_admin,
        },
    )


def _invite_form(
    request: Request, user: User, result: FormResult | None = None, status_code: int = 200
) -> Response:
    return render(
        request,
        "accounts/invite.html",
        {
            "fields": invitation_fields(service.invitable_roles(user)),
            "values": result.raw if result else {},
            "errors": result.errors if result else {},
            "link_hours": service.link_hours(),
        },
        status_code=status_code,
    )


@pages.get(f"{USERS}/new")
def invite_form(request: Request, user: UserAdmin) -> Response:
    return _invite_form(request, user)


@pages.post(f"{USERS}/new")
def invite_user(request: Request, session: DbSession, user: UserAdmin, raw: PostedForm) -> Response:
    result = service.validate_invitation(session, raw, service.invitable_roles(user))
    if not result.ok:
        return _invite_form(request, user, result, status_code=400)
    invited = service.invite(
        session, request.app.state.settings, actor_for(user), user.area_id, **result.cleaned
    )
    session.commit()
    wake_sender(request.app.state)
    return _redirect(
        request, USERS, _("Inbjudan är skickad till {email}.").format(email=invited.email)
    )


def _person(session: Session, admin: User, user_id: int) -> User:
    person = service.get_in_area(session, admin.area_id, user_id)
    if person is None:
        raise HTTPException(status_code=404)
    return person


def _user_page(
    request: Request,
    session: Session,
    person: User,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "accounts/user.html",
        {
            "person": person,
            "sessions": service.active_sessions(session, person),
            "role_field": ROLE_FIELD,
            "values": values or {},
            "errors": errors or {},
        },
        status_code=400 if errors else 200,
    )


@pages.get(f"{USERS}/{{user_id}}")
def user_page(
    request: Request, session: DbSession, admin: Administrator, user_id: RecordId
) -> Response:
    return _user_page(request, session, _person(session, admin, user_id))


@pages.post(f"{USERS}/{{user_id}}/roles")
def change_roles(
    request: Request, session: DbSession, admin: Administrator, user_id: RecordId, raw: PostedForm
) -> Response:
    person = _person(session, admin, user_id)
    actor = actor_for(admin)
    result = service.validate_roles(session, actor, person, raw)
    if not result.ok:
        errors = {"roles": result.errors.get("roles", "")}
        errors["roles-change"] = result.errors.get("reason", "")
        return _user_page(
            request, session, person,
            values={"roles": result.raw["roles"], "roles-change-reason": result.raw["reason"]},
            errors={key: message for key, message in errors.items() if message},
        )  # fmt: skip
    service.change_roles(session, actor, person, result.cleaned["roles"], result.cleaned["reason"])
    session.commit()
    return _redirect(
        request,
        f"{USERS}/{person.id}",
        _("Rollerna för {name} är sparade.").format(name=person.full_name),
    )


def _act(
    request: Request,
    session: Session,
    admin: User,
    user_id: int,
    raw: dict[str, str],
    name: str,
    run: Callable[[Actor, User, str | None], object],
    done: str,
) -> Response:
    """One account action with its optional reason. Refused: the user page again, with the
    reason beside the action's form; done: back to the user page with ``done``."""
    person = _person(session, admin, user_id)
    result = validate_form({"reason": optional_text(500)}, raw)
    values = {f"{name}-reason": result.raw["reason"]}
    if not result.ok:
        errors = {name: result.errors["reason"]}
        return _user_page(request, session, person, values=values, errors=errors)
    try:
        run(actor_for(admin), person, result.cleaned["reason"])
    except service.AccountError as exc:
        return _user_page(request, session, person, values=values, errors={name: exc.message})
    session.commit()
    wake_sender(request.app.state)  # a password link may be waiting in the outbox
    return _redirect(request, f"{USERS}/{person.id}", done.format(name=person.full_name))


@pages.post(f"{USERS}/{{user_id}}/deactivate")
def deactivate(
    request: Request, session: DbSession, admin: Administrator, user_id: RecordId, raw: PostedForm
) -> Response:
    def run(actor: Actor, person: User, reason: str | None) -> None:
        service.deactivate(session, actor, person, reason)

    done = _("Kontot för {name} är inaktiverat och alla inloggningar är avslutade.")
    return _act(request, session, admin, user_id, raw, "deactivate", run, done)


@pages.post(f"{USERS}/{{user_id}}/reactivate")
def reactivate(
    request: Request, session: DbSession, admin: Administrator, user_id: RecordId, raw: PostedForm
) -> Response:
    def run(actor: Actor, person: User, reason: str | None) -> None:
        service.reactivate(session, actor, person, reason)

    done = _("Kontot för {name} är aktivt igen.")
    return _act(request, session, admin, user_id, raw, "reactivate", run, done)


@pages.post(f"{USERS}/{{user_id}}/password")
def reset_password(
    request: Request, session: DbSession, admin: Administrator, user_id: RecordId, raw: PostedForm
) -> Response:
    def run(actor: Actor, person: User, reason: str | None) -> None:
        service.reset_password(session, request.app.state.settings, actor, person, reason)

    done = _("{name} har fått ett mejl med en länk för att välja lösenord.")
    return _act(request, session, admin, user_id, raw, "password", run, done)


@pages.post(f"{USERS}/{{user_id}}/sessions")
def end_sessions(
    request: Request, session: DbSession, admin: Administrator, user_id: RecordId, raw: PostedForm
) -> Response:
    def run(actor: Actor, person: User, reason: str | None) -> None:
        service.end_sessions(session, actor, person, reason)

    done = _("{name} är utloggad från alla enheter.")
    return _act(request, session, admin, user_id, raw, "sessions", run, done)


@pages.post(f"{USERS}/{{user_id}}/two-factor")
def reset_two_factor(
    request: Request, session: DbSession, admin: Administrator, user_id: RecordId, raw: PostedForm
) -> Response:
    def run(actor: Actor, person: User, reason: str | None) -> None:
        service.reset_two_factor(session, actor, person, reason)

    done = _("Tvåstegsverifieringen för {name} är återställd.")
    return _act(request, session, admin, user_id, raw, "two-factor", run, done)


# --- The user's own account and two-factor login ---


def _account_page(
    request: Request,
    user: User,
    *,
    secret: str | None = None,
    next_path: str | None = None,
    error: str | None = None,
) -> Response:
    setup = None
    if not user.two_factor_enabled:
        setup = service.offer_two_factor(request.app.state.settings, user, secret)
    return render(
        request,
        "accounts/account.html",
        {
            "account": user,
            "setup": setup,
            "code_field": CODE_FIELD,
            "next": next_path,
            "errors": {"code": error} if error else {},
        },
        status_code=400 if error else 200,
    )


@pages.get(ACCOUNT)
def account_page(request: Request, user: CurrentUser, next: str | None = None) -> Response:
    return _account_page(request, user, next_path=safe_next(next))


@pages.post(f"{ACCOUNT}/two-factor")
def enable_two_factor(
    request: Request, session: DbSession, user: CurrentUser, raw: PostedForm
) -> Response:
    if user.two_factor_enabled:
        return RedirectResponse(ACCOUNT, status_code=303)
    next_path = safe_next(raw.get("next"))
    secret = service.offered_secret(request.app.state.settings, user, raw.get("setup", ""))
    if secret is None:
        expired = _("Formuläret har gått ut. Lägg in den nya koden i appen och försök igen.")
        return _account_page(request, user, next_path=next_path, error=expired)
    try:
        service.enable_two_factor(session, user, secret, raw.get("code", ""))
    except service.AccountError as exc:
        return _account_page(request, user, secret=secret, next_path=next_path, error=exc.message)
    session.commit()
    return _redirect(request, next_path or ACCOUNT, _("Tvåstegsverifiering är påslagen."))


@pages.post(f"{ACCOUNT}/two-factor/disable")
def disable_two_factor(
    request: Request, session: DbSession, user: CurrentUser, raw: PostedForm
) -> Response:
    try:
        service.disable_two_factor(session, user, raw.get("code", ""))
    except service.AccountError as exc:
        return _account_page(request, user, error=exc.message)
    session.commit()
    return _redirect(request, ACCOUNT, _("Tvåstegsverifiering är avstängd."))


# --- Choosing a password from an e-mailed link (the link is the key: no login) ---


def _invited(request: Request, session: Session, invitation: str) -> User:
    person = service.user_for_password_token(session, request.app.state.settings, invitation)
    if person is None:
        raise HTTPException(
            status_code=404,
            detail=_(
                "Länken fungerar inte längre: den har redan använts eller gått ut. Be en "
                "administratör om en ny."
            ),
        )
    return person


def _password_form(
    request: Request, person: User, errors: dict[str, str] | None = None
) -> Response:
    return render(
        request,
        "accounts/set_password.html",
        {"person": person, "fields": PASSWORD_FIELDS, "errors": errors or {}},
        status_code=400 if errors else 200,
    )


@pages.get("/set-password/{invitation}")
def set_password_form(
    request: Request, session: DbSession, invitation: str, _viewer: OptionalUser
) -> Response:
    return _password_form(request, _invited(request, session, invitation))


@pages.post("/set-password/{invitation}")
def set_password(
    request: Request,
    session: DbSession,
    invitation: str,
    raw: PostedForm,
    _viewer: OptionalUser,
) -> Response:
    person = _invited(request, session, invitation)
    result = service.validate_password(person.email, raw)
    if not result.ok:
        return _password_form(request, person, result.errors)
    service.set_password(session, person, result.cleaned["password"])
    session.commit()
    return _redirect(
        request,
        "/login",
        _("Ditt lösenord är sparat. Logga in med din e-postadress och lösenordet."),
    )


# --- Leader areas (deployment administrators) ---


@pages.get(AREAS)
def areas_page(request: Request, session: DbSession, _admin: DeploymentAdmin) -> Response:
    return render(request, "accounts/areas.html", {"areas": areas.all_areas(session)})


def _area_form(
    request: Request, result: FormResult | None = None, status_code: int = 200
) -> Response:
    return render(
        request,
        "accounts/area_form.html",
        {
            "fields": AREA_FIELDS,
            "values": result.raw if result else {},
            "errors": result.errors if result else {},
        },
        status_code=status_code,
    )


@pages.get(f"{AREAS}/new")
def new_area(request: Request, _admin: DeploymentAdmin) -> Response:
    return _area_form(request)


@pages.post(f"{AREAS}/new")
def create_area(
    request: Request, session: DbSession, admin: DeploymentAdmin, raw: PostedForm
) -> Response:
    result = areas.validate_area(session, raw, complete=True)
    if not result.ok:
        return _area_form(request, result, status_code=400)
    area, manager = areas.create_area(
        session, request.app.state.settings, actor_for(admin), **result.cleaned
    )
    session.commit()
    wake_sender(request.app.state)
    return _redirect(
        request,
        AREAS,
        _("Leaderområdet {area} är skapat och {name} har fått en inbjudan.").format(
            area=area.name, name=manager.full_name if manager else ""
        ),
    )
