"""Tests for app.core.identifiers.

All "valid" numbers below were checked against the Luhn algorithm and hard-coded.
"""

import pytest

from app.core.identifiers import (
    InvalidIdentifier,
    format_bankgiro,
    format_org_number,
    format_plusgiro,
    luhn_valid,
    normalise_bankgiro,
    normalise_org_number,
    normalise_org_or_personal_number,
    normalise_personal_number,
    normalise_plusgiro,
)


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("5560360793", True),
        ("8020024280", True),
        ("50501055", True),
        ("9020033", True),
        ("18", True),
        ("0", True),
        ("5560360794", False),
        ("9020032", False),
        ("", False),
        ("556036-0793", False),
        ("\u0665\u0665", False),  # Arabic-Indic digits are not accepted
    ],
)
def test_luhn_valid(digits: str, expected: bool) -> None:
    assert luhn_valid(digits) is expected


def test_invalid_identifier_message_is_str() -> None:
    exc = InvalidIdentifier("Ange organisationsnummer.")
    assert isinstance(exc, ValueError)
    assert exc.message == "Ange organisationsnummer."
    assert str(exc) == "Ange organisationsnummer."


# --- Organisationsnummer -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("556036-0793", "5560360793"),
        ("5560360793", "5560360793"),
        ("16556036-0793", "5560360793"),
        ("165560360793", "5560360793"),
        ("  556036-0793\n", "5560360793"),
        ("556036 0793", "5560360793"),
        ("556012-5790", "5560125790"),  # aktiebolag
        ("802002-4280", "8020024280"),  # ideell förening
        ("716407-2279", "7164072279"),  # ekonomisk förening
        ("212000-0142", "2120000142"),  # statlig myndighet
    ],
)
def test_normalise_org_number_valid(value: str, expected: str) -> None:
    assert normalise_org_number(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Ange organisationsnummer."),
        ("   ", "Ange organisationsnummer."),
        ("SE556036079301", "Organisationsnumret får bara innehålla siffror och bindestreck."),
        ("556036/0793", "Organisationsnumret får bara innehålla siffror och bindestreck."),
        ("556036–0793", "Organisationsnumret får bara innehålla siffror och bindestreck."),
        ("556036-079", "Organisationsnumret ska ha 10 siffror (NNNNNN-NNNN)."),
        ("55603607930", "Organisationsnumret ska ha 10 siffror (NNNNNN-NNNN)."),
        ("195560360793", "Organisationsnumret ska ha 10 siffror (NNNNNN-NNNN)."),
        ("5560-360793", "Organisationsnumret ska ha 10 siffror (NNNNNN-NNNN)."),
        ("556036--0793", "Organisationsnumret ska ha 10 siffror (NNNNNN-NNNN)."),
        ("556036-0794", "Organisationsnumret är inte giltigt – kontrollsiffran stämmer inte."),
        ("802002-4281", "Organisationsnumret är inte giltigt – kontrollsiffran stämmer inte."),
        ("811218-9876", "Det här ser ut som ett personnummer, inte ett organisationsnummer."),
        ("16811218-9876", "Det här ser ut som ett personnummer, inte ett organisationsnummer."),
    ],
)
def test_normalise_org_number_invalid(value: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalise_org_number(value)
    assert excinfo.value.message == message
    assert str(excinfo.value) == message


# --- Personnummer ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("811218-9876", "8112189876"),
        ("8112189876", "8112189876"),
        ("19811218-9876", "8112189876"),
        ("198112189876", "8112189876"),
        (" 811218 9876 ", "8112189876"),
        ("811218+9876", "8112189876"),  # born 1881, aged 100 or more
        ("811278-9873", "8112789873"),  # samordningsnummer: day 18 + 60
        ("000229-1235", "0002291235"),  # 2000 is a leap year
        ("20000229-1235", "0002291235"),
        ("990101-1230", "9901011230"),
    ],
)
def test_normalise_personal_number_valid(value: str, expected: str) -> None:
    assert normalise_personal_number(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Ange personnummer."),
        ("811218-987X", "Personnumret får bara innehålla siffror och bindestreck."),
        ("811218_9876", "Personnumret får bara innehålla siffror och bindestreck."),
        ("811218-987", "Personnumret ska ha 10 eller 12 siffror (ÅÅMMDD-NNNN)."),
        ("1981121898760", "Personnumret ska ha 10 eller 12 siffror (ÅÅMMDD-NNNN)."),
        ("81121-89876", "Personnumret ska ha 10 eller 12 siffror (ÅÅMMDD-NNNN)."),
        ("811232-9878", "Personnumret innehåller inget giltigt datum."),  # day 32
        ("811318-9875", "Personnumret innehåller inget giltigt datum."),  # month 13
        ("000229+1235", "Personnumret innehåller inget giltigt datum."),  # 1900 not leap
        ("19000229-1235", "Personnumret innehåller inget giltigt datum."),
        ("556036-0793", "Personnumret innehåller inget giltigt datum."),  # an org number
        ("811218-9875", "Personnumret är inte giltigt – kontrollsiffran stämmer inte."),
        ("19811218-9877", "Personnumret är inte giltigt – kontrollsiffran stämmer inte."),
    ],
)
def test_normalise_personal_number_invalid(value: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalise_personal_number(value)
    assert excinfo.value.message == message


def test_normalise_org_or_personal_number_picks_by_legal_form() -> None:
    assert normalise_org_or_personal_number("811218-9876", sole_trader=True) == "8112189876"
    assert normalise_org_or_personal_number("556036-0793", sole_trader=False) == "5560360793"
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalise_org_or_personal_number("811218-9876", sole_trader=False)
    assert excinfo.value.message == (
        "Det här ser ut som ett personnummer, inte ett organisationsnummer."
    )
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalise_org_or_personal_number("556036-0793", sole_trader=True)
    assert excinfo.value.message == "Personnumret innehåller inget giltigt datum."


# --- Bankgiro ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5050-1055", "50501055"),
        ("50501055", "50501055"),
        (" 5050 - 1055 ", "50501055"),
        ("5050 1055", "50501055"),
        ("123-4566", "1234566"),
        ("1234566", "1234566"),
    ],
)
def test_normalise_bankgiro_valid(value: str, expected: str) -> None:
    assert normalise_bankgiro(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Ange bankgironummer."),
        ("BG 5050-1055", "Bankgironumret får bara innehålla siffror och bindestreck."),
        ("5050.1055", "Bankgironumret får bara innehålla siffror och bindestreck."),
        ("12-3456", "Bankgironumret ska ha 7 eller 8 siffror (NNN-NNNN eller NNNN-NNNN)."),
        ("505010550", "Bankgironumret ska ha 7 eller 8 siffror (NNN-NNNN eller NNNN-NNNN)."),
        ("50501-055", "Bankgironumret ska ha 7 eller 8 siffror (NNN-NNNN eller NNNN-NNNN)."),
        ("5050-1056", "Bankgironumret är inte giltigt – kontrollsiffran stämmer inte."),
        ("123-4567", "Bankgironumret är inte giltigt – kontrollsiffran stämmer inte."),
    ],
)
def test_normalise_bankgiro_invalid(value: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalise_bankgiro(value)
    assert excinfo.value.message == message


# --- Plusgiro ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("90 20 03-3", "9020033"),
        ("902003-3", "9020033"),
        ("9020033", "9020033"),
        ("4 56 78-0", "456780"),
        ("1-8", "18"),
        ("18", "18"),
        ("1234567-4", "12345674"),
        (" 1 23 45 67-4 ", "12345674"),
    ],
)
def test_normalise_plusgiro_valid(value: str, expected: str) -> None:
    assert normalise_plusgiro(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Ange plusgironummer."),
        ("PG 902003-3", "Plusgironumret får bara innehålla siffror, mellanslag och bindestreck."),
        ("8", "Plusgironumret ska ha 2–8 siffror (t.ex. 123456-7)."),
        ("-8", "Plusgironumret ska ha 2–8 siffror (t.ex. 123456-7)."),
        ("19990101-8", "Plusgironumret ska ha 2–8 siffror (t.ex. 123456-7)."),
        ("9020-033", "Plusgironumret ska ha 2–8 siffror (t.ex. 123456-7)."),
        ("902003-", "Plusgironumret ska ha 2–8 siffror (t.ex. 123456-7)."),
        # Published in the brief as a real number, but it fails the Luhn check.
        ("90 20 03-2", "Plusgironumret är inte giltigt – kontrollsiffran stämmer inte."),
        ("4 56 78-9", "Plusgironumret är inte giltigt – kontrollsiffran stämmer inte."),
    ],
)
def test_normalise_plusgiro_invalid(value: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalise_plusgiro(value)
    assert excinfo.value.message == message


# --- Display helpers -----------------------------------------------------------------


def test_format_helpers() -> None:
    assert format_org_number("5560360793") == "556036-0793"
    assert format_bankgiro("50501055") == "5050-1055"
    assert format_bankgiro("1234566") == "123-4566"
    assert format_plusgiro("9020033") == "902003-3"
    assert format_plusgiro("18") == "1-8"


@pytest.mark.parametrize("value", ["556036-0793", "165560360793", "802002 4280"])
def test_org_number_round_trip(value: str) -> None:
    digits = normalise_org_number(value)
    assert normalise_org_number(format_org_number(digits)) == digits


@pytest.mark.parametrize("value", ["5050 1055", "1234566"])
def test_bankgiro_round_trip(value: str) -> None:
    digits = normalise_bankgiro(value)
    assert normalise_bankgiro(format_bankgiro(digits)) == digits


@pytest.mark.parametrize("value", ["90 20 03-3", "18"])
def test_plusgiro_round_trip(value: str) -> None:
    digits = normalise_plusgiro(value)
    assert normalise_plusgiro(format_plusgiro(digits)) == digits
