"""The handler's checklists (kontrollpunkter): completeness and eligibility.

Each item is declared once here with the kinds it applies to and, where the system can judge it,
a pre-check over the application's own columns and the umbrella's rules. The handler still gives
the verdict: a pre-check is advice shown beside the item, never an answer.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app.applications.models import Application, ApplicationKind, FinancingKind
from app.casework.models import ChecklistAnswer, Verdict
from app.core.money import format_money

COMPLETENESS = "completeness"
ELIGIBILITY = "eligibility"
CHECKLIST_LABELS = {COMPLETENESS: "Fullständighet", ELIGIBILITY: "Stödberättigande"}

LEADER = frozenset({ApplicationKind.LEADER_PROJECT})
SMALL = frozenset({ApplicationKind.SMALL_GRANT})
BOTH = LEADER | SMALL


@dataclass(frozen=True)
class PreCheck:
    """The system's reading of an item: passed (True/False) and what it saw, in Swedish."""

    passed: bool
    note: str


PreCheckFn = Callable[[Application], PreCheck | None]


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    checklist: str
    label: str
    kinds: frozenset[ApplicationKind] = BOTH
    pre_check: PreCheckFn | None = None


def _contact(application: Application) -> PreCheck:
    missing = [
        label
        for label, value in (
            ("kontaktperson", application.contact_name),
            ("e-postadress", application.contact_email),
            ("organisation", application.organisation_id),
        )
        if not value
    ]
    if missing:
        return PreCheck(False, "Saknas: " + ", ".join(missing) + ".")
    return PreCheck(True, "Kontaktperson, e-post och organisationsnummer finns.")


def _description(application: Application) -> PreCheck:
    if application.description.strip() and application.expected_results.strip():
        return PreCheck(True, "Beskrivning och förväntade resultat är ifyllda.")
    return PreCheck(False, "Beskrivning eller förväntade resultat saknas.")


def _budget_balanced(application: Application) -> PreCheck:
    costs, financing = application.total_costs_ore, application.total_financing_ore
    if costs == financing and costs > 0:
        return PreCheck(True, f"Kostnader och finansiering är båda {format_money(costs)}.")
    return PreCheck(
        False,
        f"Kostnader {format_money(costs)}, finansiering {format_money(financing)}.",
    )


def _attachments(application: Application) -> PreCheck | None:
    umbrella = application.umbrella_project
    if umbrella is None:
        return None
    present = {attachment.label.casefold() for attachment in application.attachments}
    missing = [label for label in umbrella.required_attachments if label.casefold() not in present]
    if missing:
        return PreCheck(False, "Saknas: " + ", ".join(missing) + ".")
    return PreCheck(True, "Alla bilagor som utlysningen kräver finns.")


def _legal_form(application: Application) -> PreCheck | None:
    umbrella, organisation = application.umbrella_project, application.organisation
    if umbrella is None or organisation is None:
        return None
    form = organisation.legal_form
    if not umbrella.eligible_legal_forms or form.value in umbrella.eligible_legal_forms:
        return PreCheck(True, f"{form.label} får söka ur {umbrella.name}.")
    return PreCheck(False, f"{form.label} får inte söka ur {umbrella.name}.")


def _grant_limits(application: Application) -> PreCheck | None:
    umbrella = application.umbrella_project
    if umbrella is None:
        return None
    requested = application.requested_ore
    limits = f"{format_money(umbrella.min_grant_ore)}–{format_money(umbrella.max_grant_ore)}"
    if umbrella.min_grant_ore <= requested <= umbrella.max_grant_ore:
        return PreCheck(True, f"Sökt {format_money(requested)} ligger inom {limits}.")
    return PreCheck(False, f"Sökt {format_money(requested)} ligger utanför {limits}.")


def _volunteer_match(application: Application) -> PreCheck | None:
    umbrella = application.umbrella_project
    if umbrella is None or umbrella.volunteer_match_percent == 0:
        return None
    volunteer = sum(
        line.amount_ore
        for line in application.financing_lines
        if line.kind is FinancingKind.VOLUNTEER_WORK
    )
    # Exact integer comparison: volunteer × 100 ≥ requested × percent.
    needed = application.requested_ore * umbrella.volunteer_match_percent
    verdict = volunteer * 100 >= needed
    return PreCheck(
        verdict,
        f"Ideellt arbete {format_money(volunteer)}; krav {umbrella.volunteer_match_percent} % "
        "av sökt stöd.",
    )


def _months_between(start: date, end: date) -> float:
    return (end.year - start.year) * 12 + (end.month - start.month) + (end.day - start.day) / 31


def _project_length(application: Application) -> PreCheck | None:
    umbrella = application.umbrella_project
    start, end = application.project_start, application.project_end
    if umbrella is None or start is None or end is None:
        return None
    if _months_between(start, end) <= umbrella.max_project_months:
        return PreCheck(True, f"Projekttiden ryms inom {umbrella.max_project_months} månader.")
    return PreCheck(False, f"Projekttiden är längre än {umbrella.max_project_months} månader.")


def _costs_after_receipt(application: Application) -> PreCheck | None:
    if application.submitted_at is None or application.project_start is None:
        return None
    received = application.submitted_at.date()
    if application.project_start >= received:
        return PreCheck(True, "Projektet startar tidigast den dag ansökan kom in.")
    return PreCheck(
        False,
        "Projektet startar före ansökningsdagen; kostnader före den är inte stödberättigande.",
    )


ITEMS = (
    ChecklistItem("contact", COMPLETENESS, "Sökande, kontaktperson och organisationsnummer finns",
                  pre_check=_contact),
    ChecklistItem("description", COMPLETENESS, "Projektbeskrivning och förväntade resultat",
                  pre_check=_description),
    ChecklistItem("budget_balanced", COMPLETENESS,
                  "Budgeten går jämnt ut (kostnader = finansiering)", pre_check=_budget_balanced),
    ChecklistItem("attachments", COMPLETENESS, "Obligatoriska bilagor finns", SMALL, _attachments),
    ChecklistItem("cofinancing_confirmed", COMPLETENESS, "Offentlig medfinansiering är intygad",
                  LEADER),
    ChecklistItem("legal_form", ELIGIBILITY, "Sökanden är en stödberättigad organisationsform",
                  SMALL, _legal_form),
    ChecklistItem("grant_limits", ELIGIBILITY, "Sökt belopp inom pottens gränser", SMALL,
                  _grant_limits),
    ChecklistItem("volunteer_match", ELIGIBILITY, "Ideellt arbete motsvarar kravet", SMALL,
                  _volunteer_match),
    ChecklistItem("project_length", ELIGIBILITY, "Projekttiden ryms i utlysningens gräns", SMALL,
                  _project_length),
    ChecklistItem("costs_after_receipt", ELIGIBILITY,
                  "Inga kostnader före den dag ansökan kom in", pre_check=_costs_after_receipt),
    ChecklistItem("public_benefit", ELIGIBILITY,
                  "Projektet är allmännyttigt och följer strategin"),
    ChecklistItem("no_double_funding", ELIGIBILITY,
                  "Inget annat offentligt stöd för samma kostnader"),
)  # fmt: skip
BY_KEY = {item.key: item for item in ITEMS}


def items_for(application: Application) -> list[ChecklistItem]:
    return [item for item in ITEMS if application.kind in item.kinds]


@dataclass(frozen=True)
class ChecklistRow:
    """One item as the case page shows it: the system's pre-check beside the handler's answer."""

    item: ChecklistItem
    pre_check: PreCheck | None
    answer: ChecklistAnswer | None

    @property
    def suggested(self) -> Verdict | None:
        if self.pre_check is None:
            return None
        return Verdict.YES if self.pre_check.passed else Verdict.NO


def rows_for(application: Application, answers: list[ChecklistAnswer]) -> list[ChecklistRow]:
    by_item = {answer.item: answer for answer in answers}
    return [
        ChecklistRow(item, item.pre_check(application) if item.pre_check else None,
                     by_item.get(item.key))
        for item in items_for(application)
    ]  # fmt: skip


def unanswered(rows: list[ChecklistRow]) -> list[ChecklistRow]:
    return [row for row in rows if row.answer is None]


def failed(rows: list[ChecklistRow]) -> list[ChecklistRow]:
    return [row for row in rows if row.answer is not None and row.answer.verdict is Verdict.NO]
