"""The call form a manager fills in (utlysning under ett paraplyprojekt)."""

from app.core.forms import FieldSpec
from app.core.i18n import N_
from app.organisations.models import LEGAL_FORM_LABELS, LegalForm
from app.umbrellas.models import DECISION_BODY_LABELS, DecisionBody


def call_fields(action_areas: list[tuple[str, str]]) -> tuple[FieldSpec, ...]:
    """The fields, with the current period's action areas to choose from."""
    return (
        FieldSpec("name", N_("Namn på paraplyprojektet"), required=True),
        FieldSpec("action_area_id", N_("Insatsområde"), type="select", required=True,
                  options=tuple(action_areas)),
        FieldSpec("description", N_("Kort beskrivning för sökande"), type="textarea",
                  required=True),
        FieldSpec("pot", N_("Pott (kr)"), required=True),
        FieldSpec("min_grant", N_("Minsta stöd per ansökan (kr)"), required=True),
        FieldSpec("max_grant", N_("Högsta stöd per ansökan (kr)"), required=True),
        FieldSpec("volunteer_match_percent", N_("Ideellt arbete, minst (% av stödet)"),
                  required=True, hint=N_("T.ex. 50 eller 100.")),
        FieldSpec("max_project_months", N_("Längsta projekttid (månader)"), required=True),
        FieldSpec("call_opens_on", N_("Utlysningen öppnar"), type="date", required=True,
                  hint=N_("Från kl. 00:00 svensk tid.")),
        FieldSpec("call_closes_on", N_("Sista ansökningsdag"), type="date", required=True,
                  hint=N_("Till och med kl. 23:59 svensk tid.")),
        FieldSpec("eligible_legal_forms", N_("Vilka får söka"), type="checkboxes", required=True,
                  options=tuple((form.value, LEGAL_FORM_LABELS[form]) for form in LegalForm)),
        FieldSpec("required_attachments", N_("Bilagor som krävs"), type="textarea",
                  hint=N_("En per rad, t.ex. Budget, Styrelsebeslut, Offerter.")),
        FieldSpec("decision_body", N_("Vem beslutar"), type="select", required=True,
                  options=tuple((body.value, DECISION_BODY_LABELS[body]) for body in DecisionBody)),
        FieldSpec("delegation_limit", N_("Kansliet får besluta upp till (kr)"), required=True,
                  hint=N_("Större belopp går till LAG-styrelsen.")),
    )  # fmt: skip
