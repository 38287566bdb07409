"""The payment claim form (ansökan om utbetalning)."""

from app.core.forms import FieldSpec
from app.core.i18n import N_
from app.payments.models import CLAIM_KIND_LABELS, ClaimKind

CLAIM_FIELDS = (
    FieldSpec("kind", N_("Vilken utbetalning?"), type="select", required=True,
              options=tuple((kind.value, CLAIM_KIND_LABELS[kind]) for kind in ClaimKind)),
    FieldSpec("amount", N_("Belopp ni begär (kr)"), required=True),
    FieldSpec("actual_costs", N_("Faktiska kostnader hittills (kr)"), required=True,
              hint=N_("Summan av kvitton och fakturor som utbetalningen grundar sig på.")),
    FieldSpec("description", N_("Vad har ni gjort?"), type="textarea",
              hint=N_("Kort om vad pengarna har använts till.")),
)  # fmt: skip
