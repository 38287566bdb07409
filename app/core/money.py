"""Money as integer öre: parsing user input and formatting for display.

Amounts are stored and computed as ``int`` öre (1 krona = 100 öre) everywhere;
floats never appear, and the conversion to kronor happens only at the edges, via
:class:`decimal.Decimal`.
"""

import re
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern, get_currency_symbol, parse_pattern

from app.core.i18n import N_, current_language, format_locale
from app.core.i18n import gettext as _

# 100 billion kronor: a sanity ceiling, also enforced by a database CHECK constraint.
MAX_AMOUNT_ORE = 10_000_000_000_000


class InvalidAmount(ValueError):
    """Raised when an amount cannot be accepted; ``message`` is user-facing text in the current
    language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Trailing currency: "12 500 kr", "12500kr", "12 500 kr." and the Swedish "12 500:-"/",-".
_CURRENCY_SUFFIX_RE = re.compile(r"\s*(?:kr\.?|[:,]-)$", re.IGNORECASE)

# Thousands separated by space, no-break space (U+00A0) or narrow no-break space
# (U+202F), as Swedish number formatting does; then a comma or dot decimal part.
_SPACE_GROUPED_RE = re.compile(
    r"(?P<int>[0-9]+|[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+)(?:[,.](?P<frac>[0-9]+))?"
)
# "1.250.000" or "1.250,50": dots as thousands separators, decimals only after a comma.
_DOT_GROUPED_RE = re.compile(r"(?P<int>[0-9]{1,3}(?:\.[0-9]{3})+)(?:,(?P<frac>[0-9]+))?")
# English: "12,500" or "12,500.50", commas as thousands separators.
_COMMA_GROUPED_RE = re.compile(r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+)(?:\.(?P<frac>[0-9]+))?")

_NOT_A_NUMBER = N_("Ange beloppet i kronor, t.ex. 12 500 eller 12 500,50.")


def parse_kronor(text: str, *, allow_zero: bool = True) -> int:
    """Parse an amount in kronor typed by a user and return it in öre.

    A single dot is read as a decimal point ("12500.5"); dots are read as thousands
    separators only when there are several ("1.250.000") or when a comma decimal
    follows ("1.250,50"). A decimal part with more than two digits is rejected
    rather than guessed at, so "12,500" is an error and never silently 12.50 kr. In the English
    interface a comma groups thousands ("12,500.50"), as English readers write it.
    """
    text = text.strip()
    if not text:
        raise InvalidAmount(_("Ange ett belopp."))
    # Accept both the hyphen-minus and the typographic minus (U+2212) that Babel
    # and word processors produce, so that a negative amount gets a clear message.
    negative = text[0] in "-\u2212"
    if negative:
        text = text[1:].lstrip()
    text = _CURRENCY_SUFFIX_RE.sub("", text)

    match = _grouping(text).fullmatch(text)
    if not match:
        raise InvalidAmount(_(_NOT_A_NUMBER))
    if negative:
        raise InvalidAmount(_("Beloppet kan inte vara negativt."))
    fraction = match["frac"] or "0"
    if len(fraction) > 2:
        raise InvalidAmount(_("Ange högst två decimaler (öre)."))

    whole = re.sub(r"[^0-9]", "", match["int"])
    ore = int(Decimal(f"{whole}.{fraction}").scaleb(2))
    if ore > MAX_AMOUNT_ORE:
        raise InvalidAmount(_("Beloppet är orimligt stort."))
    if ore == 0 and not allow_zero:
        raise InvalidAmount(_("Beloppet måste vara större än 0 kr."))
    return ore


def _grouping(text: str) -> re.Pattern[str]:
    if current_language() == "en" and "," in text and text.count(".") <= 1:
        return _COMMA_GROUPED_RE
    dot_grouped = text.count(".") > 1 or ("." in text and "," in text)
    return _DOT_GROUPED_RE if dot_grouped else _SPACE_GROUPED_RE


def format_money(ore: int, locale: str | Locale | None = None) -> str:
    """Format öre for display in ``locale`` (by default the interface language's), e.g.
    "12 500 kr" or "12 500,50 kr" in Swedish and "SEK 12,500" in English.

    Whole kronor are shown without decimals. Babel's output is kept as is, including
    the no-break spaces it uses in Swedish, which stop an amount from being broken
    across lines.
    """
    _require_int(ore)
    return _formatted_money(ore, locale or format_locale())


# Most of an amount's cost is Babel's decimal arithmetic, and pages show the same amounts on
# every view (a dashboard's totals, a queue page's requested sums): a bounded cache of results.
@lru_cache(maxsize=8192)
def _formatted_money(ore: int, locale: str | Locale) -> str:
    babel_locale, with_decimals, whole = _currency_patterns(locale)
    formatted = (with_decimals if ore % 100 else whole).apply(Decimal(ore).scaleb(-2), babel_locale)
    return _CURRENCY_SPACING.sub("\u00a0", formatted)


# Babel does not implement CLDR's currencySpacing rule, which puts a no-break space between a
# letter symbol and the digits ("SEK12,500" -> "SEK 12,500").
_CURRENCY_SPACING = re.compile(r"(?<=[^\W\d_])(?=[0-9])|(?<=[0-9])(?=[^\W\d_])")


@lru_cache
def _currency_patterns(locale: str | Locale) -> tuple[Locale, NumberPattern, NumberPattern]:
    """The locale and its currency patterns for kronor, parsed once: a page shows hundreds of
    amounts. The symbol ("kr", "SEK") is written into the patterns as a literal, so formatting
    skips Babel's currency lookups, which it otherwise makes for every amount."""
    babel_locale = Locale.parse(locale)
    symbol = get_currency_symbol("SEK", babel_locale)
    standard = babel_locale.currency_formats["standard"].pattern.replace("¤", f"'{symbol}'")
    # The fraction removed ("#,##0.00 ¤" becomes "#,##0 ¤"), so the symbol placement still
    # follows the locale for whole kronor.
    return babel_locale, parse_pattern(standard), parse_pattern(re.sub(r"\.0+", "", standard))


def format_kronor_input(ore: int) -> str:
    """Format öre as a form-field value ("12500" or "12500,50"; "12500.50" in English) that
    parse_kronor reads back."""
    _require_int(ore)
    sign = "-" if ore < 0 else ""
    kronor, rest = divmod(abs(ore), 100)
    decimal_mark = "." if current_language() == "en" else ","
    return f"{sign}{kronor}{decimal_mark}{rest:02d}" if rest else f"{sign}{kronor}"


def _require_int(ore: int) -> None:
    # A float or Decimal here means a bug upstream; fail loudly instead of rounding.
    if isinstance(ore, bool) or not isinstance(ore, int):
        raise TypeError(f"Amounts must be int öre, got {type(ore).__name__}")
