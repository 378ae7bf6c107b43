"""What each API operation answers: one schema per JSON shape, as API.md describes it.

Views build their JSON with the serializers in this package and return it as is; these
schemas document it in /api/v1/openapi.json, and the contract test (schemathesis) checks every
answer against them.
"""

from marshmallow import Schema, fields

Str, Int, Float, Bool = fields.String, fields.Integer, fields.Float, fields.Boolean


def maybe(field_class, **kwargs):
    """A field that may be null."""
    return field_class(allow_none=True, **kwargs)


def when(**kwargs):
    return fields.String(metadata={"format": "date-time"}, **kwargs)


class ErrorDetail(Schema):
    code = Str(required=True, metadata={"description": "snake_case, stable: for programs"})
    message = Str(required=True, metadata={"description": "a sentence for people"})
    field = Str(metadata={"description": "the input field at fault, when there is one"})
    request_id = Str(
        metadata={"description": "this request's id (X-Request-ID): quote it to support"}
    )
    missing = fields.List(
        Int(), metadata={"description": "upload_incomplete: the part numbers not received yet"}
    )


class Error(Schema):
    error = fields.Nested(ErrorDetail, required=True)


class Csrf(Schema):
    csrf_token = Str(required=True)


class Account(Schema):
    id = maybe(Int, required=True, metadata={"description": "null: see the sign-up note"})
    username = Str(required=True)
    role = Str(required=True)
    display_name = maybe(Str)
    email = Str()
    email_verified = Bool()
    created_at = when()
    bio = maybe(Str)
    country = maybe(Str)
    language = maybe(Str)
    data_saver = Bool(metadata={"description": "small renditions everywhere (see Entry)"})


class Verification(Schema):
    email = Str(required=True)
    verified = Bool(required=True)


class Invite(Schema):
    code = Str(required=True)
    url = Str(required=True)
    joined = Int(required=True, metadata={"description": "fans who joined and confirmed"})


class Message(Schema):
    message = Str(required=True, metadata={"description": "what happened, for people"})


class Export(Schema):
    crew = fields.Dict(allow_none=True)
    theme_proposals = fields.List(fields.Dict())
    theme_votes = fields.List(fields.Integer())
    profile = fields.Dict(required=True)
    entries = fields.List(fields.Dict(), required=True)
    ratings = fields.List(fields.Dict(), required=True)
    comments = fields.List(fields.Dict(), required=True)
    following = fields.List(fields.Dict(), required=True)
    reports = fields.List(fields.Dict(), required=True)
    notifications = fields.List(fields.Dict(), required=True)


class Summary(Schema):
    average = maybe(Float, required=True)
    count = maybe(Int, required=True)
    score = maybe(Float, required=True)
    hidden = Bool(metadata={"description": "true in a blind finish: no scores shown"})


class Pending(Schema):
    count = Int(required=True)
    counts_from = when(required=True)


class Entry(Schema):
    id = Int(required=True)
    round_id = Int(required=True)
    url = Str(required=True, metadata={"description": "the entry's page"})
    title = Str(required=True)
    description = maybe(Str)
    author = Str(required=True)
    status = Str(required=True)
    video_url = maybe(Str, required=True)
    small_video_url = maybe(
        Str,
        required=True,
        metadata={
            "description": "the 540p rendition (at most about 0.7 Mbit/s) for slow networks and "
            "Data saver; null until it is made"
        },
    )
    poster_url = maybe(Str, required=True)
    duration = maybe(Float)
    width = maybe(Int)
    height = maybe(Int)
    created_at = when(required=True)
    rating = fields.Nested(Summary, required=True)
    pending = fields.Nested(Pending, allow_none=True)
    finalist = Bool()
    comments = Int()
    answers = maybe(Int, metadata={"description": "the entry this one answers"})
    answered_by = fields.List(Int(), metadata={"description": "live entries answering it"})
    following_author = Bool(
        metadata={"description": "the signed-in fan follows the author (one entry, judge mode)"}
    )
    my_rating = maybe(Int)
    counts_from = maybe(when)
    status_reason = maybe(Str)
    staff_pick = Bool()


class EntryPage(Schema):
    entries = fields.List(fields.Nested(Entry), required=True)
    has_more = Bool(required=True)
    sort = Str()


class JudgeQueue(Schema):
    entries = fields.List(fields.Nested(Entry), required=True)
    judged = maybe(Int, required=True, metadata={"description": "null for anonymous visitors"})
    total = Int(required=True)


class RatingAnswer(Schema):
    rating = fields.Nested(Summary, required=True)
    my_rating = maybe(Int, required=True)
    counts_from = maybe(when)


class Standing(Schema):
    entry_id = Int(required=True)
    title = Str()
    author = Str()
    rank = Int(required=True)
    score = Float(required=True)
    average = Float()
    count = Int(required=True)
    stage = Str()
    medal = maybe(Str)


class EntryRef(Schema):
    entry_id = Int(required=True)
    title = Str(required=True)
    author = Str(required=True)


class ThemeCredit(Schema):
    id = Int(required=True)
    title = Str(required=True)
    proposed_by = fields.Dict(required=True, metadata={"description": '{"username"}'})


class Sponsor(Schema):
    name = Str(required=True)
    url = maybe(Str)
    logo_url = maybe(Str)
    pick = Bool(metadata={"description": "staff picks are labelled as the sponsor's pick"})


class Round(Schema):
    id = Int(required=True)
    slug = Str(required=True)
    url = Str(required=True, metadata={"description": "the round's page"})
    title = Str(required=True)
    brief = maybe(Str)
    phase = Str(required=True)
    requires_approval = Bool()
    blind_hours = Int()
    prize = maybe(Str)
    cover_url = maybe(Str)
    blind = Bool()
    submissions_open_at = when(required=True)
    submissions_close_at = when(required=True)
    voting_open_at = when(required=True)
    voting_close_at = when(required=True)
    has_finals = Bool()
    finals_open_at = maybe(when)
    finals_close_at = maybe(when)
    finalists_at = maybe(when)
    closed_at = maybe(when)
    excluded_ratings = maybe(Int)
    published_at = maybe(when)
    theme = fields.Nested(ThemeCredit, allow_none=True, metadata={"description": "the fans' theme"})
    sponsor = fields.Nested(Sponsor, allow_none=True)


class RoundDetail(Round):
    leaderboard = fields.List(fields.Nested(Standing), required=True)
    results = fields.List(fields.Nested(Standing))
    finalists = fields.List(fields.Nested(EntryRef))
    staff_picks = fields.List(fields.Nested(EntryRef))


class RoundList(Schema):
    rounds = fields.List(fields.Nested(Round), required=True)


class RoundResults(Schema):
    round = fields.Nested(Round, required=True)
    results = fields.List(fields.Nested(Standing), required=True)


class RoundFinalists(Schema):
    round = fields.Nested(Round, required=True)
    finalists = fields.List(fields.Nested(EntryRef), required=True)


class PartTarget(Schema):
    number = Int(required=True)
    url = Str(required=True)
    method = Str(required=True)


class StoredPart(Schema):
    number = Int(required=True)
    size = Int()
    etag = maybe(Str)


class UploadStarted(Schema):
    entry_id = Int(required=True)
    upload_id = Str(required=True)
    part_size = Int(required=True)
    part_count = Int(required=True)
    parts = fields.List(fields.Nested(PartTarget), required=True)


class UploadState(Schema):
    upload_id = Str(required=True)
    entry_id = Int(required=True)
    status = Str(required=True)
    completed = Bool(required=True)
    size = Int(required=True)
    part_size = Int(required=True)
    part_count = Int(required=True)
    parts = fields.List(fields.Nested(StoredPart), required=True)
    missing = fields.List(Int(), required=True)
    targets = fields.List(fields.Nested(PartTarget), required=True)


class PartStored(Schema):
    number = Int(required=True)
    etag = Str(required=True)


class UploadCompleted(Schema):
    entry_id = Int(required=True)
    status = Str(required=True)
