"""What the applicant is told when the board's decision takes effect and no decision letter is
sent from here (a Leader project's formal decision comes from Jordbruksverket; a postponed case
has no decision yet)."""

from babel.dates import format_date

from app.applicants.messages import SIGNATURE
from app.applications.models import Application
from app.core.i18n import in_swedish
from app.core.money import format_money
from app.meetings.models import AgendaItem, ItemOutcome, Meeting


@in_swedish
def board_outcome(application: Application, item: AgendaItem, meeting: Meeting) -> tuple[str, str]:
    held = format_date(meeting.held_on, "d MMMM y", locale="sv_SE")
    if item.outcome is ItemOutcome.PRIORITISED:
        news = (
            f"LAG-styrelsen beslutade den {held} att prioritera projektet med "
            f"{format_money(item.amount_ore or 0)}. Jordbruksverket fattar nu det formella "
            "beslutet om stöd; det brukar ta omkring tre månader. Pengarna är reserverade för "
            "projektet under tiden."
        )
    elif item.outcome is ItemOutcome.NOT_PRIORITISED:
        news = f"LAG-styrelsen beslutade den {held} att inte prioritera projektet."
    else:
        news = f"LAG-styrelsen bordlade ärendet den {held}. Det tas upp igen på ett kommande möte."
    return (
        f"Besked från LAG-styrelsen om {application.reference}",
        f"Hej {application.contact_name}!\n\n{news}\n\nMotivering: {item.motivation}" + SIGNATURE,
    )
