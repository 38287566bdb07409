"""The organisation form (fields as shown) and the API shape of an organisation."""

from pydantic import BaseModel, ConfigDict

from app.core.forms import FieldSpec
from app.core.i18n import N_
from app.organisations.models import LEGAL_FORM_LABELS, LegalForm

FORM_FIELDS = (
    FieldSpec("name", N_("Organisationens namn"), required=True, autocomplete="organization"),
    FieldSpec(
        "legal_form",
        N_("Juridisk form"),
        type="select",
        required=True,
        options=tuple((form.value, LEGAL_FORM_LABELS[form]) for form in LegalForm),
    ),
    FieldSpec(
        "org_number",
        N_("Organisationsnummer"),
        required=True,
        hint=N_("10 siffror, t.ex. 802002-4280. För enskild firma: ägarens personnummer."),
    ),
    FieldSpec(
        "bankgiro", N_("Bankgiro"), hint=N_("T.ex. 5050-1055. Fyll i bankgiro eller plusgiro.")
    ),
    FieldSpec("plusgiro", N_("Plusgiro"), hint=N_("T.ex. 90 20 03-3.")),
    FieldSpec("street_address", N_("Utdelningsadress"), autocomplete="street-address"),
    FieldSpec(
        "postal_code", N_("Postnummer"), autocomplete="postal-code", hint=N_("T.ex. 642 37.")
    ),
    FieldSpec("city", N_("Postort"), autocomplete="address-level2"),
    FieldSpec("contact_name", N_("Kontaktperson"), required=True, autocomplete="name"),
    FieldSpec(
        "contact_email",
        N_("E-post till kontaktpersonen"),
        type="email",
        required=True,
        autocomplete="email",
    ),
    FieldSpec("contact_phone", N_("Telefon"), type="tel", autocomplete="tel"),
)


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    org_number: str
    legal_form: LegalForm
    bankgiro: str | None
    plusgiro: str | None
    city: str
