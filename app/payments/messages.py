"""E-mails about payments, in plain Swedish, each with a fresh link to the case."""

from babel.dates import format_date

from app.applicants.messages import SIGNATURE
from app.applications.models import Application
from app.core.i18n import in_swedish
from app.core.money import format_money
from app.payments.models import Payment, PaymentClaim


@in_swedish
def payment(application: Application, payment: Payment, comment: str, link: str) -> tuple[str, str]:
    note = f"\n\nKommentar från handläggaren: {comment}" if comment else ""
    return (
        f"Utbetalning för {application.reference}: {format_money(payment.amount_ore)}",
        f"Hej {application.contact_name}!\n\n"
        f"Vi har betalat ut {format_money(payment.amount_ore)} ({payment.kind.label.lower()}) "
        f"för {application.reference} ({application.title}) den "
        f"{format_date(payment.paid_on, 'd MMMM y', locale='sv_SE')}.{note}\n\n"
        "Pengarna kommer till det bankgiro eller plusgiro ni angav i ansökan. Ärendet finns "
        f"här:\n{link}" + SIGNATURE,
    )


@in_swedish
def claim_rejected(
    application: Application, claim: PaymentClaim, reason: str, link: str
) -> tuple[str, str]:
    return (
        f"Er begäran om utbetalning för {application.reference} har avslagits",
        f"Hej {application.contact_name}!\n\n"
        f"Er begäran om {claim.kind.label.lower()} på {format_money(claim.amount_ore)} för "
        f"{application.reference} kan inte betalas ut.\n\nSkäl: {reason}\n\n"
        f"Ni kan göra en ny begäran via länken:\n{link}" + SIGNATURE,
    )
