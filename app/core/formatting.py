"""Dates and numbers for people, in the interface language (Swedish unless the visitor chose
English). Templates use these as filters; services use them in the messages they write."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from app.config import get_settings
from app.core import i18n
from app.core.i18n import gettext as _


def short_date(value: date | None, fmt: str = "d MMM y") -> str:
    """ "25 nov. 2026" / "25 Nov 2026"; a dash for no date."""
    return _formatted_date(value, fmt, i18n.format_locale()) if value else "–"


def long_date(value: date) -> str:
    """ "25 november 2026" / "25 November 2026", as in letters and messages."""
    return _formatted_date(value, "d MMMM y", i18n.format_locale())


def date_time(value: datetime | None, fmt: str = "d MMM y HH:mm") -> str:
    """A moment in the office's time zone; a dash for none."""
    if value is None:
        return "–"
    return _formatted_datetime(value, fmt, get_settings().timezone, i18n.format_locale())


# Pages show the same dates and figures on every view (a queue page's 50 rows, a dashboard's
# shares), and Babel's pattern formatting is the cost of each: bounded caches of results,
# keyed by everything they depend on.
@lru_cache(maxsize=8192)
def _formatted_date(value: date, fmt: str, locale: Locale) -> str:
    return format_date(value, fmt, locale=locale)


@lru_cache(maxsize=8192)
def _formatted_decimal(value: Decimal, locale: Locale) -> str:
    return format_decimal(value, "#,##0.0", locale=locale)


@lru_cache(maxsize=8192)
def _formatted_datetime(value: datetime, fmt: str, timezone: str, locale: Locale) -> str:
    return format_datetime(value, fmt, tzinfo=ZoneInfo(timezone), locale=locale)


def deadline(value: datetime) -> str:
    """A window that ends at midnight is shown as its last minute: "31 mars 2027 kl. 23:59"."""
    return date_time(value - timedelta(seconds=1), _("d MMMM y 'kl.' HH:mm"))


def one_decimal(value: Decimal) -> str:
    """Points and averages: "657,5" / "657.5"."""
    return _formatted_decimal(value, i18n.format_locale())


def percent(value: Decimal) -> str:
    """A share already in percent: "12,1 %" / "12.1%"."""
    return _("{value} %").format(value=one_decimal(value))
