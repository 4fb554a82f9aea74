"""The pages' language: a gettext message catalogue per locale (Babel), chosen by the `lang`
switch (a cookie) or the browser's `Accept-Language`, and the formats of times and durations.

Message ids are the English text; `locale/<locale>/LC_MESSAGES/messages.po` translates them
(zh_CN, the handlers' language, is complete: a test extracts every id from the templates and
the code and checks it). Catalogues are compiled in memory at start, so no build step.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
LOCALES = ("zh_CN", "en")  # the first is the default: the handlers' language
LANG_COOKIE = "ct_lang"


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue of `locale` (English, the ids' language, needs none)."""
    po = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def _known(tag: str | None) -> str | None:
    if not tag:
        return None
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    for known in LOCALES:
        if Locale.parse(known).language == locale.language:
            return known
    return None


def negotiate(request: Request) -> str:
    """`?lang=` (the switch), then the `ct_lang` cookie, then `Accept-Language` by weight."""
    for tag in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if chosen := _known(tag):
            return chosen
    header = request.headers.get("accept-language", "")
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        weighted.append((-weight, position, tag.strip()))
    for _, _, tag in sorted(weighted):
        if chosen := _known(tag):
            return chosen
    return LOCALES[0]


@dataclass(frozen=True)
class Language:
    """What a page needs to speak one locale: `_` (gettext with `%(name)s` fields), times in
    the operator's zone and durations in hours and minutes."""

    locale: str
    zone: ZoneInfo

    @property
    def html_lang(self) -> str:
        return self.locale.replace("_", "-")

    @property
    def _gettext(self) -> Callable[[str], str]:
        return translations(self.locale).gettext

    def _(self, message: str, **fields: object) -> str:
        if not message:  # gettext("") is the catalogue's header, not an empty label
            return ""
        text = self._gettext(message)
        return text % fields if fields else text

    def value(self, value: str | None) -> str:
        """A value the data holds (a status, a severity, a rule name: `labels.VALUES`) in
        this language; one the catalogue does not know is shown as it is."""
        return self._(value) if value else "—"

    def time(self, value: str | datetime | None, seconds: bool = False) -> str:
        """A UTC time (ISO text or naive UTC) in the operator's zone: `2026-03-02 18:09`."""
        if value is None or value == "":
            return "—"
        moment = parse_utc(value)
        return moment.astimezone(self.zone).strftime(
            "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")

    def wall(self, value: str | None) -> str | None:
        """A UTC time as the operator's wall-clock time, ISO without offset: the charts draw
        it as UTC, so they show the times the tables show, wherever the browser is."""
        if not value:
            return None
        return parse_utc(value).astimezone(self.zone).strftime("%Y-%m-%dT%H:%M:%S")

    def duration(self, minutes: float | None) -> str:
        """Minutes as `2 h 05 min` (`2小时05分`); under an hour `35 min`; days beyond 48 h."""
        if minutes is None:
            return "—"
        total = round(abs(minutes))
        days, rest = divmod(total, 24 * 60)
        hours, mins = divmod(rest, 60)
        if days and total >= 48 * 60:
            text = self._("%(d)d d %(h)d h", d=days, h=hours)
        elif total >= 60:
            text = self._("%(h)d h %(m)02d min", h=total // 60, m=mins)
        else:
            text = self._("%(m)d min", m=total)
        return ("−" + text) if minutes < 0 and total else text

    def percent(self, share: float | None) -> str:
        return "—" if share is None else f"{share * 100:.0f} %"


def parse_utc(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
