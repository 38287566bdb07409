"""Registering applicant organisations: validation with messages in the interface language, one
per area."""

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.audit.service import Actor
from app.core.forms import (
    FieldError,
    FormResult,
    email_address,
    optional,
    optional_text,
    required,
    validate_field,
    validate_form,
)
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.core.identifiers import (
    format_org_number,
    normalise_bankgiro,
    normalise_org_or_personal_number,
    normalise_plusgiro,
)
from app.organisations.models import LegalForm, Organisation


def _legal_form(value: str) -> LegalForm:
    try:
        return LegalForm(value)
    except ValueError:
        raise FieldError(N_("Välj organisationens juridiska form.")) from None


def _postal_code(value: str) -> str:
    digits = re.sub(r"\s", "", value)
    if not re.fullmatch(r"\d{5}", digits):
        raise FieldError(N_("Postnumret ska ha fem siffror, t.ex. 642 37."))
    return f"{digits[:3]} {digits[3:]}"


VALIDATORS = {
    "name": required(N_("Ange organisationens namn.")),
    "legal_form": _legal_form,
    # A sole trader's number is a personnummer; the cross-field check is in ``validate``.
    "org_number": lambda value: normalise_org_or_personal_number(value, sole_trader=False),
    "bankgiro": optional(normalise_bankgiro),
    "plusgiro": optional(normalise_plusgiro),
    "street_address": optional_text(),
    "postal_code": optional(_postal_code),
    "city": optional_text(100),
    "contact_name": required(N_("Ange en kontaktperson.")),
    "contact_email": email_address,
    "contact_phone": optional_text(40),
}


def validators_for(raw: dict[str, Any]) -> dict[str, Any]:
    """The organisation validators; a sole trader (enskild firma) gives a personnummer."""
    if raw.get("legal_form") == LegalForm.SOLE_TRADER.value:
        return {
            **VALIDATORS,
            "org_number": lambda v: normalise_org_or_personal_number(v, sole_trader=True),
        }
    return VALIDATORS


def validate(session: Session, area_id: int, raw: dict[str, Any]) -> FormResult:
    """Check the whole form: every field, then the rules that span fields or the database."""
    result = validate_form(validators_for(raw), raw)
    if result.cleaned.get("bankgiro") and result.cleaned.get("plusgiro"):
        result.errors["plusgiro"] = _("Ange antingen bankgiro eller plusgiro, inte båda.")
    number = result.cleaned.get("org_number")
    if number and "org_number" not in result.errors:
        existing = session.scalar(
            select(Organisation).where(
                Organisation.area_id == area_id, Organisation.org_number == number
            )
        )
        if existing is not None:
            result.errors["org_number"] = _(
                "{org_number} är redan registrerat för {organisation}."
            ).format(org_number=format_org_number(number), organisation=existing.name)
    return result


def field_error(raw: dict[str, Any], name: str) -> str | None:
    """The message for one field as the user leaves it (no database lookups on keystrokes)."""
    return validate_field(validators_for(raw), name, str(raw.get(name, "") or ""))


def register(session: Session, actor: Actor, area_id: int, cleaned: dict[str, Any]) -> Organisation:
    organisation = Organisation(
        area_id=area_id, **{key: value or "" for key, value in cleaned.items()}
    )
    # Payment accounts are NULL when absent (the database allows only one of them).
    organisation.bankgiro = cleaned["bankgiro"]
    organisation.plusgiro = cleaned["plusgiro"]
    session.add(organisation)
    session.flush()
    audit.record(
        session,
        actor,
        area_id=area_id,
        entity_type="organisation",
        entity_id=organisation.id,
        action="register",
        summary=f"Registrerade {organisation.name} ({format_org_number(organisation.org_number)})",
    )
    return organisation


def list_in_area(session: Session, area_id: int) -> list[Organisation]:
    return list(
        session.scalars(
            select(Organisation).where(Organisation.area_id == area_id).order_by(Organisation.name)
        )
    )
