"""Case handling rules: notes, checklists, scoring and decision proposals, the timeline and the
office's own status changes. Every change is checked against the version of the case the
handler was looking at, so a colleague's save is never silently overwritten."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select, union_all
from sqlalchemy.orm import Session, aliased

from app.applications import workflow
from app.applications.models import Application, ApplicationKind, ApplicationStatus
from app.applications.service import touch
from app.applications.workflow import TransitionRefused
from app.areas.models import ActionArea
from app.attachments.models import Attachment
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.casework import checklists
from app.casework.models import (
    OUTCOME_LABELS,
    CaseNote,
    ChecklistAnswer,
    DecisionProposal,
    ProposedOutcome,
    ScoreProposal,
    Verdict,
)
from app.core.forms import (
    FieldError,
    FormResult,
    choice,
    optional_kronor,
    required,
    validate_field,
    validate_form,
)
from app.core.i18n import DEFAULT_LANGUAGE, FORMAT_LOCALES, N_
from app.core.i18n import gettext as _
from app.core.money import format_money
from app.db import utcnow
from app.email.models import OutboxMessage
from app.ledger.models import LedgerEntry

STALE = N_("Ärendet har ändrats av någon annan — ladda om sidan.")


class CaseError(Exception):
    """A case action that cannot be done; ``message`` says why, in the interface language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleCase(CaseError):
    def __init__(self) -> None:
        super().__init__(_(STALE))


def check_transition(application: Application, name: str, roles: frozenset[str]) -> None:
    """The workflow's check, with its refusal as a ``CaseError``."""
    try:
        workflow.check(application, name, roles)
    except TransitionRefused as exc:
        raise CaseError(exc.message) from None


def ensure_current(application: Application, version: str | int | None) -> None:
    """Refuse a change made from an older view of the case (optimistic locking)."""
    try:
        seen = int(version) if version is not None else None
    except ValueError:
        seen = None
    if seen != application.version:
        raise StaleCase


def _record(
    session: Session, actor: Actor, application: Application, action: str, summary: str,
    *, changes: dict[str, Any] | None = None, reason: str | None = None,
) -> None:  # fmt: skip
    audit.record(
        session, actor, area_id=application.area_id, entity_type="application",
        entity_id=application.id, action=action, summary=summary, changes=changes, reason=reason,
    )  # fmt: skip


# --- Notes ---

NOTE_MAX = 10_000


def add_note(session: Session, actor: Actor, application: Application, text: str) -> CaseNote:
    """An internal note: visible to staff only, never to the applicant."""
    validators = {"body": required(N_("Skriv en anteckning."), NOTE_MAX)}
    if error := validate_field(validators, "body", text):
        raise CaseError(error)
    body = text.strip()
    note = CaseNote(
        area_id=application.area_id,
        application_id=application.id,
        author_user_id=actor.user_id,
        author_name=actor.label,
        body=body,
        created_at=utcnow(),
    )
    session.add(note)
    touch(application)
    _record(session, actor, application, "note", "Intern anteckning")
    return note


def notes_for(session: Session, application: Application) -> list[CaseNote]:
    return list(
        session.scalars(
            select(CaseNote)
            .where(CaseNote.application_id == application.id)
            .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())
        )
    )


# --- Checklists ---


def answers_for(session: Session, application: Application) -> list[ChecklistAnswer]:
    return list(
        session.scalars(
            select(ChecklistAnswer).where(ChecklistAnswer.application_id == application.id)
        )
    )


def checklist_rows(session: Session, application: Application) -> list[checklists.ChecklistRow]:
    return checklists.rows_for(application, answers_for(session, application))


def save_checklist(
    session: Session, actor: Actor, application: Application, raw: dict[str, str]
) -> FormResult:
    """Record the handler's verdicts (``verdict_<item>``) and comments (``comment_<item>``).
    Items left unanswered stay unanswered; a "no" needs a comment saying what is wrong."""
    ensure_assessing(application)
    result = FormResult(raw=dict(raw))
    existing = {answer.item: answer for answer in answers_for(session, application)}
    changes: dict[str, list[str | None]] = {}
    for item in checklists.items_for(application):
        value = raw.get(f"verdict_{item.key}", "").strip()
        comment = raw.get(f"comment_{item.key}", "").strip()
        if not value:
            if comment:  # never drop what was typed
                result.errors[f"verdict_{item.key}"] = _("Välj en bedömning till kommentaren.")
            continue
        try:
            verdict = Verdict(value)
        except ValueError:
            result.errors[f"verdict_{item.key}"] = _("Välj ja, nej eller ej tillämpligt.")
            continue
        if verdict is Verdict.NO and not comment:
            result.errors[f"comment_{item.key}"] = _("Skriv vad som inte är uppfyllt.")
            continue
        if len(comment) > 2000:
            result.errors[f"comment_{item.key}"] = _("Högst 2 000 tecken.")
            continue
        answer = existing.get(item.key)
        if answer is not None and answer.verdict is verdict and answer.comment == comment:
            continue
        changes[item.key] = [answer.verdict.value if answer else None, verdict.value]
        if answer is None:
            answer = ChecklistAnswer(
                area_id=application.area_id, application_id=application.id, item=item.key
            )
            session.add(answer)
        answer.verdict, answer.comment = verdict, comment
        answer.answered_by_user_id, answer.answered_at = actor.user_id, utcnow()
    if result.errors:
        return result
    if changes:
        touch(application)
        _record(
            session, actor, application, "checklist",
            f"Kontrollpunkter besvarade ({len(changes)})", changes=changes,
        )  # fmt: skip
    return result


def ensure_checked(session: Session, application: Application, *, approving: bool) -> None:
    """The checklist guard: every item answered before a decision is prepared, and no failed
    item when money is to be granted."""
    rows = checklist_rows(session, application)
    if missing := checklists.unanswered(rows):
        raise CaseError(
            _("Besvara alla kontrollpunkter först ({count} kvar, t.ex. ”{item}”).").format(
                count=len(missing), item=_(missing[0].item.label)
            )
        )
    if approving and (failed := checklists.failed(rows)):
        raise CaseError(
            _("Ansökan kan inte beviljas: kontrollpunkten ”{item}” är besvarad med nej.").format(
                item=_(failed[0].item.label)
            )
        )


# --- Scoring proposal ---


@dataclass(frozen=True)
class ScoreLine:
    criterion_id: int
    name: str
    description: str
    weight: int
    max_points: int
    points: int | None
    justification: str

    @property
    def weighted(self) -> int:
        return (self.points or 0) * self.weight


@dataclass(frozen=True)
class Scoring:
    lines: list[ScoreLine]
    threshold: int

    @property
    def complete(self) -> bool:
        return bool(self.lines) and all(line.points is not None for line in self.lines)

    @property
    def total(self) -> int:
        return sum(line.weighted for line in self.lines)

    @property
    def maximum(self) -> int:
        return sum(line.max_points * line.weight for line in self.lines)

    @property
    def passes(self) -> bool:
        return self.complete and self.total >= self.threshold


def scoring_for(session: Session, application: Application) -> Scoring:
    """The handler's proposed points per criterion, the weighted total and the threshold of the
    application's action area (or the period's default)."""
    proposals = {
        proposal.criterion_id: proposal
        for proposal in session.scalars(
            select(ScoreProposal).where(ScoreProposal.application_id == application.id)
        )
    }
    return scoring_from(application, proposals)


def scoring_from(application: Application, proposals: dict[int, ScoreProposal]) -> Scoring:
    """The handler's scoring from already loaded proposals, keyed by criterion id (a meeting
    loads them for its whole agenda at once)."""
    action_area = application.action_area
    lines = [
        ScoreLine(
            criterion.id, criterion.name, criterion.description, criterion.weight,
            criterion.max_points,
            proposals[criterion.id].points if criterion.id in proposals else None,
            proposals[criterion.id].justification if criterion.id in proposals else "",
        )
        for criterion in action_area.period.criteria
    ]  # fmt: skip
    return Scoring(lines, threshold_for(action_area))


def threshold_for(action_area: ActionArea) -> int:
    """The points a project must reach: the action area's own threshold, or the period's."""
    if action_area.pass_threshold_points is not None:
        return action_area.pass_threshold_points
    return action_area.period.pass_threshold_points


def save_scores(
    session: Session, actor: Actor, application: Application, raw: dict[str, str]
) -> FormResult:
    """Points (``points_<criterion id>``, 0..max) and a justification per criterion."""
    ensure_assessing(application)
    result = FormResult(raw=dict(raw))
    scoring = scoring_for(session, application)
    existing = {
        proposal.criterion_id: proposal
        for proposal in session.scalars(
            select(ScoreProposal).where(ScoreProposal.application_id == application.id)
        )
    }
    cleaned: dict[int, tuple[int, str]] = {}
    for line in scoring.lines:
        text = raw.get(f"points_{line.criterion_id}", "").strip()
        justification = raw.get(f"justification_{line.criterion_id}", "").strip()
        if not text:
            if justification:  # never drop what was typed
                result.errors[f"points_{line.criterion_id}"] = _("Ange poäng till motiveringen.")
            continue
        if not (text.isascii() and text.isdigit()) or int(text) > line.max_points:
            result.errors[f"points_{line.criterion_id}"] = _(
                "Ange ett heltal från 0 till {maximum}."
            ).format(maximum=line.max_points)
            continue
        if not justification or len(justification) > 3000:
            result.errors[f"justification_{line.criterion_id}"] = (
                _("Motivera poängen.") if not justification else _("Högst 3000 tecken.")
            )
            continue
        cleaned[line.criterion_id] = (int(text), justification)
    if result.errors:
        return result
    changes: dict[str, list[int | None]] = {}
    for criterion_id, (points, justification) in cleaned.items():
        proposal = existing.get(criterion_id)
        if proposal and (proposal.points, proposal.justification) == (points, justification):
            continue
        changes[str(criterion_id)] = [proposal.points if proposal else None, points]
        if proposal is None:
            proposal = ScoreProposal(
                area_id=application.area_id,
                application_id=application.id,
                criterion_id=criterion_id,
            )
            session.add(proposal)
        proposal.points, proposal.justification = points, justification
        proposal.proposed_by_user_id, proposal.proposed_at = actor.user_id, utcnow()
    if changes:
        session.flush()
        total = scoring_for(session, application)
        touch(application)
        _record(
            session, actor, application, "scoring",
            f"Poängförslag: {total.total} av {total.maximum} poäng "
            f"(gräns {total.threshold})", changes=changes,
        )  # fmt: skip
    return result


# --- Decision proposal ---


DECISION_VALIDATORS = {
    "outcome": choice(ProposedOutcome, N_("Välj bevilja, bevilja delvis eller avslå.")),
    "amount": optional_kronor,
    "motivation": required(N_("Skriv en motivering."), max_length=5000),
}


def check_decision_form(application: Application, raw: dict[str, str]) -> FormResult:
    """Outcome, amount and motivation, checked together: approving grants what was sought,
    approving partly grants less, rejecting grants nothing."""
    result = validate_form(DECISION_VALIDATORS, raw)
    outcome, amount = result.cleaned.get("outcome"), result.cleaned.get("amount")
    if result.errors.keys() & {"outcome", "amount"}:
        return result
    requested = application.requested_ore
    if outcome is ProposedOutcome.APPROVE:
        if amount is None:
            result.cleaned["amount"] = requested
        elif amount != requested:
            result.errors["amount"] = _(
                "Bevilja ger det sökta beloppet, {requested}. "
                "Välj bevilja delvis för ett lägre belopp."
            ).format(requested=format_money(requested))
    elif outcome is ProposedOutcome.APPROVE_PARTLY:
        if amount is None:
            result.errors["amount"] = _("Ange det belopp som beviljas.")
        elif amount >= requested:
            result.errors["amount"] = _(
                "Vid delvis beviljande ska beloppet vara lägre än det sökta, {requested}."
            ).format(requested=format_money(requested))
    elif amount is not None:
        result.errors["amount"] = _("Vid avslag beviljas inget belopp; lämna fältet tomt.")
    return result


def propose_decision(
    session: Session, actor: Actor, application: Application, raw: dict[str, str]
) -> tuple[DecisionProposal | None, FormResult]:
    ensure_assessing(application)
    result = check_decision_form(application, raw)
    if not result.ok:
        return None, result
    outcome, amount = result.cleaned["outcome"], result.cleaned["amount"]
    proposal = DecisionProposal(
        area_id=application.area_id,
        application_id=application.id,
        outcome=outcome,
        amount_ore=amount,
        motivation=result.cleaned["motivation"],
        proposed_by_user_id=actor.user_id,
        proposed_by_name=actor.label,
        proposed_at=utcnow(),
    )
    session.add(proposal)
    touch(application)
    # The audit log is a record, in Swedish whatever the handler's language.
    amount_text = f" {format_money(amount, FORMAT_LOCALES[DEFAULT_LANGUAGE])}" if amount else ""
    _record(
        session, actor, application, "decision_proposed",
        f"Beslutsförslag: {OUTCOME_LABELS[outcome].lower()}{amount_text}",
        reason=proposal.motivation,
    )  # fmt: skip
    return proposal, result


def current_proposal(session: Session, application: Application) -> DecisionProposal | None:
    return session.scalar(
        select(DecisionProposal)
        .where(DecisionProposal.application_id == application.id)
        .order_by(DecisionProposal.proposed_at.desc(), DecisionProposal.id.desc())
        .limit(1)
    )


# --- Leader project details ---

# Jordbruksverket's case numbers look like "2026-1234" or "23-4567-2026"; accept digits, letters
# and hyphens rather than guess a format the authority may change.
_NATIONAL_CASE_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-/ ]{2,38}")


def national_case_number(value: str) -> str:
    """Validator for the case number, shared by registration and the case page."""
    number = value.strip()
    if not _NATIONAL_CASE_NUMBER.fullmatch(number):
        raise FieldError(N_("Ange ärendenumret från Jordbruksverkets e-tjänst, t.ex. 2026-1234."))
    return number


def holder_of_national_case_number(
    session: Session, area_id: int, number: str, *, other_than: int | None = None
) -> str | None:
    """The reference of the Leader project that already has this case number, if any: one
    project in the e-service is one case here."""
    return session.scalar(
        select(Application.reference).where(
            Application.area_id == area_id,
            Application.kind == ApplicationKind.LEADER_PROJECT,
            Application.national_case_number == number,
            Application.id != (other_than or 0),
        )
    )


def set_national_case_number(
    session: Session, actor: Actor, application: Application, value: str
) -> FormResult:
    """The Leader project's case number in Jordbruksverket's e-service (ärendenummer)."""
    if application.kind is not ApplicationKind.LEADER_PROJECT:
        raise CaseError(_("Bara Leaderprojekt har ett ärendenummer hos Jordbruksverket."))
    result = validate_form({"national_case_number": national_case_number},
                           {"national_case_number": value})  # fmt: skip
    if not result.ok:
        return result
    number = result.cleaned["national_case_number"]
    if holder := holder_of_national_case_number(
        session, application.area_id, number, other_than=application.id
    ):
        result.errors["national_case_number"] = _(
            "Ärendet är redan registrerat som {reference}."
        ).format(reference=holder)
        return result
    if number != application.national_case_number:
        before = application.national_case_number
        application.national_case_number = number
        _record(
            session, actor, application, "national_case_number",
            f"Ärendenummer hos Jordbruksverket: {number}",
            changes={"national_case_number": [before, number]},
        )  # fmt: skip
    return result


# --- The office's status changes ---

# Transitions made from the case page's plain buttons. Decisions, payments, closing and
# komplettering have forms of their own with their own rules.
SIMPLE_TRANSITIONS = (
    "start_review", "information_received", "ready_for_decision", "reopen", "put_on_agenda",
    "withdraw",
)  # fmt: skip
# The office says why when it takes a case back (e.g. the komplettering came by post or the
# deadline passed unanswered) or withdraws it for the applicant.
NEEDS_REASON = frozenset({"information_received", "reopen", "withdraw"})

# While these hold, the office's assessment (checklists, scores, proposal) can change; from
# "ready for decision" on it is the basis of a decision and changes only after "reopen".
ASSESSING = frozenset(
    {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.AWAITING_INFORMATION,
    }
)


def ensure_assessing(application: Application) -> None:
    if application.status not in ASSESSING:
        status = application.status.label.lower()
        if application.status is ApplicationStatus.READY_FOR_DECISION:
            message = _(
                "Bedömningen kan bara ändras under handläggningen. Ärendet har status "
                "”{status}”; välj ”Tillbaka till handläggning” först."
            )
        else:
            message = _(
                "Bedömningen kan bara ändras under handläggningen. Ärendet har status ”{status}”."
            )
        raise CaseError(message.format(status=status))


def transition(
    session: Session,
    actor: Actor,
    application: Application,
    name: str,
    roles: frozenset[str],
    *,
    reason: str = "",
    now: datetime | None = None,
) -> workflow.Transition:
    """One of the simple transitions, with its guard; raises ``CaseError`` with the reason."""
    if name not in SIMPLE_TRANSITIONS:
        raise CaseError(_("Den åtgärden görs i sitt eget formulär på ärendesidan."))
    reason = reason.strip()
    if name in NEEDS_REASON and not reason:
        raise CaseError(_("Ange ett skäl."))
    check_transition(application, name, roles)
    if name == "ready_for_decision":
        ensure_checked(session, application, approving=False)
        is_project = application.kind is ApplicationKind.LEADER_PROJECT
        if is_project and not scoring_for(session, application).complete:
            raise CaseError(_("Föreslå poäng för alla urvalskriterier först."))
        if current_proposal(session, application) is None:
            raise CaseError(_("Skriv ett beslutsförslag först."))
    return workflow.apply(
        session, actor, application, name, roles,
        summary=workflow.BY_NAME[name].label, reason=reason or None, now=now,
    )  # fmt: skip


def put_on_agenda(
    session: Session, actor: Actor, applications: list[Application], roles: frozenset[str]
) -> None:
    """Batch action from the queue: all the ticked cases go on the LAG's agenda, or none."""
    refused = []
    for application in applications:
        try:
            workflow.check(application, "put_on_agenda", roles)
        except TransitionRefused:
            refused.append(application.reference or application.title)
    if refused:
        raise CaseError(
            _(
                "Bara ärenden som är klara för beslut kan sättas upp på ett LAG-möte: {cases}."
            ).format(cases=", ".join(refused))
        )
    for application in applications:
        workflow.apply(
            session, actor, application, "put_on_agenda", roles,
            summary=workflow.BY_NAME["put_on_agenda"].label,
        )  # fmt: skip


# --- The timeline ---


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    who: str
    text: str
    reason: str | None = None
    kind: str = "event"  # "event" or "message"


def _case_events() -> Select[tuple[AuditEvent]]:
    """A case's audit events, including its attachments' and ledger entries', newest first, for
    the bound ``area_id`` and ``application_id``."""
    # Three selects, each an index lookup on ix_audit_events_entity (area, type, id); an OR
    # with IN-subqueries instead makes PostgreSQL walk every audit event of the area.
    area_events = select(AuditEvent).where(AuditEvent.area_id == bindparam("area_id"))
    application_id = bindparam("application_id")
    matching = union_all(
        area_events.where(
            AuditEvent.entity_type == "application", AuditEvent.entity_id == application_id
        ),
        area_events.join(Attachment, Attachment.id == AuditEvent.entity_id).where(
            AuditEvent.entity_type == "attachment", Attachment.application_id == application_id
        ),
        area_events.join(LedgerEntry, LedgerEntry.id == AuditEvent.entity_id).where(
            AuditEvent.entity_type == "ledger_entry", LedgerEntry.application_id == application_id
        ),
    ).subquery()
    found = aliased(AuditEvent, matching)
    return select(found).order_by(found.occurred_at.desc(), found.id.desc()).limit(500)


# Built once: putting the union together and adapting the entity to it cost more CPU than
# running it, on every case page.
_CASE_EVENTS = _case_events()


def timeline(session: Session, application: Application) -> list[TimelineEntry]:
    """Everything that happened to the case, newest first: its audit events (including its
    attachments and ledger entries) and the e-mails sent to the applicant."""
    events = session.scalars(
        _CASE_EVENTS, {"area_id": application.area_id, "application_id": application.id}
    )
    entries = [
        TimelineEntry(event.occurred_at, event.actor_label, event.summary, event.reason)
        for event in events
    ]
    messages = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.application_id == application.id)
        .order_by(OutboxMessage.created_at.desc())
        .limit(200)
    )
    entries += [
        TimelineEntry(
            message.created_at, _("E-post"),
            (_("E-post till {address}: ”{subject}”") if message.sent_at
             else _("E-post till {address}: ”{subject}” (ej skickat ännu)")
             ).format(address=message.to_address, subject=message.subject),
            kind="message",
        )
        for message in messages
    ]  # fmt: skip
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
