"""The e-mails staff receive about their account, in plain Swedish."""

from collections.abc import Iterable

from app.auth.models import ROLE_LABELS, Role, User
from app.core.i18n import in_swedish

SIGNATURE = "\n\nVänliga hälsningar\nBygdestöd\n\nDet här mejlet går inte att svara på."


def role_names(roles: Iterable[Role]) -> str:
    """Role names in Swedish, for e-mails and audit records alike."""
    return ", ".join(sorted(ROLE_LABELS[role] for role in roles))


@in_swedish
def invitation(user: User, inviter: str | None, link: str, valid_hours: int) -> tuple[str, str]:
    area = user.area.name
    by = f" ({inviter} bjöd in dig)" if inviter else ""
    return (
        f"Inbjudan till Bygdestöd för {area}",
        f"Hej {user.full_name}!\n\n"
        f"Du har fått ett konto i Bygdestöd för {area}{by}.\n"
        f"Dina roller: {role_names(user.roles)}.\n\n"
        f"Välj ditt lösenord här:\n{link}\n\n"
        f"Länken fungerar en gång och i {valid_hours} timmar. Sedan loggar du in med din "
        f"e-postadress {user.email} och lösenordet.\n\n"
        "Har du inte väntat dig det här mejlet kan du bortse från det." + SIGNATURE,
    )


@in_swedish
def password_reset(user: User, link: str, valid_hours: int) -> tuple[str, str]:
    return (
        "Välj ett nytt lösenord till Bygdestöd",
        f"Hej {user.full_name}!\n\n"
        f"En administratör för {user.area.name} har återställt ditt lösenord i Bygdestöd. "
        "Det gamla lösenordet fungerar inte längre, och du har loggats ut överallt.\n\n"
        f"Välj ett nytt lösenord här:\n{link}\n\n"
        f"Länken fungerar en gång och i {valid_hours} timmar.\n\n"
        "Har du inte bett om det här? Kontakta administratören." + SIGNATURE,
    )
