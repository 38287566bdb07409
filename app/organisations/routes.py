"""Handlers register applicant organisations (e.g. for Leader projects they enter by hand)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth.dependencies import DbSession, require_roles
from app.auth.models import User
from app.auth.service import actor_for
from app.core.flash import flash
from app.core.forms import PostedForm
from app.core.i18n import gettext as _
from app.core.navigation import ORGANISATIONS
from app.core.templates import render
from app.organisations import service
from app.organisations.schemas import FORM_FIELDS, OrganisationOut

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/organisations", tags=["organisationer"])

Registrar = Annotated[User, Depends(require_roles(*ORGANISATIONS.roles))]
FIELDS_BY_NAME = {spec.name: spec for spec in FORM_FIELDS}
VALIDATE_URL = f"{ORGANISATIONS.path}/validate"


def _form_page(
    request: Request, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> Response:
    return render(
        request,
        "organisations/form.html",
        {"fields": FORM_FIELDS, "values": values, "errors": errors, "validate_url": VALIDATE_URL},
        status_code=status_code,
    )


@pages.get(ORGANISATIONS.path)
def organisations_page(request: Request, session: DbSession, user: Registrar) -> Response:
    organisations = service.list_in_area(session, user.area_id)
    return render(request, "organisations/list.html", {"organisations": organisations})


@pages.get(f"{ORGANISATIONS.path}/new")
def new_organisation(request: Request, user: Registrar) -> Response:
    return _form_page(request, {"legal_form": "ideell_forening"}, {})


@pages.post(f"{ORGANISATIONS.path}/new")
def create_organisation(
    request: Request, session: DbSession, user: Registrar, raw: PostedForm
) -> Response:
    result = service.validate(session, user.area_id, raw)
    if not result.ok:
        return _form_page(request, result.raw, result.errors, status_code=400)
    organisation = service.register(session, actor_for(user), user.area_id, result.cleaned)
    session.commit()
    response = RedirectResponse(ORGANISATIONS.path, status_code=303)
    flash(request, response, _("{name} är registrerad.").format(name=organisation.name))
    return response


@pages.post(VALIDATE_URL)
def validate_field(request: Request, user: Registrar, field: str, raw: PostedForm) -> Response:
    """HTMX: re-render one field with its message as the user leaves it."""
    spec = FIELDS_BY_NAME.get(field)
    if spec is None:
        raise HTTPException(status_code=404)
    return render(
        request,
        "organisations/_field.html",
        {
            "spec": spec,
            "value": raw.get(field, ""),
            "error": service.field_error(raw, field),
            "validate_url": VALIDATE_URL,
        },
    )


@api.get("", response_model=list[OrganisationOut], summary="Områdets organisationer")
def list_organisations(session: DbSession, user: Registrar) -> list[OrganisationOut]:
    return [OrganisationOut.model_validate(o) for o in service.list_in_area(session, user.area_id)]
