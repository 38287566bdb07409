"""Payment claims: what an applicant may ask to have paid out, and when.

The ceiling is the ledger, not the application: what is committed minus what is paid minus what
is already claimed and waiting. The office registers the actual payment (a ledger entry) later.
"""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.applications import workflow
from app.applications.models import Application, ApplicationStatus
from app.applications.service import change_status
from app.applications.workflow import AS_APPLICANT
from app.audit.service import Actor
from app.core.forms import FieldError, FormResult, optional_text, validate_form
from app.core.money import format_money, parse_kronor
from app.db import utcnow
from app.ledger.service import application_balance
from app.payments.models import ClaimKind, ClaimStatus, PaymentClaim

RECEIPT_LABEL = "Kvitto"
# Granted applications that are being carried out; the final report may already be in when the
# final payment is claimed.
GRANTED = frozenset(
    {ApplicationStatus.APPROVED, ApplicationStatus.PARTLY_APPROVED, ApplicationStatus.PAYMENT}
)
CLAIMABLE = GRANTED | {ApplicationStatus.FINAL_REPORT}


def _kind(value: str) -> ClaimKind:
    try:
        return ClaimKind(value)
    except ValueError:
        raise FieldError("Välj delutbetalning eller slutbetalning.") from None


VALIDATORS: dict[str, Any] = {
    "kind": _kind,
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
    session.flush()
    session.refresh(application, with_for_update=True)  # one claim at a time per application
    result = validate_form(VALIDATORS, raw)
    cleaned, errors = result.cleaned, result.errors
    form_token = raw.get("form_token", "").strip()[:64]
    if not form_token:
        errors["amount"] = "Formuläret saknar en kontrollkod. Ladda om sidan och försök igen."
        return None, result
    earlier = session.scalar(
        select(PaymentClaim).where(
            PaymentClaim.application_id == application.id, PaymentClaim.form_token == form_token
        )
    )
    if earlier is not None:
        return earlier, result
    if not can_claim(session, application):
        errors["amount"] = "Utbetalning kan inte begäras för ansökan just nu."
        return None, result
    available = claimable_ore(session, application)
    if "amount" not in errors and cleaned["amount"] > available:
        errors["amount"] = f"Ni kan begära högst {format_money(max(available, 0))}."
    elif not errors.keys() & {"amount", "actual_costs"} and (
        cleaned["amount"] > cleaned["actual_costs"]
    ):
        errors["amount"] = "Ni kan inte begära mer än de faktiska kostnaderna."
    if cleaned.get("kind") is ClaimKind.FINAL and not any(
        a.label == RECEIPT_LABEL for a in application.attachments
    ):
        errors["receipts"] = "Ladda upp kvitton eller fakturor innan ni begär slutbetalning."
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
    summary = f"{claim.kind.label} begärd: {format_money(claim.amount_ore)}"
    if application.status in workflow.GRANTED:  # the first claim starts the payment phase
        workflow.apply(session, actor, application, "claim_payment", AS_APPLICANT, summary=summary)
    else:
        change_status(
            session, actor, application, application.status, action="payment_claimed",
            summary=summary,
        )  # fmt: skip
    return claim, result
