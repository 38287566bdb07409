"""The småstöd application form: its steps and fields as the applicant sees them."""

from dataclasses import dataclass

from app.core.forms import FieldSpec
from app.organisations.schemas import FORM_FIELDS as ORGANISATION_FIELDS

# Cost lines are a fixed number of rows: enough for a small grant, no JavaScript needed.
COST_ROWS = 6


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    fields: tuple[FieldSpec, ...]


PROJECT_FIELDS = (
    FieldSpec("title", "Projektets namn", required=True, hint="Högst 200 tecken."),
    FieldSpec("description", "Vad ska ni göra?", type="textarea", required=True,
              hint="Beskriv aktiviteterna och vem de är till för."),
    FieldSpec("expected_results", "Vad blir resultatet?", type="textarea", required=True,
              hint="T.ex. antal deltagare, nya aktiviteter, något som finns kvar efteråt."),
    FieldSpec("project_start", "Startdatum", type="date", required=True,
              hint="Tidigast samma dag som ansökan skickas in."),
    FieldSpec("project_end", "Slutdatum", type="date", required=True),
)  # fmt: skip

BUDGET_FIELDS = (
    *(
        spec
        for row in range(1, COST_ROWS + 1)
        for spec in (
            FieldSpec(f"cost_{row}_description", f"Kostnad {row}: vad"),
            FieldSpec(f"cost_{row}_amount", f"Kostnad {row}: belopp (kr)", inputmode="decimal"),
        )
    ),
    FieldSpec("leader_support", "Småstöd ni söker (kr)", required=True, inputmode="decimal"),
    FieldSpec("public_cofinancing", "Offentlig medfinansiering (kr)", inputmode="decimal",
              hint="T.ex. bidrag från kommunen. Lämna tomt om ni inte har någon."),
    FieldSpec("private_money", "Egna eller privata pengar (kr)", inputmode="decimal"),
    FieldSpec("volunteer_hours_adult", "Ideellt arbete, timmar (16 år och äldre)",
              inputmode="numeric"),
    FieldSpec("volunteer_hours_youth", "Ideellt arbete, timmar (13–15 år)", inputmode="numeric"),
    FieldSpec("volunteer_women", "Antal kvinnor som arbetar ideellt", inputmode="numeric"),
    FieldSpec("volunteer_men", "Antal män som arbetar ideellt", inputmode="numeric"),
)  # fmt: skip

STEPS = (
    Step("organisation", "Organisation", ORGANISATION_FIELDS),
    Step("project", "Projektet", PROJECT_FIELDS),
    Step("budget", "Budget och finansiering", BUDGET_FIELDS),
    Step("attachments", "Bilagor", ()),
    Step("review", "Granska och skicka", ()),
)
STEPS_BY_NAME = {step.name: step for step in STEPS}
