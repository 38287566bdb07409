"""The e-mails an applicant receives, in plain Swedish."""

from babel.dates import format_date

from app.applications.models import Application, InformationRequest
from app.core.i18n import in_swedish
from app.core.money import format_money

SIGNATURE = "\n\nVänliga hälsningar\nLeaderkontoret\n\nDet här mejlet går inte att svara på."


@in_swedish
def receipt(application: Application, link: str) -> tuple[str, str]:
    umbrella = application.umbrella_project
    pot = umbrella.name if umbrella else "Leader"
    days = application.action_area.period.area.decision_within_days  # the area's setting
    return (
        f"Vi har tagit emot er ansökan {application.reference}",
        f"Hej {application.contact_name}!\n\n"
        f"Tack för er ansökan om småstöd ur {pot}.\n\n"
        f"Diarienummer: {application.reference}\n"
        f"Projekt: {application.title}\n"
        f"Sökt belopp: {format_money(application.requested_ore)}\n\n"
        f"Ni får besked om beslutet inom {days} dagar.\n\n"
        "Här kan ni följa ärendet, svara på frågor från oss och längre fram begära utbetalning:\n"
        f"{link}\n\n"
        "Länken är personlig. Dela den bara med dem som ska arbeta med ansökan." + SIGNATURE,
    )


@in_swedish
def resume_link(application: Application, link: str, valid_days: int) -> tuple[str, str]:
    if application.reference:
        subject = f"Länk till er ansökan {application.reference}"
        opening = f"Här är en ny länk till ansökan {application.reference}."
    else:
        subject = "Länk till ert utkast till ansökan om småstöd"
        opening = "Här är länken till ert utkast. Öppna den på valfri dator eller telefon."
    return (
        subject,
        f"Hej!\n\n{opening}\n\n{link}\n\nLänken fungerar i {valid_days} dagar. Har ni inte bett "
        "om den kan ni bortse från det här mejlet." + SIGNATURE,
    )


@in_swedish
def information_request(
    application: Application, request: InformationRequest, link: str
) -> tuple[str, str]:
    return (
        f"Vi behöver komplettering av ansökan {application.reference}",
        f"Hej {application.contact_name}!\n\n"
        f"Vi behöver mer information för att kunna handlägga ansökan {application.reference} "
        f"({application.title}):\n\n{request.message}\n\n"
        f"Svara senast {format_date(request.deadline, 'd MMMM y', locale='sv_SE')} via länken:\n"
        f"{link}" + SIGNATURE,
    )


@in_swedish
def information_reminder(
    application: Application, request: InformationRequest, link: str
) -> tuple[str, str]:
    deadline = format_date(request.deadline, "d MMMM y", locale="sv_SE")
    return (
        f"Påminnelse: komplettering av ansökan {application.reference} senast {deadline}",
        f"Hej {application.contact_name}!\n\n"
        f"Vi väntar fortfarande på er komplettering av ansökan {application.reference} "
        f"({application.title}). Vi frågade:\n\n{request.message}\n\n"
        f"Svara senast {deadline} via länken:\n{link}\n\n"
        "Har ni redan svarat kan ni bortse från det här mejlet." + SIGNATURE,
    )
