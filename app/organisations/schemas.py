"""The organisation form (fields as shown) and the API shape of an organisation."""

from pydantic import BaseModel, ConfigDict

from app.core.forms import FieldSpec
from app.organisations.models import LegalForm

FORM_FIELDS = (
    FieldSpec("name", "Organisationens namn", required=True, autocomplete="organization"),
    FieldSpec(
        "legal_form",
        "Juridisk form",
        type="select",
        required=True,
        options=tuple((form.value, form.label) for form in LegalForm),
    ),
    FieldSpec(
        "org_number",
        "Organisationsnummer",
        required=True,
        hint="10 siffror, t.ex. 802002-4280. För enskild firma: ägarens personnummer.",
    ),
    FieldSpec("bankgiro", "Bankgiro", hint="T.ex. 5050-1055. Fyll i bankgiro eller plusgiro."),
    FieldSpec("plusgiro", "Plusgiro", hint="T.ex. 90 20 03-3."),
    FieldSpec("street_address", "Utdelningsadress", autocomplete="street-address"),
    FieldSpec("postal_code", "Postnummer", autocomplete="postal-code", hint="T.ex. 642 37."),
    FieldSpec("city", "Postort", autocomplete="address-level2"),
    FieldSpec("contact_name", "Kontaktperson", required=True, autocomplete="name"),
    FieldSpec(
        "contact_email",
        "E-post till kontaktpersonen",
        type="email",
        required=True,
        autocomplete="email",
    ),
    FieldSpec("contact_phone", "Telefon", type="tel", autocomplete="tel"),
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
