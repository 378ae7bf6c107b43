"""Sentences kept as their English source and values, so each reader gets them in their language.

A `Text` is a lazy translation that can also be stored: errors carry one, and a notification or
an entry's status reason keeps one as JSON next to its English rendering. Read back with
`Text.from_json`, it renders in whatever language is active then (the reader's request, or
`in_language_of(user)` for a mail or a push). Values may themselves be `Text`s; anything else
(a title, a moderator's own words) is shown as written; numbers are formatted for the
reader's locale, and a `Month` reads as the reader's "January 2027".

`Text` is an extraction keyword (pybabel -k Text), like `_l`.
"""

from datetime import date

from babel.dates import format_skeleton
from flask_babel import force_locale, format_decimal, get_locale, gettext
from flask_babel.speaklater import LazyString


class Month(str):
    """A month ("2027-01") inside a Text: shown to each reader as their "January 2027"."""

    __slots__ = ()


class Text:
    __slots__ = ("msgid", "params")

    def __init__(self, msgid, **params):
        self.msgid = msgid
        self.params = {k: as_text(v) if isinstance(v, LazyString) else v for k, v in params.items()}

    def __str__(self):
        if not self.params:
            return gettext(self.msgid)
        values = {k: _plain(v) for k, v in self.params.items()}
        try:
            return gettext(self.msgid, **values)
        except (KeyError, ValueError, TypeError):  # a translation that lost its placeholders
            try:
                return self.msgid % values
            except (KeyError, ValueError, TypeError):
                return self.msgid

    def __repr__(self):
        return f"Text({self.msgid!r}, **{self.params!r})"

    def english(self):
        with force_locale("en"):
            return str(self)

    def to_json(self):
        return {
            "msgid": self.msgid,
            "params": {
                k: v.to_json()
                if isinstance(v, Text)
                else {"month": str(v)}
                if isinstance(v, Month)
                else v
                for k, v in self.params.items()
            },
        }

    @classmethod
    def from_json(cls, data):
        """The Text stored as data; None for None (rows written before texts were stored)."""
        if not isinstance(data, dict) or not isinstance(data.get("msgid"), str):
            return None
        params = {k: _value(v) for k, v in (data.get("params") or {}).items()}
        return cls(data["msgid"], **params)


def month_name(month):
    """ "2027-01" as the reader reads it: January 2027, 2027年1月 (unchanged if not a month)."""
    try:
        first = date(int(month[:4]), int(month[5:7]), 1)
    except (TypeError, ValueError):
        return month
    return format_skeleton("yMMMM", first, locale=get_locale())


def _stored_value(value):
    if isinstance(value, Text):
        return value.to_json()
    if isinstance(value, Month):
        return {"month": str(value)}
    return value


def _value(stored_value):
    if isinstance(stored_value, dict):
        if isinstance(stored_value.get("month"), str):
            return Month(stored_value["month"])
        return Text.from_json(stored_value)
    return stored_value


def as_text(value):
    """A Text for a message that may be a Text, a lazy string, or words written by a person."""
    if isinstance(value, Text):
        return value
    with force_locale("en"):
        english = str(value)
    # A lazy string without values renders to its msgid in English: it stays translatable.
    # Plain words (a moderator's reason) have no translation and are shown as written.
    return Text(english)


def stored(value, limit=500):
    """(English, JSON) for a pair of columns keeping a message; ("", None) for no message."""
    if not value:
        return "", None
    text = as_text(value)
    return text.english()[:limit], text.to_json()


def shown(data, english):
    """A stored message in the reader's language; rows written before show their English."""
    text = Text.from_json(data)
    return str(text) if text else english


def _plain(value):
    if isinstance(value, Text):
        return str(value)
    if isinstance(value, Month):
        return month_name(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_decimal(value)  # 12,345 in English, 12.345 in Bahasa Indonesia
    return value
