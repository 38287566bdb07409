"""The settings forms: how each field is shown and read. The same validators read the manager's
forms and the imported settings file (``app.settings.document``), so the two cannot disagree.

Field names are the settings file's keys; amounts are typed in kronor (``*_kr``) and stored in
öre.
"""

import re

from app.areas.models import (
    BALANCE_LIMIT_PERCENT_RANGE,
    DECISION_DAYS_RANGE,
    QUORUM_PERCENT_RANGE,
    RETENTION_MONTHS_RANGE,
)
from app.core.forms import (
    FieldError,
    FieldSpec,
    Validator,
    iso_date,
    optional,
    optional_text,
    required,
)
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.core.money import parse_kronor

# Sanity ceilings: a typo of a few extra digits is refused rather than stored.
MAX_THRESHOLD_POINTS = 100_000
WEIGHT_RANGE = (1, 1000)
MAX_POINTS_RANGE = (1, 1000)
REASON_MAX = 2000


def whole(low: int, high: int) -> Validator:
    """A whole number from ``low`` to ``high``."""

    def check(value: str) -> int:
        text = value.strip().replace(" ", "").replace("\u00a0", "")
        if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            raise FieldError(
                _("Ange ett heltal från {low} till {high}.").format(low=low, high=high)
            )
        return int(text)

    return check


def kronor(value: str) -> int:
    return parse_kronor(value)


def positive_kronor(value: str) -> int:
    return parse_kronor(value, allow_zero=False)


_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,19}")


def code(value: str) -> str:
    value = value.strip()
    if not _CODE.fullmatch(value):
        raise FieldError(N_("Ange en kort kod med bokstäver och siffror, t.ex. 1 eller 2a."))
    return value


def checked(value: str) -> bool:
    """A single checkbox: ticked when posted ("yes"), otherwise not."""
    return value.strip() == "yes"


REASON = FieldSpec("reason", N_("Skäl till ändringen"), type="textarea",
                   hint=N_("Sparas i loggen tillsammans med ändringen."))  # fmt: skip
REASON_REQUIRED = FieldSpec("reason", N_("Skäl till ändringen"), type="textarea", required=True,
                            hint=N_("Sparas i huvudboken och i loggen."))  # fmt: skip
optional_reason = optional_text(REASON_MAX)


def _numeric(name: str, label: str, hint: str | None = None) -> FieldSpec:
    return FieldSpec(name, label, required=True, hint=hint, inputmode="numeric")


def _amount(name: str, label: str, hint: str | None = None) -> FieldSpec:
    return FieldSpec(name, label, required=True, hint=hint, inputmode="decimal")


# --- The area's rules ---

AREA_FIELDS = (
    _numeric("decision_within_days", N_("Besked om beslut inom (dagar)"),
             N_("Sökande får veta det i kvittot och på sin ärendesida.")),
    _numeric("retention_months", N_("Personuppgifter sparas (månader efter avslut)"),
             N_("Därefter anonymiseras ett avslutat ärendes personuppgifter.")),
    _numeric("quorum_percent", N_("Beslutför när fler än (% av de ordinarie platserna) deltar"),
             N_("50 betyder mer än hälften, som i de flesta stadgar.")),
    _numeric("balance_limit_percent", N_("Högsta andel av rösterna för en intressegrupp (%)"),
             N_("EU:s regel är 49 %.")),
    REASON,
)  # fmt: skip
AREA_VALIDATORS = {
    "decision_within_days": whole(*DECISION_DAYS_RANGE),
    "retention_months": whole(*RETENTION_MONTHS_RANGE),
    "quorum_percent": whole(*QUORUM_PERCENT_RANGE),
    "balance_limit_percent": whole(*BALANCE_LIMIT_PERCENT_RANGE),
    "reason": optional_reason,
}

# --- The programme period's figures ---

PERIOD_FIELDS = (
    _numeric("uptake_target_percent", N_("Mål för upparbetning (% av tilldelningen)")),
    FieldSpec("uptake_target_date", N_("Målet ska vara nått"), type="date", required=True),
    _numeric("pass_threshold_points", N_("Poänggräns"),
             N_("Gäller insatsområden som inte har en egen gräns.")),
    _amount("volunteer_rate_adult_kr", N_("Ideellt arbete, 16 år och äldre (kr per timme)"),
            N_("Gäller nya ansökningar; inskickade behåller sitt timvärde.")),
    _amount("volunteer_rate_youth_kr", N_("Ideellt arbete, 13–15 år (kr per timme)")),
    _numeric("advance_cap_percent", N_("Förskott högst (% av beviljat stöd)")),
    _amount("advance_cap_kr", N_("Förskott högst (kr)"),
            N_("Gäller nya förskott; redan utbetalda påverkas inte.")),
    REASON,
)  # fmt: skip
PERIOD_VALIDATORS = {
    "uptake_target_percent": whole(1, 100),
    "uptake_target_date": iso_date(N_("Ange när målet ska vara nått.")),
    "pass_threshold_points": whole(0, MAX_THRESHOLD_POINTS),
    "volunteer_rate_adult_kr": positive_kronor,
    "volunteer_rate_youth_kr": positive_kronor,
    "advance_cap_percent": whole(0, 100),
    "advance_cap_kr": kronor,
    "reason": optional_reason,
}
# A new period (from the settings file) also has its name and dates.
NEW_PERIOD_VALIDATORS = {
    "name": required(N_("Ange programperiodens namn, t.ex. 2023–2027."), max_length=40),
    "starts_on": iso_date(N_("Ange när programperioden börjar.")),
    "ends_on": iso_date(N_("Ange när programperioden slutar.")),
    **PERIOD_VALIDATORS,
}

ALLOCATION_FIELDS = (
    _amount("allocation_kr", N_("Tilldelade projektmedel (kr)"),
            N_("Skillnaden bokförs som en ny tilldelning eller justering; tidigare poster i "
               "huvudboken ändras aldrig.")),
    REASON_REQUIRED,
)  # fmt: skip
ALLOCATION_VALIDATORS = {
    "allocation_kr": kronor,
    "reason": required(N_("Ange ett skäl."), max_length=REASON_MAX),
}

# --- Action areas (insatsområden) ---

ACTION_AREA_FIELDS = (
    FieldSpec("name", N_("Namn"), required=True),
    _amount("budget_frame_kr", N_("Budgetram (kr)")),
    FieldSpec("pass_threshold_points", N_("Egen poänggräns"), inputmode="numeric",
              hint=N_("Lämna tomt för programperiodens gräns.")),
    REASON,
)  # fmt: skip
NEW_ACTION_AREA_FIELDS = (FieldSpec("code", N_("Kod"), required=True,
                                    hint=N_("Kort och stabil, t.ex. 1 eller 2a.")),
                          *ACTION_AREA_FIELDS)  # fmt: skip
ACTION_AREA_VALIDATORS = {
    "name": required(N_("Ange insatsområdets namn.")),
    "budget_frame_kr": kronor,
    "pass_threshold_points": optional(whole(0, MAX_THRESHOLD_POINTS)),
    "reason": optional_reason,
}
NEW_ACTION_AREA_VALIDATORS = {"code": code, **ACTION_AREA_VALIDATORS}

# --- Selection criteria (urvalskriterier) ---

CRITERION_FIELDS = (
    FieldSpec("name", N_("Namn"), required=True),
    FieldSpec("description", N_("Beskrivning"), type="textarea"),
    _numeric("weight", N_("Vikt")),
    _numeric("max_points", N_("Högsta poäng"), N_("Poängen sätts från 0 till detta tal.")),
    REASON,
)
CRITERION_VALIDATORS = {
    "name": required(N_("Ange kriteriets namn.")),
    "description": optional_text(2000),
    "weight": whole(*WEIGHT_RANGE),
    "max_points": whole(*MAX_POINTS_RANGE),
    "reason": optional_reason,
}

# --- Basic conditions (grundkrav) ---

_CONDITION_TEXT = FieldSpec("text", N_("Grundkrav"), type="textarea", required=True,
                            hint=N_("En fråga som besvaras med ja eller nej."))  # fmt: skip
NEW_CONDITION_FIELDS = (_CONDITION_TEXT, REASON)
CONDITION_FIELDS = (
    _CONDITION_TEXT,
    FieldSpec("active", N_("Används"), type="checkboxes",
              options=(("yes", N_("Grundkravet ställs på nya bedömningar")),)),
    REASON,
)  # fmt: skip
CONDITION_VALIDATORS = {
    "text": required(N_("Skriv grundkravet."), max_length=300),
    "active": checked,
    "reason": optional_reason,
}
