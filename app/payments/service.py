"""Payment claims: what an applicant may ask to have paid out, and when.

The ceiling is the ledger, not the application: what is committed minus what is paid minus what
is already claimed and waiting. The office registers the actual payment (a ledger entry) later.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.applicants.service import issue_link
from app.applications import workflow
from app.applications.models import Application, ApplicationStatus
from app.applications.service import change_status, lock
from app.applications.workflow import AS_APPLICANT
from app.audit.service import Actor
from app.casework.service import CaseError, check_transition
from app.config import Settings
from app.core.forms import (
    FormResult,
    choice,
    iso_date,
    optional_text,
    validate_form,
)
from app.core.i18n import DEFAULT_LANGUAGE, N_, use_language
from app.core.i18n import gettext as _
from app.core.money import format_money, parse_kronor
from app.db import utcnow
from app.email.service import enqueue
from app.ledger import service as ledger
from app.ledger.models import LedgerKind
from app.ledger.service import application_balance
from app.payments import messages
from app.payments.models import ClaimKind, ClaimStatus, Payment, PaymentClaim, PaymentKind
from app.umbrellas.models import UmbrellaProject

RECEIPT_LABEL = "Kvitto"
# Granted applications that are being carried out; the final report may already be in when the
# final payment is claimed.
GRANTED = frozenset(
    {ApplicationStatus.APPROVED, ApplicationStatus.PARTLY_APPROVED, ApplicationStatus.PAYMENT}
)
CLAIMABLE = GRANTED | {ApplicationStatus.FINAL_REPORT}


VALIDATORS: dict[str, Any] = {
    "kind": choice(ClaimKind, N_("Välj delutbetalning eller slutbetalning.")),
    "amount": lambda value: parse_kronor(value, allow_zero=False),
    "actual_costs": parse_kronor,
    "description": optional_text(3000),
}


def claims_for(session: Session, application: Application) -> list[PaymentClaim]:
    return list(
        session.scalars(
            select(PaymentClaim)
            .where(PaymentClaim.application_id == application.id)
            .order_by(PaymentClaim.submitted_at)
        )
    )


def claimable_ore(session: Session, application: Application) -> int:
    """Committed, minus paid, minus claims still waiting for the office."""
    held = application_balance(session, application)
    waiting = session.scalar(
        select(func.coalesce(func.sum(PaymentClaim.amount_ore), 0)).where(
            PaymentClaim.application_id == application.id,
            PaymentClaim.status == ClaimStatus.SUBMITTED,
        )
    )
    return held.unpaid_ore - int(waiting or 0)


def can_claim(session: Session, application: Application) -> bool:
    return application.status in CLAIMABLE and not any(
        claim.kind is ClaimKind.FINAL and claim.status is not ClaimStatus.REJECTED
        for claim in claims_for(session, application)
    )


def submit_claim(
    session: Session, actor: Actor, application: Application, raw: dict[str, str]
) -> tuple[PaymentClaim | None, FormResult]:
    """Check and record a claim. Returns the claim, or None and the errors per field.

    Idempotent per form: a claim already made from the same form (``form_token``) is returned
    as it is instead of being made twice.
    """
    lock(session, application)
    result = validate_form(VALIDATORS, raw)
    cleaned, errors = result.cleaned, result.errors
    form_token = raw.get("form_token", "").strip()[:64]
    if not form_token:
        errors["amount"] = _("Formuläret saknar en kontrollkod. Ladda om sidan och försök igen.")
        return None, result
    earlier = session.scalar(
        select(PaymentClaim).where(
            PaymentClaim.application_id == application.id, PaymentClaim.form_token == form_token
        )
    )
    if earlier is not None:
        return earlier, result
    if not can_claim(session, application):
        errors["amount"] = _("Utbetalning kan inte begäras för ansökan just nu.")
        return None, result
    available = claimable_ore(session, application)
    if "amount" not in errors and cleaned["amount"] > available:
        errors["amount"] = _("Ni kan begära högst {amount}.").format(
            amount=format_money(max(available, 0))
        )
    elif not errors.keys() & {"amount", "actual_costs"} and (
        cleaned["amount"] > cleaned["actual_costs"]
    ):
        errors["amount"] = _("Ni kan inte begära mer än de faktiska kostnaderna.")
    if cleaned.get("kind") is ClaimKind.FINAL and not any(
        a.label == RECEIPT_LABEL for a in application.attachments
    ):
        errors["receipts"] = _("Ladda upp kvitton eller fakturor innan ni begär slutbetalning.")
    if errors:
        return None, result
    claim = PaymentClaim(
        area_id=application.area_id,
        application_id=application.id,
        kind=cleaned["kind"],
        amount_ore=cleaned["amount"],
        actual_costs_ore=cleaned["actual_costs"],
        description=cleaned["description"],
        submitted_at=utcnow(),
        form_token=form_token,
    )
    session.add(claim)
    session.flush()
    with use_language(DEFAULT_LANGUAGE):  # the audit log is a record, written in Swedish
        summary = f"{claim.kind.label} begärd: {format_money(claim.amount_ore)}"
    if application.status in workflow.GRANTED:  # the first claim starts the payment phase
        workflow.apply(session, actor, application, "claim_payment", AS_APPLICANT, summary=summary)
    else:
        change_status(
            session, actor, application, application.status, action="payment_claimed",
            summary=summary,
        )  # fmt: skip
    return claim, result


# --- The office's side: payments, rejected claims, closing ---

PAYABLE = CLAIMABLE


def payments_for(session: Session, application: Application) -> list[Payment]:
    return list(
        session.scalars(
            select(Payment)
            .where(Payment.application_id == application.id)
            .order_by(Payment.paid_on, Payment.id)
        )
    )


def advance_room_ore(session: Session, application: Application) -> int:
    """How much may still be paid in advance (förskott); see ``advance_room``."""
    return advance_room(
        application, payments_for(session, application), application_balance(session, application)
    )


def advance_room(
    application: Application, payments: Sequence[Payment], balance: ledger.Balance
) -> int:
    """How much may still be paid in advance (förskott): the period's cap as a share of the
    granted amount and in kronor, minus advances already paid; nothing once other payments
    have started. From what the caller loaded: the case page has the payments and the balance
    already."""
    period = application.action_area.period
    advances = sum(
        payment.amount_ore for payment in payments if payment.kind is PaymentKind.ADVANCE
    )
    # The ledger, not the payment rows, says what was paid: history imported without payment
    # rows still counts.
    if balance.paid_ore > advances:
        return 0
    granted = application.granted_ore or 0
    cap = min(granted * period.advance_cap_percent // 100, period.advance_cap_ore)
    return max(0, cap - advances)


PAYMENT_VALIDATORS: dict[str, Any] = {
    "amount": lambda value: parse_kronor(value, allow_zero=False),
    "paid_on": iso_date(N_("Ange utbetalningsdag.")),
    "comment": optional_text(2000),
}


def register_payment(
    session: Session,
    settings: Settings,
    actor: Actor,
    application: Application,
    raw: dict[str, str],
    *,
    roles: frozenset[str],
    today: date,
    claim_id: int | None = None,
) -> tuple[Payment | None, FormResult]:
    """Register a payment: for a claim (part or final payment, at most what was claimed; less
    only with a comment saying why) or, with no claim, an advance within the advance cap. The
    ledger refuses anything above what is committed and not yet paid."""
    lock(session, application)
    result = validate_form(PAYMENT_VALIDATORS, raw)
    cleaned, errors = result.cleaned, result.errors
    if application.status not in PAYABLE:
        raise CaseError(_("Utbetalning kan bara registreras för ett beviljat ärende."))
    claim = _waiting_claim(session, application, claim_id) if claim_id is not None else None
    if "paid_on" not in errors and cleaned["paid_on"] > today:
        errors["paid_on"] = _("Utbetalningsdagen kan inte vara i framtiden.")
    elif (
        "paid_on" not in errors
        and application.decided_at
        and (cleaned["paid_on"] < application.decided_at.date())
    ):
        errors["paid_on"] = _("Utbetalningsdagen kan inte vara före beslutet.")
    if "amount" not in errors:
        amount = cleaned["amount"]
        if claim is not None and amount > claim.amount_ore:
            errors["amount"] = _("Högst det begärda beloppet, {amount}.").format(
                amount=format_money(claim.amount_ore)
            )
        elif claim is not None and amount < claim.amount_ore and not cleaned.get("comment"):
            errors["comment"] = _("Skriv varför mindre än det begärda beloppet betalas ut.")
        elif claim is None and amount > (room := advance_room_ore(session, application)):
            errors["amount"] = _("Förskottet kan vara högst {amount}.").format(
                amount=format_money(room)
            )
    if errors:
        return None, result
    kind = (
        PaymentKind.ADVANCE
        if claim is None
        else PaymentKind.FINAL
        if claim.kind is ClaimKind.FINAL
        else PaymentKind.PARTIAL
    )
    with use_language(DEFAULT_LANGUAGE):  # the ledger is a record, written in Swedish
        reason = f"{kind.label} {application.reference}" + (
            f": {cleaned['comment']}" if cleaned.get("comment") else ""
        )
    try:
        entry = ledger.record_entry(
            session, actor, period=application.action_area.period, kind=LedgerKind.PAYMENT,
            amount_ore=cleaned["amount"], application=application, reason=reason,
        )  # fmt: skip
    except ledger.BudgetError as exc:
        errors["amount"] = exc.message
        return None, result
    payment = Payment(
        area_id=application.area_id,
        application_id=application.id,
        kind=kind,
        amount_ore=cleaned["amount"],
        paid_on=cleaned["paid_on"],
        claim_id=claim.id if claim else None,
        ledger_entry_id=entry.id,
        registered_by_user_id=actor.user_id,
        registered_at=utcnow(),
    )
    session.add(payment)
    if claim is not None:
        claim.status, claim.decided_at = ClaimStatus.PAID, utcnow()
    session.flush()
    with use_language(DEFAULT_LANGUAGE):  # the audit log is a record, written in Swedish
        summary = f"{kind.label} utbetald: {format_money(payment.amount_ore)}"
    if application.status in workflow.GRANTED:
        workflow.apply(session, actor, application, "claim_payment", roles, summary=summary,
                       reason=cleaned.get("comment") or None)  # fmt: skip
    else:
        change_status(
            session, actor, application, application.status, action="payment_registered",
            summary=summary, reason=cleaned.get("comment") or None,
        )  # fmt: skip
    link = _case_link(session, settings, application)
    comment = cleaned.get("comment") or ""
    _mail(session, application, *messages.payment(application, payment, comment, link))
    return payment, result


def _waiting_claim(session: Session, application: Application, claim_id: int) -> PaymentClaim:
    """A claim of this case still waiting for the office, read under a row lock (the caller
    holds the case's lock), so it is paid or rejected once, never both."""
    claim = session.get(PaymentClaim, claim_id, with_for_update=True, populate_existing=True)
    if claim is None or claim.application_id != application.id:
        raise CaseError(_("Begäran om utbetalning finns inte."))
    if claim.status is not ClaimStatus.SUBMITTED:
        raise CaseError(_("Begäran om utbetalning är redan behandlad."))
    return claim


def reject_claim(
    session: Session,
    settings: Settings,
    actor: Actor,
    application: Application,
    claim_id: int,
    reason: str,
) -> PaymentClaim:
    """Turn down a payment claim (e.g. the receipts do not cover it), with the reason; the
    applicant can make a new claim."""
    lock(session, application)
    claim = _waiting_claim(session, application, claim_id)
    if not reason.strip():
        raise CaseError(_("Skriv varför begäran avslås."))
    claim.status, claim.decided_at = ClaimStatus.REJECTED, utcnow()
    with use_language(DEFAULT_LANGUAGE):  # the audit log is a record, written in Swedish
        summary = f"{claim.kind.label} på {format_money(claim.amount_ore)} avslogs"
    change_status(
        session, actor, application, application.status, action="claim_rejected",
        summary=summary, reason=reason.strip(),
    )  # fmt: skip
    link = _case_link(session, settings, application)
    _mail(session, application, *messages.claim_rejected(application, claim, reason.strip(), link))
    return claim


def close_case(
    session: Session,
    actor: Actor,
    application: Application,
    *,
    roles: frozenset[str],
    reason: str,
) -> int:
    """Close the case (avsluta): what was committed but not paid goes back to the pot or frame
    through a release entry. A granted case without a final report closes only with a reason.
    Returns the amount released."""
    reason = reason.strip()
    lock(session, application)
    check_transition(application, "close", roles)
    if any(claim.status is ClaimStatus.SUBMITTED for claim in claims_for(session, application)):
        raise CaseError(_("Det finns en begäran om utbetalning som inte är behandlad."))
    if application.status in CLAIMABLE - {ApplicationStatus.FINAL_REPORT} and not reason:
        raise CaseError(_("Slutredovisningen saknas: skriv varför ärendet ändå avslutas."))
    if open_small_grants := _open_small_grants_funded_by(session, application):
        references = ", ".join(open_small_grants[:5]) + ("…" if len(open_small_grants) > 5 else "")
        raise CaseError(
            _(
                "Paraplyprojektet kan inte avslutas medan småstöd ur potten är öppna: {references}."
            ).format(references=references)
        )
    period = application.action_area.period
    held = application_balance(session, application)
    released = 0
    for amount, kind in ((held.unpaid_ore, LedgerKind.COMMITMENT),
                         (held.reserved_ore, LedgerKind.RESERVATION)):  # fmt: skip
        if amount > 0:
            try:
                ledger.record_entry(
                    session, actor, period=period, kind=LedgerKind.RELEASE, amount_ore=amount,
                    application=application, released_kind=kind,
                    reason=f"Ärendet {application.reference} avslutas: ej utnyttjat belopp frigörs",
                )  # fmt: skip
            except ledger.BudgetError as exc:
                raise CaseError(exc.message) from None
            released += amount
    with use_language(DEFAULT_LANGUAGE):  # the audit log is a record, written in Swedish
        summary = "Ärendet avslutades" + (
            f"; {format_money(released)} frigjordes" if released else ""
        )
    workflow.apply(session, actor, application, "close", roles, summary=summary,
                   reason=reason or None)  # fmt: skip
    return released


def _open_small_grants_funded_by(session: Session, application: Application) -> list[str]:
    """The references of småstöd still open in the pot this application funds, if any."""
    done = (ApplicationStatus.CLOSED, ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED,
            ApplicationStatus.DRAFT)  # fmt: skip
    return list(
        session.scalars(
            select(Application.reference)
            .join(UmbrellaProject, Application.umbrella_project_id == UmbrellaProject.id)
            .where(
                UmbrellaProject.funding_application_id == application.id,
                Application.status.not_in(done),
            )
            .order_by(Application.reference)
        )
    )


def _case_link(session: Session, settings: Settings, application: Application) -> str:
    return f"{settings.public_base_url}/a/{issue_link(session, settings, application)}"


def _mail(session: Session, application: Application, subject: str, body: str) -> None:
    enqueue(
        session, to=application.contact_email, subject=subject, body=body, kind="payment",
        area_id=application.area_id, application_id=application.id,
    )  # fmt: skip
