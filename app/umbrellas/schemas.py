"""The call form a manager fills in (utlysning under ett paraplyprojekt)."""

from app.core.forms import FieldSpec
from app.organisations.models import LegalForm
from app.umbrellas.models import DecisionBody


def call_fields(action_areas: list[tuple[str, str]]) -> tuple[FieldSpec, ...]:
    """The fields, with the current period's action areas to choose from."""
    return (
        FieldSpec("name", "Namn på paraplyprojektet", required=True),
        FieldSpec("action_area_id", "Insatsområde", type="select", required=True,
                  options=tuple(action_areas)),
        FieldSpec("description", "Kort beskrivning för sökande", type="textarea", required=True),
        FieldSpec("pot", "Pott (kr)", required=True),
        FieldSpec("min_grant", "Minsta stöd per ansökan (kr)", required=True),
        FieldSpec("max_grant", "Högsta stöd per ansökan (kr)", required=True),
        FieldSpec("volunteer_match_percent", "Ideellt arbete, minst (% av stödet)", required=True,
                  hint="T.ex. 50 eller 100."),
        FieldSpec("max_project_months", "Längsta projekttid (månader)", required=True),
        FieldSpec("call_opens_on", "Utlysningen öppnar", type="date", required=True,
                  hint="Från kl. 00:00 svensk tid."),
        FieldSpec("call_closes_on", "Sista ansökningsdag", type="date", required=True,
                  hint="Till och med kl. 23:59 svensk tid."),
        FieldSpec("eligible_legal_forms", "Vilka får söka", type="checkboxes", required=True,
                  options=tuple((form.value, form.label) for form in LegalForm)),
        FieldSpec("required_attachments", "Bilagor som krävs", type="textarea",
                  hint="En per rad, t.ex. Budget, Styrelsebeslut, Offerter."),
        FieldSpec("decision_body", "Vem beslutar", type="select", required=True,
                  options=tuple((body.value, body.label) for body in DecisionBody)),
        FieldSpec("delegation_limit", "Kansliet får besluta upp till (kr)", required=True,
                  hint="Större belopp går till LAG-styrelsen."),
    )  # fmt: skip
