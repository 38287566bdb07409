"""The application workflow: every status change an application can make, defined once.

Both kinds (Leader project and småstöd) share the states; a transition says which kinds it
applies to, from which states, to which state, and who may make it. Services ask this module
before changing a status, so a transition that is not allowed is refused with a reason (in the
visitor's language), whether it comes from a page, the API or the applicant's link. The diagram
is in docs/workflow.md.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.applications.models import Application, ApplicationKind, ApplicationStatus
from app.applications.service import change_status
from app.audit.service import Actor
from app.auth.models import Role
from app.core.i18n import N_, in_swedish
from app.core.i18n import gettext as _

# The applicant has no account; their link acts in this role.
APPLICANT = "applicant"
AS_APPLICANT = frozenset({APPLICANT})

S = ApplicationStatus
LEADER, SMALL = (
    frozenset({ApplicationKind.LEADER_PROJECT}),
    frozenset({ApplicationKind.SMALL_GRANT}),
)
BOTH = LEADER | SMALL
OFFICE = frozenset({Role.HANDLER.value, Role.MANAGER.value})
CHAIR = frozenset({Role.LAG_CHAIR.value})
# Before a decision, the application can still be taken back.
UNDECIDED = frozenset(
    {S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.AWAITING_INFORMATION, S.READY_FOR_DECISION, S.ON_AGENDA}
)
GRANTED = frozenset({S.APPROVED, S.PARTLY_APPROVED})


class TransitionRefused(Exception):
    """Not allowed now; ``message`` says why, in the interface language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # as on a button; marked with N_, translated where shown
    sources: frozenset[ApplicationStatus]
    target: ApplicationStatus
    by: frozenset[str]  # role values, or APPLICANT
    kinds: frozenset[ApplicationKind] = BOTH


def _t(name: str, label: str, sources: set[S], target: S, by: frozenset[str] | set[str],
       kinds: frozenset[ApplicationKind] = BOTH) -> Transition:  # fmt: skip
    return Transition(name, label, frozenset(sources), target, frozenset(by), kinds)


TRANSITIONS = (
    # A småstöd is submitted by its applicant; a Leader project is registered by the office
    # from the applicant's documents in the national e-service.
    _t("submit", N_("Skicka in"), {S.DRAFT}, S.SUBMITTED, {APPLICANT}, SMALL),
    _t("register", N_("Registrera"), {S.DRAFT}, S.SUBMITTED, OFFICE, LEADER),
    _t("start_review", N_("Börja handläggning"), {S.SUBMITTED}, S.IN_REVIEW, OFFICE),
    # Komplettering of a Leader project goes through Jordbruksverket's e-service, not here.
    _t("request_information", N_("Begär komplettering"), {S.SUBMITTED, S.IN_REVIEW},
       S.AWAITING_INFORMATION, OFFICE, SMALL),
    _t("information_received", N_("Ta emot komplettering"), {S.AWAITING_INFORMATION},
       S.IN_REVIEW, OFFICE | {APPLICANT}, SMALL),
    _t("ready_for_decision", N_("Klar för beslut"), {S.IN_REVIEW}, S.READY_FOR_DECISION,
       OFFICE),
    _t("reopen", N_("Tillbaka till handläggning"), {S.READY_FOR_DECISION, S.ON_AGENDA},
       S.IN_REVIEW, OFFICE),
    # Småstöd under delegation (the amount guard is the decision's, not the workflow's).
    _t("approve", N_("Bevilja"), {S.READY_FOR_DECISION}, S.APPROVED, OFFICE, SMALL),
    _t("approve_partly", N_("Bevilja delvis"), {S.READY_FOR_DECISION}, S.PARTLY_APPROVED,
       OFFICE, SMALL),
    _t("reject", N_("Avslå"), {S.READY_FOR_DECISION}, S.REJECTED, OFFICE, SMALL),
    # The office prepares the agenda; the chair may set it too.
    _t("put_on_agenda", N_("Sätt upp på LAG-möte"), {S.READY_FOR_DECISION}, S.ON_AGENDA,
       OFFICE | CHAIR),
    # The LAG: a Leader project is prioritised (money reserved) and waits for Jordbruksverket;
    # a småstöd above the delegation limit is decided by the board itself.
    _t("prioritise", N_("Prioritera"), {S.ON_AGENDA}, S.PRIORITISED, CHAIR, LEADER),
    _t("board_approve", N_("Bevilja"), {S.ON_AGENDA}, S.APPROVED, CHAIR, SMALL),
    _t("board_approve_partly", N_("Bevilja delvis"), {S.ON_AGENDA}, S.PARTLY_APPROVED, CHAIR,
       SMALL),
    _t("board_reject", N_("Avslå"), {S.ON_AGENDA}, S.REJECTED, CHAIR),
    # Bordläggning: the board postpones the item; it waits for a later meeting.
    _t("postpone", N_("Bordlägg"), {S.ON_AGENDA}, S.READY_FOR_DECISION, CHAIR),
    # Jordbruksverket's formal decision, registered by the office.
    _t("authority_approve", N_("Registrera myndighetsbeslut: beviljat"), {S.PRIORITISED},
       S.APPROVED, OFFICE, LEADER),
    _t("authority_approve_partly", N_("Registrera myndighetsbeslut: delvis beviljat"),
       {S.PRIORITISED}, S.PARTLY_APPROVED, OFFICE, LEADER),
    _t("authority_reject", N_("Registrera myndighetsbeslut: avslag"), {S.PRIORITISED},
       S.REJECTED, OFFICE, LEADER),
    _t("claim_payment", N_("Begär utbetalning"), GRANTED, S.PAYMENT, OFFICE | {APPLICANT}),
    _t("final_report", N_("Lämna slutredovisning"), GRANTED | {S.PAYMENT}, S.FINAL_REPORT,
       OFFICE | {APPLICANT}),
    # A grant never used (or a project stopped) closes too, releasing its money.
    _t("close", N_("Avsluta"), GRANTED | {S.PAYMENT, S.FINAL_REPORT, S.REJECTED}, S.CLOSED,
       OFFICE),
    _t("withdraw", N_("Återta"), set(UNDECIDED - {S.DRAFT}), S.WITHDRAWN, OFFICE | {APPLICANT}),
)  # fmt: skip
BY_NAME = {transition.name: transition for transition in TRANSITIONS}
# What the applicant sees of the case log: status changes and their own and the office's
# replies to them, never the office's internal work (notes, checklists, proposals, assignment).
APPLICANT_TIMELINE_ACTIONS = frozenset(BY_NAME) | {
    "information_answered",
    "payment_claimed",
    "payment_registered",
    "claim_rejected",
}


def check(application: Application, name: str, roles: frozenset[str]) -> Transition:
    """The transition, if this actor may make it now; otherwise ``TransitionRefused``."""
    transition = BY_NAME.get(name)
    if transition is None:
        raise TransitionRefused(_("Okänd åtgärd."))
    if application.kind not in transition.kinds:
        message = (
            _("”{action}” gäller inte småstöd.")
            if application.kind is ApplicationKind.SMALL_GRANT
            else _("”{action}” gäller inte leaderprojekt.")
        )
        raise TransitionRefused(message.format(action=_(transition.label)))
    if application.status not in transition.sources:
        raise TransitionRefused(
            _("”{action}” går inte när ansökan har status ”{status}”.").format(
                action=_(transition.label), status=application.status.label.lower()
            )
        )
    if roles.isdisjoint(transition.by):
        raise TransitionRefused(refused_role_message(transition))
    return transition


def refused_role_message(transition: Transition) -> str:
    """Why an actor without the role may not make ``transition``, in the current language."""
    return _("Du har inte behörighet att ”{action}”.").format(action=_(transition.label).lower())


def available(application: Application, roles: frozenset[str]) -> list[Transition]:
    """What this actor can do with the application now (for the buttons on a page)."""
    return [
        t
        for t in TRANSITIONS
        if application.kind in t.kinds
        and application.status in t.sources
        and not roles.isdisjoint(t.by)
    ]


def apply(
    session: Session,
    actor: Actor,
    application: Application,
    name: str,
    roles: frozenset[str],
    *,
    summary: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> Transition:
    """Make the transition (after ``check``), with its audit event."""
    transition = check(application, name, roles)
    change_status(
        session, actor, application, transition.target, action=name, summary=summary,
        reason=reason, now=now,
    )  # fmt: skip
    return transition


@in_swedish
def mermaid() -> str:
    """The workflow as a Mermaid state diagram (docs/workflow.md is checked against this)."""
    lines = ["stateDiagram-v2", "    [*] --> draft"]
    for transition in TRANSITIONS:
        kinds = "" if transition.kinds == BOTH else f" ({next(iter(transition.kinds)).label})"
        by = ", ".join(sorted(transition.by))
        for source in sorted(transition.sources, key=list(ApplicationStatus).index):
            lines.append(
                f"    {source.value} --> {transition.target.value}: "
                f"{transition.label}{kinds} [{by}]"
            )
    lines += ["    closed --> [*]", "    withdrawn --> [*]"]
    return "\n".join(lines)
