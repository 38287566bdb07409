"""Tests for app.core.money."""

from datetime import date
from decimal import Decimal

import pytest

from app.core.formatting import one_decimal, short_date
from app.core.i18n import use_language
from app.core.money import (
    MAX_AMOUNT_ORE,
    InvalidAmount,
    format_kronor_input,
    format_money,
    parse_kronor,
)

NBSP = "\u00a0"


def test_invalid_amount_message_is_str() -> None:
    exc = InvalidAmount("Ange ett belopp.")
    assert isinstance(exc, ValueError)
    assert exc.message == "Ange ett belopp."
    assert str(exc) == "Ange ett belopp."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12500", 1_250_000),
        ("12 500", 1_250_000),
        ("12\u00a0500", 1_250_000),
        ("12\u202f500", 1_250_000),
        ("12 500 kr", 1_250_000),
        ("12500kr", 1_250_000),
        ("12 500 KR", 1_250_000),
        ("12 500 kr.", 1_250_000),
        ("12 500:-", 1_250_000),
        ("12 500,-", 1_250_000),
        ("  12 500  ", 1_250_000),
        ("12 500,50", 1_250_050),
        ("12500.5", 1_250_050),
        ("12500,05", 1_250_005),
        ("0,5", 50),
        ("0.01", 1),
        ("1 250 000", 125_000_000),
        ("1.250.000", 125_000_000),
        ("1.250,50", 125_050),
        ("1.250.000,05 kr", 125_000_005),
        ("007", 700),
        ("0", 0),
        ("0,00", 0),
        ("100 000 000 000", MAX_AMOUNT_ORE),
    ],
)
def test_parse_kronor_valid(text: str, expected: int) -> None:
    result = parse_kronor(text)
    assert isinstance(result, int)
    assert result == expected


NOT_A_NUMBER = "Ange beloppet i kronor, t.ex. 12 500 eller 12 500,50."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Ange ett belopp."),
        ("   ", "Ange ett belopp."),
        ("kr", NOT_A_NUMBER),
        ("tolvtusen", NOT_A_NUMBER),
        ("12 500 SEK", NOT_A_NUMBER),
        ("12,500.50", NOT_A_NUMBER),  # English grouping is not guessed at
        ("12 50", NOT_A_NUMBER),  # spaces must separate groups of three
        ("1 2500", NOT_A_NUMBER),
        ("12  500", NOT_A_NUMBER),
        ("12 500.000,5", NOT_A_NUMBER),  # mixed group separators
        ("1.25.000", NOT_A_NUMBER),
        ("1.250.000.5", NOT_A_NUMBER),
        ("12,5,0", NOT_A_NUMBER),
        ("12,", NOT_A_NUMBER),
        (",50", NOT_A_NUMBER),
        ("+12500", NOT_A_NUMBER),
        ("1e5", NOT_A_NUMBER),
        ("\u0661\u0662", NOT_A_NUMBER),  # Arabic-Indic digits
        ("-", NOT_A_NUMBER),
        ("-12500", "Beloppet kan inte vara negativt."),
        ("\u221212 500 kr", "Beloppet kan inte vara negativt."),
        ("- 5", "Beloppet kan inte vara negativt."),
        ("12,505", "Ange högst två decimaler (öre)."),
        ("12,500", "Ange högst två decimaler (öre)."),  # never silently 12.50 kr
        ("1.250", "Ange högst två decimaler (öre)."),
        ("0.001", "Ange högst två decimaler (öre)."),
        ("100 000 000 000,01", "Beloppet är orimligt stort."),
        ("999999999999999999999999999999999999", "Beloppet är orimligt stort."),
    ],
)
def test_parse_kronor_invalid(text: str, message: str) -> None:
    with pytest.raises(InvalidAmount) as excinfo:
        parse_kronor(text)
    assert excinfo.value.message == message
    assert str(excinfo.value) == message


@pytest.mark.parametrize("text", ["0", "0,00", "0 kr"])
def test_parse_kronor_zero_not_allowed(text: str) -> None:
    with pytest.raises(InvalidAmount) as excinfo:
        parse_kronor(text, allow_zero=False)
    assert excinfo.value.message == "Beloppet måste vara större än 0 kr."


def test_parse_kronor_smallest_amount_when_zero_not_allowed() -> None:
    assert parse_kronor("0,01", allow_zero=False) == 1


@pytest.mark.parametrize(
    ("ore", "locale", "expected"),
    [
        (1_250_000, "sv_SE", f"12{NBSP}500{NBSP}kr"),
        (1_250_050, "sv_SE", f"12{NBSP}500,50{NBSP}kr"),
        (1_250_005, "sv_SE", f"12{NBSP}500,05{NBSP}kr"),
        (-1_250_000, "sv_SE", f"-12{NBSP}500{NBSP}kr"),
        (-1_250_050, "sv_SE", f"-12{NBSP}500,50{NBSP}kr"),
        (0, "sv_SE", f"0{NBSP}kr"),
        (1, "sv_SE", f"0,01{NBSP}kr"),
        (123_456_789, "sv", f"1{NBSP}234{NBSP}567,89{NBSP}kr"),
        (MAX_AMOUNT_ORE, "sv_SE", f"100{NBSP}000{NBSP}000{NBSP}000{NBSP}kr"),
        (1_250_000, "en", f"SEK{NBSP}12,500"),
        (1_250_050, "en", f"SEK{NBSP}12,500.50"),
        (1_250_000, "en_GB", f"SEK{NBSP}12,500"),
        (1_250_050, "en_GB", f"SEK{NBSP}12,500.50"),
        (-1_250_000, "en_GB", f"-SEK{NBSP}12,500"),
    ],
)
def test_format_money(ore: int, locale: str, expected: str) -> None:
    assert format_money(ore, locale) == expected


def test_format_money_defaults_to_swedish() -> None:
    assert format_money(1_250_000) == f"12{NBSP}500{NBSP}kr"


def test_formatted_amounts_follow_the_language_though_they_are_cached() -> None:
    amount = 987_654_321
    shown = []
    for language in ("sv", "en", "sv"):
        with use_language(language):
            shown.append((format_money(amount), short_date(date(2026, 11, 25)),
                          one_decimal(Decimal("657.5"))))  # fmt: skip
    assert shown[0] == (f"9{NBSP}876{NBSP}543,21{NBSP}kr", "25 nov. 2026", "657,5")
    assert shown[1] == (f"SEK{NBSP}9,876,543.21", "25 Nov 2026", "657.5")
    assert shown[2] == shown[0]


@pytest.mark.parametrize("value", [12500.0, Decimal(12500), "12500", True])
def test_non_int_amounts_are_rejected(value: object) -> None:
    with pytest.raises(TypeError):
        format_money(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_kronor_input(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ore", "expected"),
    [
        (1_250_000, "12500"),
        (1_250_050, "12500,50"),
        (1_250_005, "12500,05"),
        (0, "0"),
        (1, "0,01"),
        (99, "0,99"),
        (MAX_AMOUNT_ORE, "100000000000"),
        (-1_250_050, "-12500,50"),
    ],
)
def test_format_kronor_input(ore: int, expected: str) -> None:
    assert format_kronor_input(ore) == expected


def test_round_trip_input_format() -> None:
    # Every öre value in the first 100 kronor, plus a spread of larger amounts.
    samples = [*range(10_001), *range(0, MAX_AMOUNT_ORE + 1, 999_999_999_937), MAX_AMOUNT_ORE]
    for ore in samples:
        parsed = parse_kronor(format_kronor_input(ore))
        assert isinstance(parsed, int)
        assert parsed == ore


def test_round_trip_display_format() -> None:
    # What users copy from the screen must parse back to the same amount.
    for ore in [*range(0, 100_001, 7), 123_456_789, MAX_AMOUNT_ORE]:
        parsed = parse_kronor(format_money(ore))
        assert isinstance(parsed, int)
        assert parsed == ore
