"""Form plumbing shared by every HTML form: field-level validation with messages in the
interface language.

A form is a set of named fields, each with a validator that either returns the cleaned value or
raises ``FieldError`` with the message shown next to the field. The same validators serve the
per-field HTMX check (as the user leaves a field) and the full check on submit, so the two can
never disagree.
"""

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from fastapi import Depends, Request

from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.core.identifiers import InvalidIdentifier
from app.core.money import InvalidAmount, parse_kronor


class FieldError(ValueError):
    """A field's error. ``message`` is a catalogue message (often marked with ``N_`` where a
    form is declared) and is translated here, when the error is raised in a request."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = _(message)


Validator = Callable[[str], Any]


def required(message: str, max_length: int = 200) -> Validator:
    def check(value: str) -> str:
        value = value.strip()
        if not value:
            raise FieldError(message)
        if len(value) > max_length:
            raise FieldError(_("Högst {max_length} tecken.").format(max_length=max_length))
        return value

    return check


def optional_text(max_length: int = 200) -> Validator:
    def check(value: str) -> str:
        value = value.strip()
        if len(value) > max_length:
            raise FieldError(_("Högst {max_length} tecken.").format(max_length=max_length))
        return value

    return check


def email_address(value: str) -> str:
    value = value.strip()
    if not value:
        raise FieldError(N_("Ange en e-postadress."))
    try:
        # No DNS lookup: the form must work offline and answer quickly.
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise FieldError(N_("Ange en giltig e-postadress, t.ex. namn@forening.se.")) from exc


def choice(options: type[enum.Enum], message: str) -> Validator:
    """One of an enum's values (a select or radio group); ``message`` when nothing valid was
    chosen."""

    def check(value: str) -> Any:
        try:
            return options(value)
        except ValueError:
            raise FieldError(message) from None

    return check


def optional_kronor(value: str) -> int | None:
    """An amount in kronor that may be left empty (e.g. none when an application is rejected)."""
    return parse_kronor(value, allow_zero=False) if value.strip() else None


def optional(validator: Validator) -> Validator:
    """Empty input is allowed (becomes None); anything typed must pass ``validator``."""

    def check(value: str) -> Any:
        return validator(value) if value.strip() else None

    return check


@dataclass
class FormResult:
    """What the user typed (kept for redisplay), the cleaned values, and errors per field."""

    raw: dict[str, str]
    cleaned: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


# NUL and other C0 control characters (except tab and line breaks) are never legitimate input,
# and PostgreSQL refuses NUL in text outright.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BAD_CHARACTERS = N_("Fältet innehåller otillåtna tecken.")


def _run(validator: Validator, value: str) -> Any:
    if _CONTROL_CHARACTERS.search(value):
        raise FieldError(BAD_CHARACTERS)
    return validator(value)


def validate_field(validators: Mapping[str, Validator], name: str, value: str) -> str | None:
    """The error for one field, or None when it is fine."""
    try:
        _run(validators[name], value)
    except (FieldError, InvalidIdentifier, InvalidAmount) as exc:
        return exc.message
    return None


def validate_form(validators: Mapping[str, Validator], raw: Mapping[str, Any]) -> FormResult:
    result = FormResult(raw={name: str(raw.get(name, "") or "") for name in validators})
    for name, validator in validators.items():
        try:
            result.cleaned[name] = _run(validator, result.raw[name])
        except (FieldError, InvalidIdentifier, InvalidAmount) as exc:
            result.errors[name] = exc.message
    return result


@dataclass(frozen=True)
class FieldSpec:
    """How a field is shown: the full form and the per-field HTMX answer render the same spec."""

    name: str
    label: str
    type: str = "text"
    hint: str | None = None
    autocomplete: str | None = None
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()
    # The keyboard a phone shows: "decimal" for kronor, "numeric" for counts.
    inputmode: str | None = None


def iso_date(missing: str) -> Validator:
    """A date from an ``<input type="date">`` (YYYY-MM-DD)."""

    def check(value: str) -> date:
        value = value.strip()
        if not value:
            raise FieldError(missing)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise FieldError(N_("Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2027-03-15.")) from None

    return check


def whole_number(maximum: int = 1_000_000) -> Validator:
    """A count such as hours or people: empty means 0."""

    def check(value: str) -> int:
        value = value.strip().replace(" ", "").replace("\u00a0", "")
        if not value:
            return 0
        if not value.isdecimal():
            raise FieldError(N_("Ange ett heltal, t.ex. 40."))
        number = int(value)
        if number > maximum:
            raise FieldError(_("Ange högst {maximum}.").format(maximum=maximum))
        return number

    return check


async def _posted_form(request: Request) -> dict[str, str]:
    """The posted form as plain strings (file fields left out).

    Read in an async dependency so that routes can stay synchronous: a route that awaits the
    body after opening a database transaction would hold SQLite's write lock across the await
    and stall every other request.
    """
    form = await request.form()
    # Repeated names (a group of checkboxes) arrive as one value per line.
    return {
        key: "\n".join(value for value in form.getlist(key) if isinstance(value, str))
        for key in form
    }


PostedForm = Annotated[dict[str, str], Depends(_posted_form)]
