"""What the theme operations accept and answer."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from contest.api.outputs import Round, maybe, when
from contest.api.parsing import Input, Time, WholeNumber, error, text_field
from contest.models.types import MAX_ID
from contest.rounds.editing import MAX_TITLE as MAX_ROUND_TITLE
from contest.themes.proposals import MAX_BRIEF, MAX_TITLE

MONTH = {"description": "YYYY-MM: the month of the round the theme is for", "example": "2027-01"}


class ThemesQuery(Input):
    month = fields.String(
        metadata=error("invalid_month", _l("month must look like 2027-01.")) | MONTH
    )
    order = fields.String(
        validate=validate.OneOf(("top", "new")),
        load_default="top",
        metadata=error("invalid_order", _l("order is top or new.")),
    )


class Proposal(Input):
    month = fields.String(
        required=True,
        metadata=error("invalid_month", _l("month must look like 2027-01."), missing=True) | MONTH,
    )
    title = text_field("title", MAX_TITLE, required=True)
    brief = text_field("brief", MAX_BRIEF, allow_none=True)
    example_entry_id = WholeNumber(
        allow_none=True,
        validate=validate.Range(1, MAX_ID),
        metadata=error("invalid_example", _l("The example must be one of your live clips.")),
    )


class Selection(Input):
    title = text_field("title", MAX_ROUND_TITLE, allow_none=True)
    brief = text_field("brief", MAX_BRIEF, allow_none=True)

    class Meta(Input.Meta):
        optional_body = True


class WindowBody(Input):
    opens_at = Time(
        required=True,
        metadata=error(
            "invalid_time", _l("Give opens_at and closes_at as ISO 8601 times."), missing=True
        ),
    )
    closes_at = Time(
        required=True,
        metadata=error(
            "invalid_time", _l("Give opens_at and closes_at as ISO 8601 times."), missing=True
        ),
    )


class Proposer(Schema):
    username = fields.String(required=True)


class Example(Schema):
    entry_id = fields.Integer(required=True)
    title = fields.String(required=True)
    poster_url = maybe(fields.String)


class Theme(Schema):
    id = fields.Integer(required=True)
    month = fields.String(required=True)
    title = fields.String(required=True)
    brief = fields.String(required=True)
    votes = fields.Integer(required=True)
    my_vote = fields.Boolean(required=True)
    proposed_by = fields.Nested(Proposer, required=True)
    status = fields.String(required=True, metadata={"enum": ["proposed", "selected", "hidden"]})
    example = fields.Nested(Example, allow_none=True)


class Window(Schema):
    opens_at = when(required=True)
    closes_at = when(required=True)


class ThemesPage(Schema):
    month = fields.String(required=True)
    open = fields.Boolean(required=True)
    window = fields.Nested(Window, required=True)
    themes = fields.List(fields.Nested(Theme), required=True)
    selected = maybe(fields.Integer, required=True)


class VoteAnswer(Schema):
    id = fields.Integer(required=True)
    votes = fields.Integer(required=True)
    my_vote = fields.Boolean(required=True)


class SelectAnswer(Schema):
    theme = fields.Nested(Theme, required=True)
    round = fields.Nested(Round, required=True)
