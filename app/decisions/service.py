"""Making decisions: småstöd under delegation, and Jordbruksverket's formal decision on a Leader
project. A grant is committed in the ledger in the same transaction as the decision, under the
period's budget lock, so a pot can never be over-committed even when handlers decide at once.
"""

from datetime import date

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applicants.service import issue_link
from app.applications import workflow
from app.applications.models import Application, ApplicationKind, ApplicationStatus
from app.attachments import service as attachments
from app.audit.service import Actor
from app.casework.models import ProposedOutcome
from app.casework.service import (
    CaseError,
    check_decision_form,
    check_transition,
    ensure_checked,
)
from app.config import Settings
from app.core.forms import (
    FormResult,
    choice,
    iso_date,
    optional_kronor,
    optional_text,
    validate_form,
)
from app.core.i18n import DEFAULT_LANGUAGE, N_, in_swedish, use_language
from app.core.i18n import gettext as _
from app.core.money import format_money
from app.db import utcnow
from app.decisions import messages
from app.decisions.letter import LetterContent, letter_html, letter_pdf
from app.decisions.models import Decision, DecisionBody, DecisionOutcome
from app.email.service import enqueue
from app.ledger import service as ledger
from app.ledger.models import LedgerKind
from app.umbrellas.models import DecisionBody as PotDecisionBody

LETTER_LABEL = "Beslut"
APPEAL = (
    "Beslutet kan inte överklagas. Har ni frågor om beslutet är ni välkomna att kontakta "
    "Leaderkontoret."
)
# What a grant's transition and the decision's outcome are, per proposed outcome.
OUTCOMES = {
    ProposedOutcome.APPROVE: ("approve", DecisionOutcome.APPROVED),
    ProposedOutcome.APPROVE_PARTLY: ("approve_partly", DecisionOutcome.PARTLY_APPROVED),
    ProposedOutcome.REJECT: ("reject", DecisionOutcome.REJECTED),
}
OUTCOME_TRANSITIONS = frozenset(name for name, _outcome in OUTCOMES.values())


def decisions_for(session: Session, application: Application) -> list[Decision]:
    return list(
        session.scalars(
            select(Decision)
            .where(Decision.application_id == application.id)
            .order_by(Decision.decided_at, Decision.id)
        )
    )


def delegation_refusal(application: Application) -> str | None:
    """Why the office may not decide this småstöd itself, or None when it may."""
    umbrella = application.umbrella_project
    if application.kind is not ApplicationKind.SMALL_GRANT or umbrella is None:
        return _("Bara småstöd kan beslutas på delegation.")
    if umbrella.decision_body is not PotDecisionBody.OFFICE:
        return _("Småstöd ur {umbrella} beslutas av {body}: sätt upp ärendet på ett möte.").format(
            umbrella=umbrella.name, body=umbrella.decision_body.label.lower()
        )
    if application.requested_ore > umbrella.delegation_limit_ore:
        return _(
            "Sökt belopp {requested} är över delegationsgränsen {limit}. Ärendet ska beslutas av "
            "LAG-styrelsen: sätt upp det på ett LAG-möte."
        ).format(
            requested=format_money(application.requested_ore),
            limit=format_money(umbrella.delegation_limit_ore),
        )
    return None


def decide_under_delegation(
    session: Session,
    settings: Settings,
    actor: Actor,
    application: Application,
    raw: dict[str, str],
    *,
    roles: frozenset[str],
    today: date,
) -> tuple[Decision | None, FormResult]:
    """The office decides a småstöd within its delegation: approve, approve a lower amount or
    reject, always with a motivation. Approval commits the amount to the pot; if the pot no
    longer has room (a colleague's approval got there first), nothing is written and the error
    says how much is left."""
    result = check_decision_form(application, raw)
    if not result.ok:
        return None, result
    outcome: ProposedOutcome = result.cleaned["outcome"]
    name, decision_outcome = OUTCOMES[outcome]
    check_transition(application, name, roles)
    if refusal := delegation_refusal(application):
        raise CaseError(refusal)
    ensure_checked(session, application, approving=outcome is not ProposedOutcome.REJECT)
    amount = result.cleaned["amount"] if outcome is not ProposedOutcome.REJECT else None
    umbrella = application.umbrella_project
    if (
        umbrella is not None
        and amount is not None
        and not (umbrella.min_grant_ore <= amount <= umbrella.max_grant_ore)
    ):
        result.errors["amount"] = _("Stöd ur {umbrella} är minst {least} och högst {most}.").format(
            umbrella=umbrella.name,
            least=format_money(umbrella.min_grant_ore),
            most=format_money(umbrella.max_grant_ore),
        )
        return None, result
    decision = record_decision(
        session, actor, application, body=DecisionBody.OFFICE, outcome=decision_outcome,
        amount_ore=amount, motivation=result.cleaned["motivation"], decided_on=today,
        transition=name, roles=roles,
    )  # fmt: skip
    issue_letter(session, settings, actor, application, decision)
    return decision, result


def record_decision(
    session: Session,
    actor: Actor,
    application: Application,
    *,
    body: DecisionBody,
    outcome: DecisionOutcome,
    amount_ore: int | None,
    motivation: str,
    decided_on: date,
    transition: str,
    roles: frozenset[str],
    external_reference: str | None = None,
    signed_by: str | None = None,
) -> Decision:
    """The decision, its ledger entry and the status change, all or nothing."""
    period = application.action_area.period
    with use_language(DEFAULT_LANGUAGE):  # the ledger and the audit log are records, in Swedish
        reason = f"Beslut {application.reference}: {outcome.label.lower()}"
        summary = (
            f"{outcome.label}: {format_money(amount_ore)} ({body.label})"
            if amount_ore is not None
            else f"{outcome.label} ({body.label})"
        )
    if amount_ore is not None:
        try:
            if application.status is ApplicationStatus.PRIORITISED:
                ledger.commit_reservation(
                    session, actor, period=period, application=application,
                    amount_ore=amount_ore, reason=reason,
                )  # fmt: skip
            else:
                ledger.record_entry(
                    session, actor, period=period, kind=LedgerKind.COMMITMENT,
                    amount_ore=amount_ore, reason=reason, application=application,
                )  # fmt: skip
        except ledger.BudgetError as exc:
            raise CaseError(exc.message) from None
    elif (held := ledger.application_balance(session, application)).reserved_ore:
        ledger.record_entry(
            session, actor, period=period, kind=LedgerKind.RELEASE,
            amount_ore=held.reserved_ore, reason=reason, application=application,
            released_kind=LedgerKind.RESERVATION,
        )  # fmt: skip
    decision = Decision(
        area_id=application.area_id,
        application_id=application.id,
        body=body,
        outcome=outcome,
        amount_ore=amount_ore,
        motivation=motivation,
        decided_on=decided_on,
        external_reference=external_reference,
        decided_by_user_id=actor.user_id,
        decided_by_name=signed_by or actor.label,
        decided_at=utcnow(),
    )
    session.add(decision)
    session.flush()
    application.granted_ore = amount_ore
    application.decided_at = decision.decided_at
    workflow.apply(session, actor, application, transition, roles, summary=summary,
                   reason=motivation)  # fmt: skip
    return decision


def _conditions(application: Application) -> tuple[str, ...]:
    umbrella = application.umbrella_project
    conditions = []
    if application.project_start and application.project_end:
        conditions.append(
            "Projektet genomförs "
            f"{format_date(application.project_start, 'd MMMM y', locale='sv_SE')}–"
            f"{format_date(application.project_end, 'd MMMM y', locale='sv_SE')}. Kostnader "
            "före den dag ansökan kom in är inte stödberättigande."
        )
    if umbrella is not None and umbrella.volunteer_match_percent:
        conditions.append(
            f"Ideellt arbete ska motsvara minst {umbrella.volunteer_match_percent} % av stödet "
            "och redovisas i timmar med antal kvinnor och män."
        )
    conditions += [
        "Stödet betalas ut i efterhand mot ansökan om utbetalning med kvitton eller fakturor. "
        "Ni begär utbetalning via länken till ert ärende.",
        "En slutredovisning med projektets resultat lämnas via samma länk när projektet är klart.",
        "Leader ska synas i projektets information och marknadsföring.",
    ]
    return tuple(conditions)


@in_swedish
def letter_content(application: Application, decision: Decision) -> LetterContent:
    """What the decision letter says, in Swedish (the letter has legal weight)."""
    umbrella = application.umbrella_project
    organisation = application.organisation
    return LetterContent(
        area_name=application.action_area.period.area.name,
        reference=application.reference or "",
        title=application.title,
        applicant_name=application.applicant_name
        or (organisation.name if organisation else application.contact_name),
        organisation_number=organisation.org_number if organisation else None,
        contact_name=application.contact_name,
        umbrella_name=umbrella.name if umbrella else None,
        decided_by=decision.body.label,
        decided_by_name=decision.decided_by_name,
        outcome=decision.outcome,
        requested_ore=application.requested_ore,
        amount_ore=decision.amount_ore,
        motivation=decision.motivation,
        decided_on=decision.decided_on,
        project_start=application.project_start,
        project_end=application.project_end,
        conditions=_conditions(application) if decision.amount_ore else (),
        appeal_text=APPEAL,
    )


def issue_letter(
    session: Session,
    settings: Settings,
    actor: Actor,
    application: Application,
    decision: Decision,
) -> None:
    """Write the decision letter (HTML kept with the decision, PDF stored with the case) and
    e-mail it to the applicant with a fresh link to the case."""
    content = letter_content(application, decision)
    decision.letter_html = letter_html(content)
    stored = attachments.store(
        session, actor, application=application, label=LETTER_LABEL,
        filename=f"beslut-{application.reference or application.id}.pdf",
        data=letter_pdf(content), storage_dir=settings.attachments_dir,
        max_bytes=settings.max_attachment_bytes,
    )  # fmt: skip
    decision.letter_attachment_id = stored.id
    link = f"{settings.public_base_url}/a/{issue_link(session, settings, application)}"
    subject, body = messages.decision(application, decision, link)
    enqueue(
        session, to=application.contact_email, subject=subject, body=body, kind="decision",
        area_id=application.area_id, application_id=application.id, attachment_id=stored.id,
    )  # fmt: skip


# --- Jordbruksverket's formal decision on a Leader project ---


AUTHORITY_VALIDATORS = {
    "outcome": choice(DecisionOutcome, N_("Välj beviljat, delvis beviljat eller avslag.")),
    "amount": optional_kronor,
    "decided_on": iso_date(N_("Ange beslutsdatum.")),
    "external_reference": optional_text(60),
    "motivation": optional_text(5000),
}
AUTHORITY_TRANSITIONS = {
    DecisionOutcome.APPROVED: "authority_approve",
    DecisionOutcome.PARTLY_APPROVED: "authority_approve_partly",
    DecisionOutcome.REJECTED: "authority_reject",
}


def register_authority_decision(
    session: Session,
    actor: Actor,
    application: Application,
    raw: dict[str, str],
    *,
    roles: frozenset[str],
    today: date,
) -> tuple[Decision | None, FormResult]:
    """Register Jordbruksverket's decision (myndighetsbeslut) on a prioritised Leader project.
    A grant turns the LAG's reservation into a commitment; a rejection releases it."""
    check_transition(application, "authority_approve", roles)  # prioritised Leader projects only
    result = validate_form(AUTHORITY_VALIDATORS, raw)
    outcome, amount = result.cleaned.get("outcome"), result.cleaned.get("amount")
    # The authority grants at most what the LAG prioritised (the reserved amount).
    prioritised = ledger.application_balance(session, application).reserved_ore
    if "outcome" not in result.errors and "amount" not in result.errors:
        if outcome is DecisionOutcome.REJECTED and amount is not None:
            result.errors["amount"] = _("Vid avslag beviljas inget belopp; lämna fältet tomt.")
        elif outcome is not DecisionOutcome.REJECTED and amount is None:
            result.errors["amount"] = _("Ange det beviljade beloppet enligt beslutet.")
        elif outcome is DecisionOutcome.APPROVED and amount != prioritised:
            result.errors["amount"] = _(
                "Beviljat ska vara det LAG prioriterade, {amount}; välj delvis beviljat för ett "
                "lägre belopp."
            ).format(amount=format_money(prioritised))
        elif outcome is DecisionOutcome.PARTLY_APPROVED and amount >= prioritised:
            result.errors["amount"] = _(
                "Delvis beviljat ska vara lägre än det LAG prioriterade, {amount}."
            ).format(amount=format_money(prioritised))
    decided_on = result.cleaned.get("decided_on")
    if decided_on is not None and decided_on > today:
        result.errors["decided_on"] = _("Beslutsdatum kan inte vara i framtiden.")
    elif (
        decided_on is not None
        and application.submitted_at
        and (decided_on < application.submitted_at.date())
    ):
        result.errors["decided_on"] = _("Beslutsdatum kan inte vara före ansökan kom in.")
    if not result.ok:
        return None, result
    name = AUTHORITY_TRANSITIONS[outcome]
    check_transition(application, name, roles)
    decision = record_decision(
        session, actor, application, body=DecisionBody.AUTHORITY, outcome=outcome,
        amount_ore=amount,
        motivation=result.cleaned["motivation"] or "Enligt Jordbruksverkets beslut.",
        decided_on=decided_on, transition=name, roles=roles,
        external_reference=result.cleaned["external_reference"] or None,
    )  # fmt: skip
    return decision, result
