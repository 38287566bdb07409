"""The småstöd application form: its steps and fields as the applicant sees them."""

from dataclasses import dataclass

from app.core.forms import FieldSpec
from app.core.i18n import N_
from app.organisations.schemas import FORM_FIELDS as ORGANISATION_FIELDS

# Cost lines are a fixed number of rows: enough for a small grant, no JavaScript needed.
COST_ROWS = 6


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    fields: tuple[FieldSpec, ...]


PROJECT_FIELDS = (
    FieldSpec("title", N_("Projektets namn"), required=True, hint=N_("Högst 200 tecken.")),
    FieldSpec("description", N_("Vad ska ni göra?"), type="textarea", required=True,
              hint=N_("Beskriv aktiviteterna och vem de är till för.")),
    FieldSpec("expected_results", N_("Vad blir resultatet?"), type="textarea", required=True,
              hint=N_("T.ex. antal deltagare, nya aktiviteter, något som finns kvar efteråt.")),
    FieldSpec("project_start", N_("Startdatum"), type="date", required=True,
              hint=N_("Tidigast samma dag som ansökan skickas in.")),
    FieldSpec("project_end", N_("Slutdatum"), type="date", required=True),
)  # fmt: skip

# Each row's labels written out, so that every label is a whole message in the catalogue.
_COST_LABELS = (
    (N_("Kostnad 1: vad"), N_("Kostnad 1: belopp (kr)")),
    (N_("Kostnad 2: vad"), N_("Kostnad 2: belopp (kr)")),
    (N_("Kostnad 3: vad"), N_("Kostnad 3: belopp (kr)")),
    (N_("Kostnad 4: vad"), N_("Kostnad 4: belopp (kr)")),
    (N_("Kostnad 5: vad"), N_("Kostnad 5: belopp (kr)")),
    (N_("Kostnad 6: vad"), N_("Kostnad 6: belopp (kr)")),
)
if len(_COST_LABELS) != COST_ROWS:
    raise RuntimeError("Write out the labels of every cost row.")

BUDGET_FIELDS = (
    *(
        spec
        for row, (what, amount) in enumerate(_COST_LABELS, start=1)
        for spec in (
            FieldSpec(f"cost_{row}_description", what),
            FieldSpec(f"cost_{row}_amount", amount, inputmode="decimal"),
        )
    ),
    FieldSpec("leader_support", N_("Småstöd ni söker (kr)"), required=True, inputmode="decimal"),
    FieldSpec("public_cofinancing", N_("Offentlig medfinansiering (kr)"), inputmode="decimal",
              hint=N_("T.ex. bidrag från kommunen. Lämna tomt om ni inte har någon.")),
    FieldSpec("private_money", N_("Egna eller privata pengar (kr)"), inputmode="decimal"),
    FieldSpec("volunteer_hours_adult", N_("Ideellt arbete, timmar (16 år och äldre)"),
              inputmode="numeric"),
    FieldSpec("volunteer_hours_youth", N_("Ideellt arbete, timmar (13–15 år)"),
              inputmode="numeric"),
    FieldSpec("volunteer_women", N_("Antal kvinnor som arbetar ideellt"), inputmode="numeric"),
    FieldSpec("volunteer_men", N_("Antal män som arbetar ideellt"), inputmode="numeric"),
)  # fmt: skip

STEPS = (
    Step("organisation", N_("Organisation"), ORGANISATION_FIELDS),
    Step("project", N_("Projektet"), PROJECT_FIELDS),
    Step("budget", N_("Budget och finansiering"), BUDGET_FIELDS),
    Step("attachments", N_("Bilagor"), ()),
    Step("review", N_("Granska och skicka"), ()),
)
STEPS_BY_NAME = {step.name: step for step in STEPS}
