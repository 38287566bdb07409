"""The decision e-mail to the applicant, in plain Swedish (the letter itself is attached)."""

from app.applicants.messages import SIGNATURE
from app.applications.models import Application
from app.core.i18n import in_swedish
from app.core.money import format_money
from app.decisions.models import Decision, DecisionOutcome


@in_swedish
def decision(application: Application, decision: Decision, link: str) -> tuple[str, str]:
    if decision.outcome is DecisionOutcome.REJECTED:
        verdict = "Tyvärr har er ansökan fått avslag."
    elif decision.outcome is DecisionOutcome.PARTLY_APPROVED:
        verdict = (
            f"Er ansökan har beviljats delvis: {format_money(decision.amount_ore or 0)} av sökta "
            f"{format_money(application.requested_ore)}."
        )
    else:
        verdict = f"Er ansökan har beviljats: {format_money(decision.amount_ore or 0)}."
    next_steps = (
        "När projektet har kostnader begär ni utbetalning via länken nedan, med kvitton eller "
        "fakturor. Där lämnar ni också slutredovisningen."
        if decision.amount_ore
        else "Motiveringen finns i beslutet."
    )
    return (
        f"Beslut om er ansökan {application.reference}",
        f"Hej {application.contact_name}!\n\n"
        f"Det finns nu ett beslut om ansökan {application.reference} ({application.title}).\n\n"
        f"{verdict}\n\nBeslutet finns som bilaga (PDF) och på ärendets sida. {next_steps}\n\n"
        f"{link}" + SIGNATURE,
    )
