"""What the community and moderation operations answer: comments, profiles, follows,
notifications, reports, the moderation queue and the audit log."""

from marshmallow import Schema, fields

from contest.api.outputs import Bool, Entry, Float, Int, Str, maybe, when


class Comment(Schema):
    id = Int(required=True)
    entry_id = Int(required=True)
    author = Str(required=True)
    body = Str(required=True)
    html = Str(required=True, metadata={"description": "the body, escaped, @mentions linked"})
    created_at = when(required=True)
    avatar_url = maybe(Str)
    likes = Int()
    liked = Bool(metadata={"description": "the signed-in fan likes it"})


class CommentLikeAnswer(Schema):
    id = Int(required=True)
    likes = Int(required=True)
    liked = Bool(required=True)


class CommentPage(Schema):
    comments = fields.List(fields.Nested(Comment), required=True)
    has_more = Bool(required=True)


class ProfileCounts(Schema):
    followers = Int()
    following = Int()
    entries = Int()
    ratings_given = Int()
    invited = Int(metadata={"description": "fans who joined through their invite"})


class Medal(Schema):
    medal = Str()
    round = Str()
    entry_id = Int()


class ProfileEntry(Schema):
    id = Int()
    title = Str()
    round = Str()
    rank = maybe(Int)
    score = maybe(Float)


class Profile(Schema):
    username = Str(required=True)
    display_name = maybe(Str)
    bio = maybe(Str)
    country = maybe(Str)
    favourite_position = maybe(Str)
    favourite_club = maybe(Str)
    avatar_url = maybe(Str)
    counts = fields.Nested(ProfileCounts)
    medals = fields.List(fields.Nested(Medal))
    themes = fields.List(
        fields.Dict(), metadata={"description": "selected themes: {id, title, month}"}
    )
    entries = fields.List(fields.Nested(ProfileEntry))
    following = Bool()


class Avatar(Schema):
    avatar_url = maybe(Str, required=True)


class FollowAnswer(Schema):
    username = Str(required=True)
    following = Bool(required=True)
    followers = Int(required=True)


class Suggestion(Schema):
    username = Str(required=True)
    display_name = maybe(Str)
    avatar_url = maybe(Str)


class Suggestions(Schema):
    users = fields.List(fields.Nested(Suggestion), required=True)


class Notification(Schema):
    id = Int(required=True)
    kind = Str(required=True)
    text = Str(required=True)
    url = maybe(Str)
    created_at = when(required=True)
    read = Bool(required=True)


class Notifications(Schema):
    notifications = fields.List(fields.Nested(Notification), required=True)
    unread = Int(required=True)


class Unread(Schema):
    unread = Int(required=True)


class Settings(Schema):
    """{kind: "in_app" | "digest"} for every notification kind."""

    class Meta:
        unknown = "include"


class Report(Schema):
    id = Int(required=True)
    status = Str(required=True)


class Ok(Schema):
    ok = Bool(required=True)


class ModeratedUser(Schema):
    username = Str(required=True)
    banned = Bool(required=True)
    trusted = Bool(required=True)


class ReportLine(Schema):
    reason = Str()
    text = maybe(Str)
    reporter = Str()


class Reported(Schema):
    type = Str()
    id = Int()
    reports = fields.List(fields.Nested(ReportLine))


class Flag(Schema):
    id = Int()
    entry_id = Int()
    kind = Str()
    evidence = maybe(Str)


class Queue(Schema):
    pending = fields.List(fields.Nested(Entry), required=True)
    reported = fields.List(fields.Nested(Reported), required=True)
    flags = fields.List(fields.Nested(Flag), required=True)


class Action(Schema):
    id = Int()
    moderator = maybe(Str)
    action = Str()
    target_type = Str()
    target_id = maybe(Int)
    reason = maybe(Str)
    at = when()


class AuditLog(Schema):
    actions = fields.List(fields.Nested(Action), required=True)


class Insights(Schema):
    round = fields.Dict(
        allow_none=True, required=True, metadata={"description": "one round's numbers"}
    )
    across = fields.List(fields.Dict(), required=True)
    themes = fields.List(fields.Dict(), required=True)
    places = fields.Dict(required=True, metadata={"description": "countries and clubs"})
    as_of = fields.String(
        required=True,
        metadata={
            "format": "date-time",
            "description": "when these numbers were computed: a closed round's are final, "
            "the others are at most INSIGHTS_MAX_AGE (an hour) old",
        },
    )
