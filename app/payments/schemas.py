"""The payment claim form (ansökan om utbetalning)."""

from app.core.forms import FieldSpec
from app.payments.models import ClaimKind

CLAIM_FIELDS = (
    FieldSpec("kind", "Vilken utbetalning?", type="select", required=True,
              options=tuple((kind.value, kind.label) for kind in ClaimKind)),
    FieldSpec("amount", "Belopp ni begär (kr)", required=True),
    FieldSpec("actual_costs", "Faktiska kostnader hittills (kr)", required=True,
              hint="Summan av kvitton och fakturor som utbetalningen grundar sig på."),
    FieldSpec("description", "Vad har ni gjort?", type="textarea",
              hint="Kort om vad pengarna har använts till."),
)  # fmt: skip
