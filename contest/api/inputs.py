"""What each API operation accepts: one schema per request body or query string.

Limits come from the rules' own constants, so a limit is written once; the rules still check
what only they can know (the round's phase, a taken username, the order of the windows).
"""

from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, fields, validate

from contest.api.parsing import Flag, Input, QueryNumber, Time, WholeNumber, error, text_field
from contest.community.comments import MAX_COMMENT
from contest.community.profiles import FIELDS as PROFILE_FIELDS
from contest.i18n import LANGUAGES
from contest.models.reports import REPORT_REASONS
from contest.models.social import NOTIFICATION_KINDS
from contest.models.types import MAX_ID
from contest.moderation.audit import MAX_REASON
from contest.rounds import sponsors
from contest.rounds.editing import MAX_BLIND_HOURS, MAX_BRIEF, MAX_PRIZE, MAX_TITLE
from contest.rounds.judging import MAX_LIMIT as MAX_JUDGE_LIMIT
from contest.texts import Text

ID = validate.Range(1, MAX_ID)  # an id any database column holds
TIME = {"format": "date-time", "description": "ISO 8601; without a zone, UTC"}


def _time(name, required=False):
    return Time(
        required=required,
        allow_none=not required,
        metadata=error(
            "invalid_time",
            Text("%(field)s must be an ISO 8601 time such as 2026-12-01T00:00:00Z.", field=name),
        )
        | TIME,
    )


class Rating(Input):
    stars = WholeNumber(
        required=True,
        validate=validate.Range(1, 5),
        metadata=error(
            "invalid_stars", _l("stars must be a whole number from 1 to 5."), missing=True
        ),
    )


class CommentBody(Input):
    body = fields.String(
        required=True,
        metadata=error("empty_comment", _l("Write something first."), missing=True)
        | {"description": f"at most {MAX_COMMENT} characters"},
    )


_REASON = error("invalid_reason", Text("reason must be text of at most 500 characters."))


class ReportBody(Input):
    reason = fields.String(
        required=True,
        validate=validate.OneOf(REPORT_REASONS),
        metadata=error(
            "invalid_reason",
            Text("reason must be one of %(reasons)s.", reasons=", ".join(REPORT_REASONS)),
            missing=True,
        ),
    )
    text = fields.String(
        allow_none=True, validate=validate.Length(max=MAX_REASON), metadata=_REASON
    )


class ModerationBody(Input):
    action = fields.String(
        required=True, metadata=error("invalid_action", _l("Choose an action."), missing=True)
    )
    reason = fields.String(
        allow_none=True, validate=validate.Length(max=MAX_REASON), metadata=_REASON
    )


class RoundBody(Input):
    title = text_field("title", MAX_TITLE, required=True)
    brief = text_field("brief", MAX_BRIEF, allow_none=True)
    slug = fields.String(
        allow_none=True,
        metadata=error("invalid_slug", _l("slug may hold lower-case letters, digits and dashes.")),
    )
    submissions_open_at = _time("submissions_open_at", required=True)
    submissions_close_at = _time("submissions_close_at", required=True)
    voting_open_at = _time("voting_open_at")
    voting_close_at = _time("voting_close_at", required=True)
    requires_approval = Flag(
        metadata=error(
            "invalid_field", Text("%(field)s must be true or false.", field="requires_approval")
        )
    )
    blind_hours = WholeNumber(
        validate=validate.Range(0, MAX_BLIND_HOURS),
        metadata=error("invalid_field", _l("blind_hours must be a whole number from 0 to 168.")),
    )
    prize = text_field("prize", MAX_PRIZE, allow_none=True)
    finals_open_at = _time("finals_open_at")
    finals_close_at = _time("finals_close_at")
    sponsor_name = text_field("sponsor_name", sponsors.MAX_NAME, allow_none=True)
    sponsor_url = text_field("sponsor_url", sponsors.MAX_URL, allow_none=True)
    sponsor_pick = Flag(
        metadata=error(
            "invalid_field", Text("%(field)s must be true or false.", field="sponsor_pick")
        )
    )


class RoundEdit(RoundBody):
    title = text_field("title", MAX_TITLE)
    submissions_open_at = _time("submissions_open_at")
    submissions_close_at = _time("submissions_close_at")
    voting_close_at = _time("voting_close_at")


class CloseBody(Input):
    class Meta(Input.Meta):
        optional_body = True

    force = Flag(metadata=error("invalid_field", _l("force must be true or false."), status=400))


class FinalistsBody(Input):
    entry_ids = fields.List(
        WholeNumber(validate=ID),
        required=True,
        metadata=error(
            "invalid_finalists", _l("entry_ids must be a list of entry ids."), missing=True
        ),
    )
    reason = fields.String(
        allow_none=True,
        validate=validate.Length(max=MAX_REASON),
        metadata=error(
            "invalid_field", _l("reason must be text of at most 500 characters."), status=400
        ),
    )


_ROUND_ID = error("missing_field", _l("round_id must be a round's id."))


class UploadStart(Input):
    round_id = WholeNumber(validate=ID, metadata=_ROUND_ID)
    entry_id = WholeNumber(
        validate=ID, allow_none=True, metadata={"description": "send a new file for this own entry"}
    )
    title = fields.String(
        allow_none=True,
        metadata=error("missing_field", Text("%(field)s is required.", field="title")),
    )
    description = fields.String(allow_none=True)
    filename = fields.String(
        required=True,
        metadata=error("missing_field", Text("%(field)s is required.", field="filename")),
    )
    size = WholeNumber(
        required=True,
        metadata=error("invalid_size", _l("size must be the file's size in bytes."), missing=True),
    )
    content_type = fields.String(
        allow_none=True, metadata=error("invalid_field", _l("content_type must be text."))
    )
    answers = WholeNumber(
        validate=ID,
        allow_none=True,
        metadata=error(
            "invalid_answers", _l("You can answer another fan's live clip in the same round.")
        )
        | {"description": "the id of the live entry (same round, not yours) this one answers"},
    )


class Part(Input):
    number = WholeNumber(required=True, validate=ID)
    etag = fields.String(allow_none=True)


class UploadComplete(Input):
    class Meta(Input.Meta):
        optional_body = True

    parts = fields.List(
        fields.Nested(Part),
        allow_none=True,
        metadata=error("invalid_field", _l("parts must be a list of {number, etag}."), status=400),
    )


class ProfileEdit(Input):
    class Meta:
        unknown = RAISE

        @staticmethod
        def unknown_error(key):
            return 422, "invalid_field", Text("%(field)s is not a profile field.", field=key)

    display_name = text_field("display_name", PROFILE_FIELDS["display_name"])
    bio = text_field("bio", PROFILE_FIELDS["bio"])
    country = text_field("country", PROFILE_FIELDS["country"])
    favourite_position = text_field("favourite_position", PROFILE_FIELDS["favourite_position"])
    favourite_club = text_field("favourite_club", PROFILE_FIELDS["favourite_club"])
    language = fields.String(
        validate=validate.OneOf(["", *LANGUAGES]),
        metadata=error(
            "invalid_language",
            Text("language must be one of %(codes)s.", codes=", ".join(LANGUAGES)),
        )
        | {"description": "interface language; empty follows the browser"},
    )
    data_saver = Flag(
        metadata=error("invalid_field", Text("data_saver must be true or false."))
        | {"description": "play the small (540p) renditions everywhere"},
    )


def _setting_error(kind):
    kinds = ", ".join(NOTIFICATION_KINDS)
    message = Text(
        "%(kind)s: choose in_app or digest for one of %(kinds)s.", kind=kind, kinds=kinds
    )
    return 422, "invalid_settings", message


class _Settings(Input):
    class Meta:
        unknown = RAISE
        unknown_error = staticmethod(_setting_error)


NotificationSettings = _Settings.from_dict(
    {
        kind: fields.String(
            validate=validate.OneOf(["in_app", "digest"]), metadata={"error": _setting_error(kind)}
        )
        for kind in NOTIFICATION_KINDS
    },
    name="NotificationSettings",
)


class PageQuery(Input):
    page = QueryNumber(
        load_default=1,
        validate=validate.Range(min=1, max=999_999_999),
        metadata=error("invalid_page", _l("page must be 1 or more.")),
    )


class EntriesQuery(PageQuery):
    sort = fields.String(metadata={"description": "new, top, or shuffle (the default in voting)"})
    seed = fields.String(metadata={"description": "an anonymous visitor's shuffle seed"})


class JudgeQuery(Input):
    # digits only (else 400); the rule refuses 0 or over 50 with 422: declared here
    limit = QueryNumber(
        load_default=10,
        validate=[],
        metadata=error(
            "invalid_limit", Text("%(field)s must be a whole number.", field="limit"), status=400
        )
        | {"minimum": 1, "maximum": MAX_JUDGE_LIMIT},
    )
    skip = fields.String(
        load_default="", metadata={"description": "comma-separated entry ids already shown"}
    )


class InsightsQuery(Input):
    round_id = QueryNumber(
        validate=ID, metadata=error("invalid_round_id", _l("round_id must be a round's id."))
    )
