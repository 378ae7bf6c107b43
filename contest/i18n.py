"""Languages: English, Bahasa Indonesia, Thai and Simplified Chinese.

A request's language is the signed-in fan's choice, else the visitor's choice (a cookie set by
the picker), else the best match of the browser's Accept-Language, else English. Dates and
numbers are formatted by Babel for that locale.
"""

from contextlib import nullcontext
from functools import lru_cache

from flask import has_request_context, request
from flask_babel import Babel, force_locale, format_timedelta, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from contest import numbers
from contest.errors import Invalid
from contest.models.types import utcnow
from contest.texts import Text

LANGUAGES = {
    "en": "English",
    "id": "Bahasa Indonesia",
    "th": "ไทย",
    "zh_Hans": "简体中文",
}
COOKIE = "lang"
# Sentences the page scripts write (contest/static/js); pages carry them in the reader's
# language as JSON and scripts read them with ginga.t(key, values).
JS_MESSAGES = {
    "network_failed": _l("The network failed. Check your connection and try again."),
    "following": _l("Following"),
    "vote": _l("Vote"),
    "push_unsupported": _l("This browser cannot receive notifications."),
    "push_denied": _l("Notifications are blocked for Ginga in this browser's settings."),
    "push_on": _l("Notifications are on for this device."),
    "push_off": _l("Notifications are off for this device."),
    "push_failed": _l("This browser could not turn notifications on. Try again in a moment."),
    "push_save": _l("Save for this device"),
    "push_turn_on": _l("Turn on"),
    "voted": _l("Voted"),
    "votes_one": _l("%(num)s vote"),
    "votes_many": _l("%(num)s votes"),
    "follow": _l("Follow"),
    "link_copied": _l("Link copied"),
    "copy_link": _l("Copy this link"),
    "saving": _l("Saving…"),
    "rated_one": _l("You gave one star. Tap to change."),
    "rated_many": _l("You gave %(num)s stars. Tap to change."),
    "report_thanks": _l("Thanks. A moderator will look at it."),
    "waiting_network": _l("Waiting for the network…"),
    "upload_progress": _l("%(percent)s%% · %(sent)s of %(total)s MB"),
    "retrying_part": _l("Connection trouble: retrying part %(number)s…"),
    "upload_cancelled": _l("Upload cancelled."),
    "finishing": _l("Finishing…"),
    "resuming": _l("Resuming your earlier upload…"),
    "checking": _l("Checking your video…"),
    "checking_label": _l("Checking"),
    "uploading": _l("Uploading"),
    "upright": _l("upright"),
    "landscape": _l("landscape"),
    "square": _l("square"),
    "preview_facts": _l("%(length)s · %(shape)s · %(mb)s MB"),
    "too_long": _l("This clip is too long: the limit is %(seconds)s seconds."),
    "not_accepted": _l("Your video was not accepted: %(reason)s"),
    "open_it": _l("Open it"),
    "clip_live": _l("Your clip is live!"),
    "clip_waits": _l("Your clip waits for a moderator's approval."),
    "choose_video": _l("Choose a video first."),
    "too_large": _l("This file is too large: the limit is %(mb)s MB."),
    "give_title": _l("Give your clip a title."),
    "cancelled_nothing_kept": _l("Upload cancelled: nothing was kept."),
    "ratings_label": _l("Ratings: %(list)s"),
    "stars_count_one": _l("%(num)s star: %(count)s"),
    "stars_count_many": _l("%(num)s stars: %(count)s"),
    "countdown_days": _l("%(days)sd %(time)s"),
    "notifications_unread": _l("Notifications, %(count)s unread"),
    "cancel": _l("Cancel"),
    "confirm": _l("Yes, go ahead"),
    "followers_one": _l("%(num)d follower"),
    "followers_many": _l("%(num)d followers"),
    "ratings_one": _l("%(num)s rating"),
    "ratings_many": _l("%(num)s ratings"),
    "needs_votes": _l("New: needs votes"),
    "judge_clips": _l("%(num)s clips"),
    "judge_progress": _l("%(done)s of %(total)s judged"),
    "clip": _l("clip"),
    "comments_count": _l("%(num)s comments"),
    "sound": _l("Sound"),
    "clip_by": _l("%(title)s, a clip by %(name)s"),
    "rate_clip": _l("Rate %(title)s by @%(name)s"),
    "judged_all": _l("You have judged every clip"),
    "judge_signin": _l("Sign in or join to rate. You will come back to this clip."),
    "judge_verify": _l("Confirm your email address to rate: open the link we mailed you."),
    "counts_from": _l("Your rating shows now and counts in the final result from %(when)s."),
    "rating_pending": _l("Not saved yet: trying again when the connection is back…"),
    "saved_one": _l("Saved: 1 star."),
    "saved_many": _l("Saved: %(num)s stars."),
    "next_clip": _l("Next: %(title)s"),
    "link_sent": _l("Sent! Check your inbox."),
    "offline": _l("You are offline. Your ratings are kept and sent when you are back."),
}
babel = Babel()


def from_accept_language(header_values):
    """The first supported language among the browser's (tag, quality) pairs, best first."""
    for tag, _quality in header_values:
        tag = tag.lower().replace("_", "-")
        primary = tag.split("-")[0]
        if primary == "zh":
            # Simplified Chinese: zh, zh-CN, zh-SG, zh-Hans*; not zh-TW/zh-HK/zh-Hant
            if not any(part in ("tw", "hk", "mo", "hant") for part in tag.split("-")[1:]):
                return "zh_Hans"
            continue
        if primary in ("id", "in"):
            return "id"
        if primary in ("th", "en"):
            return primary
    return None


def select_locale():
    if not has_request_context():  # a job or command outside any request: English
        return "en"
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return from_accept_language(request.accept_languages) or "en"


def check_language(code):
    if code not in LANGUAGES:
        raise Invalid(
            Text("language must be one of %(codes)s.", codes=", ".join(LANGUAGES)),
            code="invalid_language",
        )
    return code


def in_language_of(user):
    """Write to this fan (a mail, a push) in their chosen language.

    Without a choice: the request's language when the request is the fan's own (or nobody's
    yet, as at sign-up), else English; one fan's language is no guess for another's.
    """
    if user.language in LANGUAGES:
        return force_locale(user.language)
    if has_request_context() and (
        not current_user.is_authenticated or current_user.get_id() == str(user.id)
    ):
        return nullcontext()
    return force_locale("en")


def html_lang():
    """The BCP 47 tag for <html lang>: en, id, th, zh-Hans."""
    return str(get_locale()).replace("_", "-")


def histogram_label(counts):
    """What a screen reader says for the rating histogram (live.js writes the same)."""
    parts = [
        gettext("%(num)s star: %(count)s", num=1, count=numbers.number_format(count))
        if stars == 1
        else gettext("%(num)s stars: %(count)s", num=stars, count=numbers.number_format(count))
        for stars, count in enumerate(counts, 1)
    ]
    return gettext("Ratings: %(list)s", list=", ".join(parts))


def js_messages():
    """JS_MESSAGES in the reader's language (every page carries them: made once per language)."""
    return _js_messages(str(get_locale()))


@lru_cache(maxsize=len(LANGUAGES) + 1)
def _js_messages(locale):
    with force_locale(locale):
        return {key: str(text) for key, text in JS_MESSAGES.items()}


def ago(moment):
    """ "3 minutes ago", in the reader's language."""
    return format_timedelta(moment - utcnow(), add_direction=True, threshold=0.9)


def init_app(app):
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    babel.init_app(app, locale_selector=select_locale)
    numbers.init_app(app)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        html_lang=html_lang,
        js_messages=js_messages,
        histogram_label=histogram_label,
        ago=ago,
    )
