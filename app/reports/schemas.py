"""The final report form (slutredovisning)."""

from app.core.forms import FieldSpec

REPORT_FIELDS = (
    FieldSpec("summary", "Vad har projektet gjort och lett till?", type="textarea", required=True),
    FieldSpec("participants_women", "Antal deltagare, kvinnor"),
    FieldSpec("participants_men", "Antal deltagare, män"),
    FieldSpec("volunteer_hours", "Ideella timmar som lades ned"),
    FieldSpec("new_activities", "Nya aktiviteter som startade"),
    FieldSpec("jobs_created", "Nya arbetstillfällen (heltidstjänster)",
              hint="T.ex. 0,5. Räkna inte ideellt arbete."),
    FieldSpec("businesses_started", "Nya företag som startade"),
)  # fmt: skip
