"""The OpenAPI 3 description of /api/v1, served at /api/v1/openapi.json."""

from flask import jsonify

from contest.api import bp

ERROR = {"$ref": "#/components/responses/Error"}


def _op(summary, who="anyone", body=None, ok="200", errors=(), params=()):
    op = {"summary": summary, "x-who": who, "responses": {ok: {"description": "success"}}}
    for status in errors:
        op["responses"][str(status)] = ERROR
    if body:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "properties": body}}},
        }
    if params:
        op["parameters"] = [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
            for p in params
        ]
    return op


STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
TIME = {"type": "string", "format": "date-time"}
ROUND_BODY = {
    "title": STR,
    "brief": STR,
    "slug": STR,
    "submissions_open_at": TIME,
    "submissions_close_at": TIME,
    "voting_open_at": TIME,
    "voting_close_at": TIME,
    "requires_approval": BOOL,
    "blind_hours": INT,
    "prize": STR,
    "finals_open_at": TIME,
    "finals_close_at": TIME,
}

PATHS = {
    "/csrf": {"get": _op("A CSRF token for the X-CSRFToken header")},
    "/auth/register": {
        "post": _op(
            "Create an account and sign in",
            ok="201",
            body={"username": STR, "email": STR, "password": STR},
            errors=(400, 403, 409, 422, 429),
        )
    },
    "/auth/login": {
        "post": _op(
            "Sign in with username or email",
            body={"login": STR, "password": STR},
            errors=(400, 401, 403, 422, 429),
        )
    },
    "/auth/verify/resend": {
        "post": _op("Send the email verification link again", who="user", errors=(401, 403, 429))
    },
    "/auth/logout": {"post": _op("Sign out", who="user", ok="204", errors=(401, 403))},
    "/me": {
        "get": _op("The signed-in account", who="user", errors=(401,)),
        "patch": _op(
            "Edit one's profile",
            who="user",
            errors=(400, 401, 403, 422),
            body={
                "display_name": STR,
                "bio": STR,
                "country": STR,
                "favourite_position": STR,
                "favourite_club": STR,
                "language": {
                    "type": "string",
                    "enum": ["", "en", "id", "th", "zh_Hans"],
                    "description": "interface language; empty follows the browser",
                },
            },
        ),
    },
    "/rounds": {
        "get": _op("All rounds with their phases"),
        "post": _op(
            "Create a round",
            who="moderator",
            ok="201",
            body=ROUND_BODY,
            errors=(400, 401, 403, 409, 422),
        ),
    },
    "/rounds/{round_id}": {
        "get": _op(
            "A round with its live leaderboard (and results once public)",
            params=["round_id"],
            errors=(404,),
        ),
        "patch": _op(
            "Edit a round; closed rounds keep their windows",
            who="moderator",
            body=ROUND_BODY,
            params=["round_id"],
            errors=(400, 401, 403, 404, 409, 422),
        ),
    },
    "/rounds/{round_id}/judge": {
        "get": _op(
            "Judge mode's next clips: ?limit=1..50 (10) and ?skip=<ids> -> {entries, judged,"
            " total}; fewest counted ratings first, never the fan's own or already rated"
            " (anonymous: shuffled, judged null)",
            params=["round_id"],
            errors=(400, 404, 409, 422),
        )
    },
    "/rounds/{round_id}/cover": {
        "put": _op(
            "Upload a round's cover picture (multipart field `cover` or raw bytes)",
            who="moderator",
            params=["round_id"],
            errors=(401, 403, 404, 413, 415, 422),
        )
    },
    "/rounds/{round_id}/close": {
        "post": _op(
            "Freeze the ranking into results",
            who="moderator",
            body={"force": BOOL},
            params=["round_id"],
            errors=(400, 401, 403, 404, 409),
        )
    },
    "/rounds/{round_id}/finalists": {
        "post": _op(
            "Shortlist the finalists (after the main vote, before the finals open)",
            who="moderator",
            body={"entry_ids": {"type": "array", "items": INT}, "reason": STR},
            params=["round_id"],
            errors=(400, 401, 403, 404, 409, 422),
        )
    },
    "/rounds/{round_id}/publish": {
        "post": _op(
            "Make the results public",
            who="moderator",
            params=["round_id"],
            errors=(401, 403, 404, 409),
        )
    },
    "/uploads": {
        "post": _op(
            "Start uploading an entry (or a new file for an own failed entry: entry_id)",
            who="user",
            ok="201",
            body={
                "entry_id": INT,
                "round_id": INT,
                "title": STR,
                "description": STR,
                "filename": STR,
                "size": INT,
                "content_type": STR,
            },
            errors=(400, 401, 403, 404, 409, 413, 415, 422, 429),
        )
    },
    "/uploads/{upload_id}": {
        "delete": _op(
            "Cancel an unfinished upload (its entry goes too)",
            who="uploader",
            ok="204",
            params=["upload_id"],
            errors=(401, 404, 409, 503),
        ),
        "get": _op(
            "Which parts are stored, to resume",
            who="uploader",
            params=["upload_id"],
            errors=(401, 404),
        ),
    },
    "/uploads/{upload_id}/parts/{number}": {
        "put": {
            **_op(
                "Send one part as raw bytes (local storage)",
                who="uploader",
                params=["upload_id", "number"],
                errors=(400, 401, 403, 404, 409, 413),
            ),
            "requestBody": {
                "required": True,
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            },
        }
    },
    "/uploads/{upload_id}/complete": {
        "post": _op(
            "Finish the upload and start processing",
            who="uploader",
            ok="202",
            body={"parts": {"type": "array"}},
            params=["upload_id"],
            errors=(400, 401, 404, 409),
        )
    },
    "/entries/{entry_id}": {"get": _op("One entry", params=["entry_id"], errors=(404,))},
    "/entries/{entry_id}/rating": {
        "put": _op(
            "Rate an entry 1-5 stars",
            who="user",
            body={"stars": INT},
            params=["entry_id"],
            errors=(400, 401, 403, 404, 409, 422, 429),
        ),
        "delete": _op(
            "Withdraw one's rating", who="user", params=["entry_id"], errors=(401, 403, 404, 409)
        ),
    },
    "/openapi.json": {"get": _op("This document")},
    "/entries/{entry_id}/reports": {
        "post": _op(
            "Report an entry (reason: spam|abuse|not_football|copyright|other, text)",
            who="user",
            ok="201",
            body={"reason": STR, "text": STR},
            params=["entry_id"],
            errors=(400, 401, 403, 404, 409, 422, 429),
        )
    },
    "/comments/{comment_id}/reports": {
        "post": _op(
            "Report a comment",
            who="user",
            ok="201",
            body={"reason": STR, "text": STR},
            params=["comment_id"],
            errors=(400, 401, 403, 404, 409, 422, 429),
        )
    },
    "/moderation/entries/{entry_id}": {
        "post": _op(
            "approve|reject|hide|restore|disqualify an entry (audited)",
            who="moderator",
            body={"action": STR, "reason": STR},
            params=["entry_id"],
            errors=(400, 401, 403, 404, 409, 422),
        )
    },
    "/moderation/comments/{comment_id}": {
        "post": _op(
            "delete|hide|restore a comment (audited)",
            who="moderator",
            body={"action": STR, "reason": STR},
            params=["comment_id"],
            errors=(400, 401, 403, 404, 422),
        )
    },
    "/moderation/users/{username}": {
        "post": _op(
            "ban|unban|trust|untrust a fan (audited)",
            who="moderator",
            body={"action": STR, "reason": STR},
            params=["username"],
            errors=(400, 401, 403, 404, 409, 422),
        )
    },
    "/moderation/queue": {
        "get": _op("Pending and reported items", who="moderator", errors=(401, 403))
    },
    "/moderation/log": {
        "get": _op("The audit log, newest first", who="moderator", errors=(401, 403))
    },
    "/me/avatar": {
        "put": _op(
            "Upload an avatar (multipart field `avatar` or raw image bytes)",
            who="user",
            errors=(401, 403, 413, 415, 422, 429),
        )
    },
    "/users/{username}": {
        "get": _op(
            "A fan's profile: details, counts, medals, entries", params=["username"], errors=(404,)
        )
    },
    "/users/{username}/follow": {
        "post": _op(
            "Follow a fan", who="user", params=["username"], errors=(401, 403, 404, 409, 429)
        ),
        "delete": _op(
            "Stop following a fan", who="user", params=["username"], errors=(401, 403, 404, 409)
        ),
    },
    "/users/suggested": {"get": _op("Fans to follow: recent winners, the most followed")},
    "/feed": {
        "get": _op("Latest entries of followed fans (?page=)", who="user", errors=(401, 422))
    },
    "/rounds/{round_id}/entries": {
        "get": _op(
            "A round's entries (?sort=shuffle|top|new|most_rated|needs_votes&page=)",
            params=["round_id"],
            errors=(404, 422),
        )
    },
    "/entries/{entry_id}/comments": {
        "get": _op("Comments, newest first (?page=)", params=["entry_id"], errors=(404, 422)),
        "post": _op(
            "Comment on a live entry",
            who="user",
            ok="201",
            body={"body": STR},
            params=["entry_id"],
            errors=(400, 401, 403, 404, 409, 422, 429),
        ),
    },
    "/comments/{comment_id}": {
        "delete": _op(
            "Delete one's own comment",
            who="user",
            ok="204",
            params=["comment_id"],
            errors=(401, 403, 404),
        )
    },
    "/notifications": {
        "get": _op("Notifications, newest first, and the unread count", who="user", errors=(401,))
    },
    "/notifications/read": {"post": _op("Mark all as read", who="user", errors=(401, 403))},
    "/notifications/settings": {
        "get": _op("Per kind: in_app or digest", who="user", errors=(401,)),
        "put": _op("Choose in_app or digest per kind", who="user", errors=(400, 401, 403, 422)),
    },
}

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Ginga API", "version": "1"},
    "servers": [{"url": "/api/v1"}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
        },
        "responses": {
            "Error": {
                "description": "An error",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "error": {
                                    "type": "object",
                                    "properties": {"code": STR, "message": STR},
                                }
                            },
                        }
                    }
                },
            }
        },
    },
}


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(DOCUMENT)
