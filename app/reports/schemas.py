"""The final report form (slutredovisning)."""

from app.core.forms import FieldSpec
from app.core.i18n import N_

REPORT_FIELDS = (
    FieldSpec("summary", N_("Vad har projektet gjort och lett till?"), type="textarea",
              required=True),
    FieldSpec("participants_women", N_("Antal deltagare, kvinnor")),
    FieldSpec("participants_men", N_("Antal deltagare, män")),
    FieldSpec("volunteer_hours", N_("Ideella timmar som lades ned")),
    FieldSpec("new_activities", N_("Nya aktiviteter som startade")),
    FieldSpec("jobs_created", N_("Nya arbetstillfällen (heltidstjänster)"),
              hint=N_("T.ex. 0,5. Räkna inte ideellt arbete.")),
    FieldSpec("businesses_started", N_("Nya företag som startade")),
)  # fmt: skip
