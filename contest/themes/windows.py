"""Proposal windows: when fans may propose and vote the theme of a month's round.

A month's window is, by default, the previous month from THEME_WINDOW_OPENS_DAY to the end of
THEME_WINDOW_CLOSES_DAY (1st to 20th: December's theme is proposed from 1 to 20 November).
Moderators can open a window of their own for any future month.
"""

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from contest.errors import Invalid
from contest.extensions import db
from contest.models import ProposalWindow, utcnow
from contest.moderation.audit import audit
from contest.rounds.editing import utc

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def check_month(value):
    """A month as YYYY-MM, or Invalid."""
    if not isinstance(value, str) or not MONTH_RE.match(value) or value < "2000-01":
        raise Invalid(_l("month must look like 2027-01."), code="invalid_month", field="month")
    return value


def month_of(moment):
    return f"{moment.year:04d}-{moment.month:02d}"


def shift(month, months):
    """The month `months` after (or before) this one."""
    year, number = int(month[:4]), int(month[5:])
    index = year * 12 + number - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def first_moment(month):
    return datetime(int(month[:4]), int(month[5:]), 1, tzinfo=UTC)


def default_window(month):
    """(opens_at, closes_at) of a month's default window, in the month before it."""
    config = current_app.config
    before = first_moment(shift(month, -1))
    opens = before + timedelta(days=config["THEME_WINDOW_OPENS_DAY"] - 1)
    closes = before + timedelta(days=config["THEME_WINDOW_CLOSES_DAY"])
    return opens, min(closes, first_moment(month))


def window(month):
    """(opens_at, closes_at) for proposing and voting this month's theme."""
    row = db.session.get(ProposalWindow, month)
    return (row.opens_at, row.closes_at) if row else default_window(month)


def is_open(month, now=None):
    opens, closes = window(month)
    return opens <= (now or utcnow()) < closes


def current_month(now=None):
    """The month fans are proposing for now: the next one, or an earlier-opened window's."""
    now = now or utcnow()
    following = shift(month_of(now), 1)
    if is_open(following, now):
        return following
    opened = db.session.scalar(
        sa.select(ProposalWindow.month)
        .where(ProposalWindow.opens_at <= now, ProposalWindow.closes_at > now)
        .order_by(ProposalWindow.month)
    )
    return opened or following


def open_window(moderator, month, opens_at, closes_at):
    """A moderator opens (or moves) the proposal window of a future month; audited."""
    check_month(month)
    if month <= month_of(utcnow()):
        raise Invalid(_l("Open windows for future months only."), code="invalid_month")
    opens_at, closes_at = utc(opens_at, "opens_at"), utc(closes_at, "closes_at")
    if closes_at <= opens_at:
        raise Invalid(_l("The window must close after it opens."), code="invalid_window")
    row = db.session.get(ProposalWindow, month) or ProposalWindow(month=month)
    row.opens_at, row.closes_at = opens_at, closes_at
    db.session.add(row)
    audit(moderator, "open_proposals", "month", 0, month)
    db.session.commit()
    return row
