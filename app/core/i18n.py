"""The interface language: Swedish by default, English selectable.

The Swedish text is the message id. The office's own words and the programme's terms are
Swedish, so the Swedish interface needs no catalogue; ``app/locale/en`` translates every message
into English. ``make`` extracts the messages, updates that catalogue and compiles it on set-up
(see docs/i18n.md).

The language of a request is carried in a context variable set by ``LanguageMiddleware`` from
the visitor's cookie, so that a service raising a refusal ("Beloppet ryms inte ...") speaks the
visitor's language without knowing about HTTP. Documents with legal weight (decision letters,
minutes, e-mails to applicants, exports) are always Swedish: they are written under
``use_language(DEFAULT_LANGUAGE)``.
"""

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache, wraps
from gettext import NullTranslations
from pathlib import Path
from typing import ParamSpec, TypeVar

from babel import Locale
from babel.support import Translations
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

DEFAULT_LANGUAGE = "sv"
# Each language's own name, as shown in the switch.
LANGUAGES = {"sv": "Svenska", "en": "English"}
# Dates, numbers and money follow the language: British English reads "25 Nov 2026" and
# "SEK 12,500", which suits a European office better than the US conventions.
FORMAT_LOCALES = {"sv": "sv_SE", "en": "en_GB"}
LANGUAGE_COOKIE = "bygd_lang"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

P = ParamSpec("P")
R = TypeVar("R")

_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


@lru_cache
def _translations(language: str) -> NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    # Translations.load falls back to the message ids if the compiled catalogue is missing;
    # tests/test_i18n.py fails in that case, so that never goes unnoticed.
    return Translations.load(LOCALE_DIR, [language])


def current_language() -> str:
    return _language.get()


@lru_cache
def _babel_locale(language: str) -> Locale:
    return Locale.parse(FORMAT_LOCALES[language])


def format_locale() -> Locale:
    """The Babel locale for dates, numbers and money in the current language, parsed once: given
    a locale's name, Babel parses it on every call, about half the cost of formatting a date."""
    return _babel_locale(_language.get())


def gettext(message: str) -> str:
    """The Swedish ``message`` in the current language."""
    return _translations(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations(_language.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for the catalogue where it is defined (a module-level table, an enum's
    labels); it is translated with ``gettext`` where it is shown."""
    return message


def language_or_default(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


@contextmanager
def use_language(language: str) -> Iterator[None]:
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def in_swedish(produce: Callable[P, R]) -> Callable[P, R]:
    """Produce a document in Swedish whatever the visitor's language: decision letters, minutes,
    e-mails and exports carry legal weight and are written in the authority's language.

    A generator (a streamed export) is run in Swedish step by step, since it is consumed later,
    outside the call that created it."""
    if inspect.isgeneratorfunction(produce):

        @wraps(produce)
        def stream(*args: P.args, **kwargs: P.kwargs) -> Iterator[object]:
            rows = iter(produce(*args, **kwargs))  # type: ignore[call-overload]
            while True:
                with use_language(DEFAULT_LANGUAGE):
                    row = next(rows, _END)
                if row is _END:
                    return
                yield row

        return stream  # type: ignore[return-value]

    @wraps(produce)
    def document(*args: P.args, **kwargs: P.kwargs) -> R:
        with use_language(DEFAULT_LANGUAGE):
            return produce(*args, **kwargs)

    return document


_END = object()


class LanguageMiddleware:
    """Sets the request's language from its cookie for everything below it (routes, services,
    templates). Pure ASGI, so the context variable reaches sync routes' worker threads too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with use_language(language_or_default(_cookie(scope, LANGUAGE_COOKIE))):
            await self.app(scope, receive, send)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            found = cookie_parser(value.decode("latin-1")).get(name)
            if found is not None:
                return found
    return None
