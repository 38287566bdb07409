"""The Leader project registration form: its fields as the handler sees them, in sections.

The action-area choices and the volunteer rate depend on the area's current programme period,
so the form is built per request by ``form_sections``; everything else is fixed here.
"""

from dataclasses import dataclass, replace

from app.areas.models import ProgrammePeriod
from app.core.forms import FieldSpec
from app.core.money import format_money
from app.organisations.models import LegalForm


@dataclass(frozen=True)
class Section:
    """A group of fields shown under one heading (a fieldset with a legend)."""

    legend: str
    fields: tuple[FieldSpec, ...]


PROJECT_FIELDS = (
    FieldSpec("title", "Projektets namn", required=True, hint="Som i ansökan, högst 300 tecken."),
    FieldSpec("description", "Beskrivning", type="textarea", required=True,
              hint="Vad projektet ska göra och för vem."),
    FieldSpec("expected_results", "Förväntade resultat", type="textarea", required=True),
    # The options come from the period (see ``form_sections``).
    FieldSpec("action_area", "Insatsområde", type="select", required=True),
    FieldSpec("received_on", "Ansökan kom in till Jordbruksverket", type="date", required=True,
              hint="Dagen i e-tjänsten: kostnader före den är inte stödberättigande."),
    FieldSpec("project_start", "Projektets startdatum", type="date", required=True),
    FieldSpec("project_end", "Projektets slutdatum", type="date", required=True),
    FieldSpec("national_case_number", "Ärendenummer hos Jordbruksverket",
              hint="Från Jordbruksverkets e-tjänst, t.ex. 2026-1234. Kan fyllas i senare."),
)  # fmt: skip

APPLICANT_FIELDS = (
    FieldSpec("org_number", "Organisationsnummer", required=True,
              hint="10 siffror, t.ex. 802002-4280. För enskild firma: ägarens personnummer."),
    FieldSpec("applicant_name", "Organisationens namn", required=True,
              autocomplete="organization"),
    FieldSpec("legal_form", "Juridisk form", type="select", required=True,
              options=(("", "Välj juridisk form"),
                       *((form.value, form.label) for form in LegalForm))),
    FieldSpec("contact_name", "Kontaktperson", required=True, autocomplete="name"),
    FieldSpec("contact_email", "Kontaktpersonens e-post", type="email", required=True,
              autocomplete="email"),
    FieldSpec("contact_phone", "Telefon", type="tel", autocomplete="tel"),
)  # fmt: skip

BUDGET_FIELDS = (
    FieldSpec("total_costs", "Stödberättigande kostnader totalt (kr)", required=True,
              inputmode="decimal", hint="Hela projektets budget, inklusive ideellt arbete."),
    FieldSpec("leader_support", "Sökt Leaderstöd (kr)", required=True, inputmode="decimal"),
    FieldSpec("public_cofinancing", "Offentlig medfinansiering (kr)", inputmode="decimal",
              hint="T.ex. från kommunen eller regionen. Lämna tomt om det inte finns någon."),
    FieldSpec("private_money", "Privata medel (kr)", inputmode="decimal"),
    # The hint with the hourly rate comes from the period (see ``form_sections``).
    FieldSpec("volunteer_hours", "Ideellt arbete (timmar)", inputmode="numeric"),
    FieldSpec("volunteer_women", "Antal kvinnor i det ideella arbetet", inputmode="numeric"),
    FieldSpec("volunteer_men", "Antal män i det ideella arbetet", inputmode="numeric"),
)  # fmt: skip

# Every field name the form posts, in the order they are shown.
FIELD_NAMES = tuple(spec.name for spec in (*PROJECT_FIELDS, *APPLICANT_FIELDS, *BUDGET_FIELDS))


def _with_period(spec: FieldSpec, period: ProgrammePeriod | None) -> FieldSpec:
    """Fill in what only the period knows: the action areas to choose from and the hour rate."""
    if spec.name == "action_area":
        areas = tuple((str(a.id), a.name) for a in period.action_areas) if period else ()
        return replace(spec, options=(("", "Välj insatsområde"), *areas))
    if spec.name == "volunteer_hours" and period is not None:
        rate = format_money(period.volunteer_rate_adult_ore)
        hint = f"Värderas till {rate} per timme ({period.name}). Räknas både som kostnad och "
        return replace(spec, hint=hint + "finansiering.")
    return spec


def form_sections(period: ProgrammePeriod | None) -> tuple[Section, ...]:
    """The whole form for an area whose current period is ``period``."""
    return tuple(
        Section(legend, tuple(_with_period(spec, period) for spec in fields))
        for legend, fields in (
            ("Projektet", PROJECT_FIELDS),
            ("Sökande organisation", APPLICANT_FIELDS),
            ("Budget och finansiering", BUDGET_FIELDS),
        )
    )
