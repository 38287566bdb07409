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
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.core.money import format_money

COMPLETENESS = "completeness"
ELIGIBILITY = "eligibility"
CHECKLIST_LABELS = {COMPLETENESS: N_("Fullständighet"), ELIGIBILITY: N_("Stödberättigande")}

LEADER = frozenset({ApplicationKind.LEADER_PROJECT})
SMALL = frozenset({ApplicationKind.SMALL_GRANT})
BOTH = LEADER | SMALL


@dataclass(frozen=True)
class PreCheck:
    """The system's reading of an item: passed (True/False) and what it saw, in the interface
    language."""

    passed: bool
    note: str


PreCheckFn = Callable[[Application], PreCheck | None]


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    checklist: str
    label: str  # marked with N_, translated where shown
    kinds: frozenset[ApplicationKind] = BOTH
    pre_check: PreCheckFn | None = None


def _contact(application: Application) -> PreCheck:
    missing = [
        label
        for label, value in (
            (N_("kontaktperson"), application.contact_name),
            (N_("e-postadress"), application.contact_email),
            (N_("organisation"), application.organisation_id),
        )
        if not value
    ]
    if missing:
        return PreCheck(
            False, _("Saknas: {missing}.").format(missing=", ".join(_(label) for label in missing))
        )
    return PreCheck(True, _("Kontaktperson, e-post och organisationsnummer finns."))


def _description(application: Application) -> PreCheck:
    if application.description.strip() and application.expected_results.strip():
        return PreCheck(True, _("Beskrivning och förväntade resultat är ifyllda."))
    return PreCheck(False, _("Beskrivning eller förväntade resultat saknas."))


def _budget_balanced(application: Application) -> PreCheck:
    costs, financing = application.total_costs_ore, application.total_financing_ore
    if costs == financing and costs > 0:
        both = _("Kostnader och finansiering är båda {amount}.")
        return PreCheck(True, both.format(amount=format_money(costs)))
    return PreCheck(
        False,
        _("Kostnader {costs}, finansiering {financing}.").format(
            costs=format_money(costs), financing=format_money(financing)
        ),
    )


def _attachments(application: Application) -> PreCheck | None:
    umbrella = application.umbrella_project
    if umbrella is None:
        return None
    present = {attachment.label.casefold() for attachment in application.attachments}
    missing = [label for label in umbrella.required_attachments if label.casefold() not in present]
    if missing:  # the call's own names for its attachments, as its manager wrote them
        return PreCheck(False, _("Saknas: {missing}.").format(missing=", ".join(missing)))
    return PreCheck(True, _("Alla bilagor som utlysningen kräver finns."))


def _legal_form(application: Application) -> PreCheck | None:
    umbrella, organisation = application.umbrella_project, application.organisation
    if umbrella is None or organisation is None:
        return None
    form = organisation.legal_form
    if not umbrella.eligible_legal_forms or form.value in umbrella.eligible_legal_forms:
        return PreCheck(
            True,
            _("{legal_form} får söka ur {umbrella}.").format(
                legal_form=form.label, umbrella=umbrella.name
            ),
        )
    return PreCheck(
        False,
        _("{legal_form} får inte söka ur {umbrella}.").format(
            legal_form=form.label, umbrella=umbrella.name
        ),
    )


def _grant_limits(application: Application) -> PreCheck | None:
    umbrella = application.umbrella_project
    if umbrella is None:
        return None
    requested = application.requested_ore
    amounts = {
        "requested": format_money(requested),
        "minimum": format_money(umbrella.min_grant_ore),
        "maximum": format_money(umbrella.max_grant_ore),
    }
    if umbrella.min_grant_ore <= requested <= umbrella.max_grant_ore:
        within = _("Sökt {requested} ligger inom {minimum}–{maximum}.")
        return PreCheck(True, within.format(**amounts))
    return PreCheck(
        False, _("Sökt {requested} ligger utanför {minimum}–{maximum}.").format(**amounts)
    )


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
        _("Ideellt arbete {volunteer}; krav {percent} % av sökt stöd.").format(
            volunteer=format_money(volunteer), percent=umbrella.volunteer_match_percent
        ),
    )


def _months_between(start: date, end: date) -> float:
    return (end.year - start.year) * 12 + (end.month - start.month) + (end.day - start.day) / 31


def _project_length(application: Application) -> PreCheck | None:
    umbrella = application.umbrella_project
    start, end = application.project_start, application.project_end
    if umbrella is None or start is None or end is None:
        return None
    months = umbrella.max_project_months
    if _months_between(start, end) <= months:
        return PreCheck(True, _("Projekttiden ryms inom {months} månader.").format(months=months))
    return PreCheck(False, _("Projekttiden är längre än {months} månader.").format(months=months))


def _costs_after_receipt(application: Application) -> PreCheck | None:
    if application.submitted_at is None or application.project_start is None:
        return None
    received = application.submitted_at.date()
    if application.project_start >= received:
        return PreCheck(True, _("Projektet startar tidigast den dag ansökan kom in."))
    return PreCheck(
        False,
        _("Projektet startar före ansökningsdagen; kostnader före den är inte stödberättigande."),
    )


ITEMS = (
    ChecklistItem("contact", COMPLETENESS,
                  N_("Sökande, kontaktperson och organisationsnummer finns"), pre_check=_contact),
    ChecklistItem("description", COMPLETENESS, N_("Projektbeskrivning och förväntade resultat"),
                  pre_check=_description),
    ChecklistItem("budget_balanced", COMPLETENESS,
                  N_("Budgeten går jämnt ut (kostnader = finansiering)"),
                  pre_check=_budget_balanced),
    ChecklistItem("attachments", COMPLETENESS, N_("Obligatoriska bilagor finns"), SMALL,
                  _attachments),
    ChecklistItem("cofinancing_confirmed", COMPLETENESS,
                  N_("Offentlig medfinansiering är intygad"), LEADER),
    ChecklistItem("legal_form", ELIGIBILITY, N_("Sökanden är en stödberättigad organisationsform"),
                  SMALL, _legal_form),
    ChecklistItem("grant_limits", ELIGIBILITY, N_("Sökt belopp inom pottens gränser"), SMALL,
                  _grant_limits),
    ChecklistItem("volunteer_match", ELIGIBILITY, N_("Ideellt arbete motsvarar kravet"), SMALL,
                  _volunteer_match),
    ChecklistItem("project_length", ELIGIBILITY, N_("Projekttiden ryms i utlysningens gräns"),
                  SMALL, _project_length),
    ChecklistItem("costs_after_receipt", ELIGIBILITY,
                  N_("Inga kostnader före den dag ansökan kom in"),
                  pre_check=_costs_after_receipt),
    ChecklistItem("public_benefit", ELIGIBILITY,
                  N_("Projektet är allmännyttigt och följer strategin")),
    ChecklistItem("no_double_funding", ELIGIBILITY,
                  N_("Inget annat offentligt stöd för samma kostnader")),
)  # fmt: skip
BY_KEY = {item.key: item for item in ITEMS}


def items_for(application: Application) -> list[ChecklistItem]:
    """The built-in items for the application's kind and, for a Leader project, the basic
    conditions (grundkrav) of its programme period, as the area has set them."""
    items = [item for item in ITEMS if application.kind in item.kinds]
    if application.kind is ApplicationKind.LEADER_PROJECT:
        items += [
            # The area's own wording, shown as written (``translate`` finds no entry for it).
            ChecklistItem(f"basic_{condition.key}", ELIGIBILITY, condition.text, LEADER)
            for condition in application.action_area.period.active_basic_conditions
        ]
    return items


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
