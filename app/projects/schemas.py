"""The Leader project registration form: its fields as the handler sees them, in sections.

The action-area choices and the volunteer rate depend on the area's current programme period,
so the form is built per request by ``form_sections``; everything else is fixed here.
"""

from dataclasses import dataclass, replace

from app.areas.models import ProgrammePeriod
from app.core.forms import FieldSpec
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.core.money import format_money
from app.organisations.models import LegalForm


@dataclass(frozen=True)
class Section:
    """A group of fields shown under one heading (a fieldset with a legend)."""

    legend: str  # marked with N_, translated where shown
    fields: tuple[FieldSpec, ...]


PROJECT_FIELDS = (
    FieldSpec("title", N_("Projektets namn"), required=True,
              hint=N_("Som i ansökan, högst 300 tecken.")),
    FieldSpec("description", N_("Beskrivning"), type="textarea", required=True,
              hint=N_("Vad projektet ska göra och för vem.")),
    FieldSpec("expected_results", N_("Förväntade resultat"), type="textarea", required=True),
    # The options come from the period (see ``form_sections``).
    FieldSpec("action_area", N_("Insatsområde"), type="select", required=True),
    FieldSpec("received_on", N_("Ansökan kom in till Jordbruksverket"), type="date", required=True,
              hint=N_("Dagen i e-tjänsten: kostnader före den är inte stödberättigande.")),
    FieldSpec("project_start", N_("Projektets startdatum"), type="date", required=True),
    FieldSpec("project_end", N_("Projektets slutdatum"), type="date", required=True),
    FieldSpec("national_case_number", N_("Ärendenummer hos Jordbruksverket"),
              hint=N_("Från Jordbruksverkets e-tjänst, t.ex. 2026-1234. Kan fyllas i senare.")),
)  # fmt: skip

APPLICANT_FIELDS = (
    FieldSpec("org_number", N_("Organisationsnummer"), required=True,
              hint=N_("10 siffror, t.ex. 802002-4280. För enskild firma: ägarens personnummer.")),
    FieldSpec("applicant_name", N_("Organisationens namn"), required=True,
              autocomplete="organization"),
    FieldSpec("legal_form", N_("Juridisk form"), type="select", required=True,
              options=(("", N_("Välj juridisk form")),
                       *((form.value, form.label) for form in LegalForm))),
    FieldSpec("contact_name", N_("Kontaktperson"), required=True, autocomplete="name"),
    FieldSpec("contact_email", N_("Kontaktpersonens e-post"), type="email", required=True,
              autocomplete="email"),
    FieldSpec("contact_phone", N_("Telefon"), type="tel", autocomplete="tel"),
)  # fmt: skip

BUDGET_FIELDS = (
    FieldSpec("total_costs", N_("Stödberättigande kostnader totalt (kr)"), required=True,
              inputmode="decimal", hint=N_("Hela projektets budget, inklusive ideellt arbete.")),
    FieldSpec("leader_support", N_("Sökt Leaderstöd (kr)"), required=True, inputmode="decimal"),
    FieldSpec("public_cofinancing", N_("Offentlig medfinansiering (kr)"), inputmode="decimal",
              hint=N_("T.ex. från kommunen eller regionen. Lämna tomt om det inte finns någon.")),
    FieldSpec("private_money", N_("Privata medel (kr)"), inputmode="decimal"),
    # The hint with the hourly rate comes from the period (see ``form_sections``).
    FieldSpec("volunteer_hours", N_("Ideellt arbete (timmar)"), inputmode="numeric"),
    FieldSpec("volunteer_women", N_("Antal kvinnor i det ideella arbetet"), inputmode="numeric"),
    FieldSpec("volunteer_men", N_("Antal män i det ideella arbetet"), inputmode="numeric"),
)  # fmt: skip

# Every field name the form posts, in the order they are shown.
FIELD_NAMES = tuple(spec.name for spec in (*PROJECT_FIELDS, *APPLICANT_FIELDS, *BUDGET_FIELDS))


def _with_period(spec: FieldSpec, period: ProgrammePeriod | None) -> FieldSpec:
    """Fill in what only the period knows: the action areas to choose from and the hour rate."""
    if spec.name == "action_area":
        areas = tuple((str(a.id), a.name) for a in period.action_areas) if period else ()
        return replace(spec, options=(("", N_("Välj insatsområde")), *areas))
    if spec.name == "volunteer_hours" and period is not None:
        rate = format_money(period.volunteer_rate_adult_ore)
        # Translated here, with the rate filled in; the field macro's |translate leaves it as is.
        hint = _(
            "Värderas till {rate} per timme ({period}). Räknas både som kostnad och finansiering."
        ).format(rate=rate, period=period.name)
        return replace(spec, hint=hint)
    return spec


def form_sections(period: ProgrammePeriod | None) -> tuple[Section, ...]:
    """The whole form for an area whose current period is ``period``."""
    return tuple(
        Section(legend, tuple(_with_period(spec, period) for spec in fields))
        for legend, fields in (
            (N_("Projektet"), PROJECT_FIELDS),
            (N_("Sökande organisation"), APPLICANT_FIELDS),
            (N_("Budget och finansiering"), BUDGET_FIELDS),
        )
    )
