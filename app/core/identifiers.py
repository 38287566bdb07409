"""Validation and normalisation of Swedish identifiers.

Covers organisationsnummer, personnummer (for enskild firma), bankgiro and plusgiro.
Every ``normalise_*`` function returns the bare digits that we store, or raises
:class:`InvalidIdentifier` carrying a message that can be shown to the user as is.
"""

import re
from datetime import date

from app.core.i18n import N_
from app.core.i18n import gettext as _


class InvalidIdentifier(ValueError):
    """Raised when an identifier is malformed; ``message`` is a catalogue message, translated
    when raised."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = _(message)


def luhn_valid(digits: str) -> bool:
    """Return True if ``digits`` (check digit included) passes the Luhn mod-10 check."""
    # isdigit() alone would accept e.g. superscript or Arabic-Indic digits.
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


# A separator is a hyphen and/or spaces between the digit groups ("556036-0793",
# "556036 0793", "5050 - 1055"); all patterns are ASCII-only on purpose.
_ORG_RE = re.compile(r"(?:16)?([0-9]{6}) *-? *([0-9]{4})")
_PERSONAL_RE = re.compile(r"([0-9]{2})?([0-9]{6}) *([-+]?) *([0-9]{4})")
_BANKGIRO_RE = re.compile(r"([0-9]{3,4}) *-? *([0-9]{4})")
_PLUSGIRO_RE = re.compile(r"([0-9]+)-?([0-9])")


def _clean(value: str, allowed: str, *, empty: str, bad_chars: str) -> str:
    """Strip ``value`` and reject empty input or characters outside ``allowed``."""
    value = value.strip()
    if not value:
        raise InvalidIdentifier(empty)
    if not re.fullmatch(f"[{allowed}]+", value):
        raise InvalidIdentifier(bad_chars)
    return value


def normalise_org_number(value: str) -> str:
    """Validate an organisationsnummer and return its 10 digits without hyphen.

    Accepts NNNNNN-NNNN, without hyphen, with a space instead, or in the 12-digit
    form prefixed with "16".
    """
    value = _clean(
        value,
        "0-9 -",
        empty=N_("Ange organisationsnummer."),
        bad_chars=N_("Organisationsnumret får bara innehålla siffror och bindestreck."),
    )
    match = _ORG_RE.fullmatch(value)
    if not match:
        raise InvalidIdentifier(N_("Organisationsnumret ska ha 10 siffror (NNNNNN-NNNN)."))
    digits = match[1] + match[2]
    if not luhn_valid(digits):
        raise InvalidIdentifier(
            N_("Organisationsnumret är inte giltigt – kontrollsiffran stämmer inte.")
        )
    # Legal persons have 20 or more in the "month" position; anything lower is a
    # (Luhn-valid) personnummer, typed into the wrong field.
    if int(digits[2:4]) < 20:
        raise InvalidIdentifier(
            N_("Det här ser ut som ett personnummer, inte ett organisationsnummer.")
        )
    return digits


def normalise_personal_number(value: str) -> str:
    """Validate a personnummer or samordningsnummer and return its 10 digits.

    Accepts ÅÅMMDD-NNNN, ÅÅÅÅMMDD-NNNN, the "+" separator used for people aged
    100 or more, and the forms without separator.
    """
    value = _clean(
        value,
        "0-9 +-",
        empty=N_("Ange personnummer."),
        bad_chars=N_("Personnumret får bara innehålla siffror och bindestreck."),
    )
    match = _PERSONAL_RE.fullmatch(value)
    if not match:
        raise InvalidIdentifier(N_("Personnumret ska ha 10 eller 12 siffror (ÅÅMMDD-NNNN)."))
    century, birth, separator, serial = match.groups()
    if century:
        year = int(century + birth[:2])
    else:
        # The century is needed to validate 29 February: take the latest year with
        # these two digits that is not in the future, or a century earlier for "+".
        this_year = date.today().year
        year = this_year - (this_year - int(birth[:2])) % 100
        if separator == "+":
            year -= 100
    month, day = int(birth[2:4]), int(birth[4:6])
    if day > 60:  # Samordningsnummer: the day of birth plus 60.
        day -= 60
    try:
        date(year, month, day)
    except ValueError:
        raise InvalidIdentifier(N_("Personnumret innehåller inget giltigt datum.")) from None
    digits = birth + serial
    if not luhn_valid(digits):
        raise InvalidIdentifier(N_("Personnumret är inte giltigt – kontrollsiffran stämmer inte."))
    return digits


def normalise_org_or_personal_number(value: str, *, sole_trader: bool) -> str:
    """Normalise the identity number of an applicant.

    An enskild firma (sole trader) is identified by the owner's personnummer,
    every other legal form by its organisationsnummer.
    """
    if sole_trader:
        return normalise_personal_number(value)
    return normalise_org_number(value)


def normalise_bankgiro(value: str) -> str:
    """Validate a bankgironummer (NNN-NNNN or NNNN-NNNN) and return its digits."""
    value = _clean(
        value,
        "0-9 -",
        empty=N_("Ange bankgironummer."),
        bad_chars=N_("Bankgironumret får bara innehålla siffror och bindestreck."),
    )
    match = _BANKGIRO_RE.fullmatch(value)
    if not match:
        raise InvalidIdentifier(
            N_("Bankgironumret ska ha 7 eller 8 siffror (NNN-NNNN eller NNNN-NNNN).")
        )
    digits = match[1] + match[2]
    if not luhn_valid(digits):
        raise InvalidIdentifier(
            N_("Bankgironumret är inte giltigt – kontrollsiffran stämmer inte.")
        )
    return digits


def normalise_plusgiro(value: str) -> str:
    """Validate a plusgironummer (2–8 digits, e.g. "4 56 78-9") and return its digits."""
    value = _clean(
        value,
        "0-9 -",
        empty=N_("Ange plusgironummer."),
        bad_chars=N_("Plusgironumret får bara innehålla siffror, mellanslag och bindestreck."),
    )
    # Plusgiro numbers are commonly written in groups of two ("90 20 03-3"), so
    # spaces may appear anywhere; the hyphen may only precede the check digit.
    match = _PLUSGIRO_RE.fullmatch(value.replace(" ", ""))
    if not match or not 2 <= len(digits := match[1] + match[2]) <= 8:
        raise InvalidIdentifier(N_("Plusgironumret ska ha 2–8 siffror (t.ex. 123456-7)."))
    if not luhn_valid(digits):
        raise InvalidIdentifier(
            N_("Plusgironumret är inte giltigt – kontrollsiffran stämmer inte.")
        )
    return digits


def format_org_number(digits: str) -> str:
    """Format a normalised organisationsnummer (or personnummer) as NNNNNN-NNNN."""
    return f"{digits[:6]}-{digits[6:]}"


def format_bankgiro(digits: str) -> str:
    """Format a normalised bankgironummer as NNN-NNNN or NNNN-NNNN."""
    return f"{digits[:-4]}-{digits[-4:]}"


def format_plusgiro(digits: str) -> str:
    """Format a normalised plusgironummer with a hyphen before the check digit."""
    return f"{digits[:-1]}-{digits[-1]}"
