"""Dates and times as the reader reads them: in their own time zone, formatted by Babel.

The zone is the browser's, which every page's script remembers as the `tz` cookie (an IANA
name such as Asia/Bangkok); without it, UTC. Formats are CLDR skeletons, so each language
orders the parts its own way: "Dec 21, 14:30" in English, "12月21日 14:30" in Chinese.
"""

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_skeleton, get_timezone_name
from flask import has_request_context, request
from flask_babel import get_locale

from contest.texts import month_name

COOKIE = "tz"
# what each kind of moment shows: (date skeleton, with the time of day)
KINDS = {
    "day": ("MMMd", False),  # Dec 21 · 12月21日
    "date": ("yMMMd", False),  # Dec 21, 2026 · 2026年12月21日
    "day_time": ("MMMd", True),  # Dec 21, 14:30
    "date_time": ("yMMMd", True),  # Dec 21, 2026, 14:30
    "weekday_time": ("MMMEd", True),  # Mon, Dec 21, 14:30
    "month": ("yMMMM", False),  # December 2026 · 2026年12月
}


@lru_cache(maxsize=1024)
def _zone(name):
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # unknown, or not a zone name at all
        return None


def reader_zone():
    """The reader's time zone: the `tz` cookie when it names a real zone, else UTC."""
    if has_request_context():
        zone = _zone(request.cookies.get(COOKIE, ""))
        if zone is not None:
            return zone
    return UTC


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def when(moment, kind="day_time", zoned=False):
    """A moment for people, in the reader's zone and language ("" for no moment); zoned names
    the zone after it, where the hour matters."""
    if moment is None:
        return ""
    text = _when(moment, kind)
    return f"{text} ({zone_name()})" if zoned else text


def _when(moment, kind):
    skeleton, with_time = KINDS[kind]
    locale, zone = get_locale(), reader_zone()
    if not isinstance(moment, datetime):  # a date: no zone to convert to
        return format_skeleton(skeleton, moment, locale=locale)
    moment = _aware(moment)
    day = format_skeleton(skeleton, moment, tzinfo=zone, locale=locale)
    if not with_time:
        return day
    time = format_skeleton("Hm", moment, tzinfo=zone, locale=locale)
    return _joined(str(locale), day, time)


@lru_cache(maxsize=16)
def _pattern(locale):
    return Locale.parse(locale).datetime_formats["medium"]


def _joined(locale, day, time):
    return _pattern(locale).replace("{1}", day).replace("{0}", time)


def zone_name():
    """The reader's zone, named where a time matters ("Thailand Time", "UTC")."""
    zone = reader_zone()
    if zone is UTC:
        return "UTC"
    return get_timezone_name(zone, "short", locale=get_locale())


def init_app(app):
    app.jinja_env.filters.update(when=when, month_name=month_name)
    app.jinja_env.globals.update(zone_name=zone_name)
