"""What personal data the system holds and why, declared on each column next to the model.

Every text column (String, Text and JSON; enums excepted, being fixed vocabularies) carries in
its ``info`` either ``personal(...)``: the category, whose data it is, the purpose (which gives
the legal basis) and how it is anonymised; or ``not_personal(why)``. The register page, the
data subject access search and the anonymisation all read these declarations from
``Base.metadata``, and a test fails for a column that says neither, so a new column cannot slip
through unclassified.

This module imports no models (the models import it); callers pass the metadata.
"""

import enum
from dataclasses import dataclass

from sqlalchemy import JSON, Column, Enum, MetaData, String, Table, Text

from app.core.i18n import N_
from app.core.i18n import gettext as _

INFO_KEY = "personal_data"


class Category(enum.StrEnum):
    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    # A sole trader's organisationsnummer is the owner's personnummer.
    IDENTIFIER = "identifier"
    PAYMENT_ACCOUNT = "payment_account"
    FREE_TEXT = "free_text"
    FILE_NAME = "file_name"
    IP_ADDRESS = "ip_address"
    # A keyed hash of what someone searched for: it points at a person without naming them.
    PSEUDONYM = "pseudonym"

    @property
    def label(self) -> str:
        return _(CATEGORY_LABELS[self])


CATEGORY_LABELS = {
    Category.NAME: N_("Namn"),
    Category.EMAIL: N_("E-postadress"),
    Category.PHONE: N_("Telefonnummer"),
    Category.ADDRESS: N_("Postadress"),
    Category.IDENTIFIER: N_("Personnummer (enskild firmas organisationsnummer)"),
    Category.PAYMENT_ACCOUNT: N_("Bankgiro eller plusgiro"),
    Category.FREE_TEXT: N_("Fritext som kan nämna personer"),
    Category.FILE_NAME: N_("Filnamn och filens innehåll"),
    Category.IP_ADDRESS: N_("IP-adress"),
    Category.PSEUDONYM: N_("Pseudonym (nyckelhash av ett sökbegrepp)"),
}


class Subject(enum.StrEnum):
    """Whose data it is."""

    CONTACT = "contact"  # the applicant's contact person
    # An applicant that is a person (enskild firma): these columns are personal data only then,
    # and are anonymised only then.
    SOLE_TRADER = "sole_trader"
    APPLICANT = "applicant"  # applicants and the people named in what is written about a case
    STAFF = "staff"
    BOARD = "board"
    VISITOR = "visitor"  # whoever types at the login form
    SEARCHED = "searched"  # the person a data subject access search was for

    @property
    def label(self) -> str:
        return _(SUBJECT_LABELS[self])


SUBJECT_LABELS = {
    Subject.CONTACT: N_("Sökandens kontaktperson"),
    Subject.SOLE_TRADER: N_("Sökande som är enskild näringsidkare"),
    Subject.APPLICANT: N_("Sökande och personer som nämns i ärendet"),
    Subject.STAFF: N_("Personal"),
    Subject.BOARD: N_("LAG-ledamöter"),
    Subject.VISITOR: N_("Den som försöker logga in"),
    Subject.SEARCHED: N_("Den som ett registerutdrag gällde"),
}


class LegalBasis(enum.StrEnum):
    PUBLIC_TASK = "public_task"
    LEGAL_OBLIGATION = "legal_obligation"
    LEGITIMATE_INTEREST = "legitimate_interest"

    @property
    def label(self) -> str:
        return _(LEGAL_BASIS_LABELS[self])


LEGAL_BASIS_LABELS = {
    LegalBasis.PUBLIC_TASK: N_("Uppgift av allmänt intresse (art. 6.1 e)"),
    LegalBasis.LEGAL_OBLIGATION: N_("Rättslig förpliktelse (art. 6.1 c)"),
    LegalBasis.LEGITIMATE_INTEREST: N_("Berättigat intresse (art. 6.1 f)"),
}


class Purpose(enum.StrEnum):
    CASE_HANDLING = "case_handling"
    CONTACT_APPLICANT = "contact_applicant"
    PAYMENT = "payment"
    ACCOUNTABILITY = "accountability"
    BOARD_GOVERNANCE = "board_governance"
    STAFF_ACCOUNTS = "staff_accounts"
    SECURITY = "security"

    @property
    def label(self) -> str:
        return _(PURPOSE_LABELS[self])

    @property
    def legal_basis(self) -> LegalBasis:
        return PURPOSE_BASES[self]


PURPOSE_LABELS = {
    Purpose.CASE_HANDLING: N_("Handlägga ansökan, fatta beslut och följa upp stödet"),
    Purpose.CONTACT_APPLICANT: N_("Kontakta sökanden om ärendet"),
    Purpose.PAYMENT: N_("Betala ut beviljat stöd och redovisa det"),
    Purpose.ACCOUNTABILITY: N_("Visa vem som gjorde vad och när (kontrollspår)"),
    Purpose.BOARD_GOVERNANCE: N_("LAG-styrelsens sammansättning, jäv och beslut"),
    Purpose.STAFF_ACCOUNTS: N_("Personalens inloggning och behörigheter"),
    Purpose.SECURITY: N_("Skydda inloggningen mot lösenordsgissning"),
}
# One legal basis per purpose: the Leader office handles EU support as a task of public
# interest; payments, the audit trail and the board's composition are required by law.
PURPOSE_BASES = {
    Purpose.CASE_HANDLING: LegalBasis.PUBLIC_TASK,
    Purpose.CONTACT_APPLICANT: LegalBasis.PUBLIC_TASK,
    Purpose.PAYMENT: LegalBasis.LEGAL_OBLIGATION,
    Purpose.ACCOUNTABILITY: LegalBasis.LEGAL_OBLIGATION,
    Purpose.BOARD_GOVERNANCE: LegalBasis.LEGAL_OBLIGATION,
    Purpose.STAFF_ACCOUNTS: LegalBasis.LEGITIMATE_INTEREST,
    Purpose.SECURITY: LegalBasis.LEGITIMATE_INTEREST,
}


class Method(enum.StrEnum):
    """What anonymisation does to the column in a case's records."""

    CLEAR = "clear"  # emptied
    REPLACE = "replace"  # the whole value replaced by a neutral placeholder
    SCRUB = "scrub"  # the case's names, addresses, numbers… replaced inside the text
    KEEP = "keep"  # kept, for the reason in the declaration's note

    @property
    def label(self) -> str:
        return _(METHOD_LABELS[self])


METHOD_LABELS = {
    Method.CLEAR: N_("Töms"),
    Method.REPLACE: N_("Ersätts med ”[anonymiserad]”"),
    Method.SCRUB: N_("Sökandens namn, adresser och nummer i texten ersätts"),
    Method.KEEP: N_("Sparas"),
}


@dataclass(frozen=True)
class PersonalData:
    """A column holding personal data. ``identifying``: the value singles out a person on its
    own, so anonymisation also removes it where it was copied into other texts of the case
    (a postcode or a town does not). ``note`` (marked with N_) says why a kept column is kept,
    and anything else worth knowing."""

    category: Category
    subject: Subject
    purpose: Purpose
    method: Method
    note: str = ""
    identifying: bool = True

    def __post_init__(self) -> None:
        if self.method is Method.KEEP and not self.note:
            raise ValueError("a kept column must say why it is kept")

    @property
    def legal_basis(self) -> LegalBasis:
        return self.purpose.legal_basis


@dataclass(frozen=True)
class NotPersonal:
    why: str  # marked with N_


def personal(
    category: Category,
    subject: Subject,
    purpose: Purpose,
    method: Method,
    *,
    note: str = "",
    identifying: bool = True,
) -> dict[str, PersonalData]:
    """``info`` for a mapped column that holds personal data."""
    return {INFO_KEY: PersonalData(category, subject, purpose, method, note, identifying)}


def not_personal(why: str) -> dict[str, NotPersonal]:
    """``info`` for a text column that holds no personal data, and why."""
    return {INFO_KEY: NotPersonal(why)}


# Declarations shared by many columns.
STRUCTURE = not_personal(N_("Programmets, områdets eller utlysningens uppbyggnad; inga personer."))
GENERATED = not_personal(N_("Skapas av systemet: nummer, koder, typer eller kontrollsummor."))
SECRET_HASH = not_personal(N_("Hash av en slumpad hemlighet; säger inget om personen."))
CONTACT_NAME = personal(Category.NAME, Subject.CONTACT, Purpose.CONTACT_APPLICANT, Method.REPLACE)
CONTACT_EMAIL = personal(Category.EMAIL, Subject.CONTACT, Purpose.CONTACT_APPLICANT, Method.CLEAR)
CONTACT_PHONE = personal(Category.PHONE, Subject.CONTACT, Purpose.CONTACT_APPLICANT, Method.CLEAR)
SOLE_TRADER_NAME = personal(
    Category.NAME, Subject.SOLE_TRADER, Purpose.CASE_HANDLING, Method.REPLACE
)
PAYMENT_ACCOUNT = personal(
    Category.PAYMENT_ACCOUNT, Subject.SOLE_TRADER, Purpose.PAYMENT, Method.CLEAR
)
# What the applicant or the office wrote about a case: kept, without the applicant's details.
CASE_TEXT = personal(Category.FREE_TEXT, Subject.APPLICANT, Purpose.CASE_HANDLING, Method.SCRUB)
BOARD_TEXT = personal(Category.FREE_TEXT, Subject.APPLICANT, Purpose.BOARD_GOVERNANCE, Method.SCRUB)
STAFF_NAME = personal(
    Category.NAME, Subject.STAFF, Purpose.ACCOUNTABILITY, Method.KEEP,
    note=N_("Vem i personalen som gjorde det; sparas med ärendet som kontrollspår."),
)  # fmt: skip

# What the register and the subject access export call each table holding personal data.
TABLE_LABELS = {
    "applications": N_("Ansökningar"),
    "organisations": N_("Organisationer"),
    "information_requests": N_("Kompletteringar"),
    "outbox_messages": N_("E-post till sökande"),
    "attachments": N_("Bilagor"),
    "case_notes": N_("Interna anteckningar"),
    "checklist_answers": N_("Kontrollpunkter"),
    "score_proposals": N_("Poängförslag"),
    "decision_proposals": N_("Beslutsförslag"),
    "decisions": N_("Beslut"),
    "cost_lines": N_("Kostnadsbudget"),
    "financing_lines": N_("Finansieringsplan"),
    "payment_claims": N_("Begäran om utbetalning"),
    "final_reports": N_("Slutredovisningar"),
    "ledger_entries": N_("Huvudbok"),
    "audit_events": N_("Händelselogg"),
    "agenda_items": N_("Dagordningspunkter"),
    "item_scores": N_("LAG:s poängsättning"),
    "conflict_declarations": N_("Jäv"),
    "meetings": N_("LAG-möten och protokoll"),
    "minutes_corrections": N_("Rättelser av protokoll"),
    "board_members": N_("LAG-ledamöter"),
    "users": N_("Användare"),
    "login_attempts": N_("Inloggningsförsök"),
    "activity_progress": N_("Uppföljning av verksamhetsplanen"),
    "personal_data_access": N_("Logg över åtkomst till personuppgifter"),
}


def is_text(column: Column) -> bool:
    """A column that could hold personal data: any text or JSON, except a fixed vocabulary."""
    return isinstance(column.type, String | Text | JSON) and not isinstance(column.type, Enum)


def declaration_of(column: Column) -> PersonalData | NotPersonal | None:
    return column.info.get(INFO_KEY)


def personal_columns(table: Table) -> dict[str, PersonalData]:
    """The table's columns that hold personal data, by name."""
    return {
        column.name: declared
        for column in table.columns
        if isinstance(declared := declaration_of(column), PersonalData)
    }


def unclassified(metadata: MetaData) -> list[str]:
    """``table.column`` of every text column that declares neither kind."""
    return [
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if is_text(column) and declaration_of(column) is None
    ]
