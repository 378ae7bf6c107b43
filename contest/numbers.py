"""Numbers on pages, in the reader's locale, fast enough for a list of fifty clips.

Babel's format_decimal parses its pattern and looks up the locale on every call (about 60 µs);
a round page formats two numbers per entry. The patterns pages use ("0.0", "0.00" and whole
numbers with grouping) are done here with the locale's own symbols, looked up once per locale,
and rounded as Babel rounds (half to even on the decimal value). Any other pattern goes to
Babel.
"""

from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask_babel import format_decimal, get_locale

PLACES = {"0.0": Decimal("0.1"), "0.00": Decimal("0.01")}


@lru_cache(maxsize=32)
def _symbols(locale_name):
    locale = Locale.parse(locale_name)
    return get_decimal_symbol(locale), get_group_symbol(locale)


def _locale_name():
    return str(get_locale() or "en")


def decimal_format(value, pattern=None):
    """`value|decimalformat('0.0')`: as Babel would write it in the reader's locale."""
    places = PLACES.get(pattern)
    if places is None or isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return format_decimal(value, pattern)
    decimal, _group = _symbols(_locale_name())
    text = str(Decimal(str(value)).quantize(places, rounding=ROUND_HALF_EVEN))
    if text.startswith("-") and not text.strip("-0."):
        text = text[1:]  # Babel writes -0.0 as 0.0
    return text.replace(".", decimal)


def number_format(value):
    """`value|numberformat` for whole numbers: 12,345 (12.345 in Bahasa Indonesia)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return format_decimal(value)
    _decimal, group = _symbols(_locale_name())
    return f"{value:,}".replace(",", group)


MEGABYTE = 1024 * 1024  # what phones and the upload page call a MB


def megabytes(size):
    """A size in whole MB from 10 MB up ("500"), to a tenth below ("2.5"): plain numbers, for
    rules' messages and pages alike."""
    mb = size / MEGABYTE
    return round(mb) if mb >= 10 else round(mb, 1)


def init_app(app):
    """Replace Flask-Babel's two number filters (same output, a fraction of the time)."""
    app.jinja_env.filters["decimalformat"] = decimal_format
    app.jinja_env.filters["numberformat"] = number_format
    app.jinja_env.filters["megabytes"] = lambda size: format_decimal(megabytes(size))
