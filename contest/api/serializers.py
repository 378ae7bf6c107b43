"""The JSON of rounds, standings, comments, profiles, notifications and accounts.

Faces turn models into JSON here (the shapes are declared in outputs.py); rules never do.
"""

from contest import links
from contest.community import follows
from contest.rounds.phases import FINALS_FIELDS, WINDOW_FIELDS, has_finals, is_blind, phase


def _iso(value):
    return value.isoformat() if value else None


def round_to_dict(round_):
    return {
        "id": round_.id,
        "slug": round_.slug,
        "url": links.url("main.round_page", slug=round_.slug),
        "title": round_.title,
        "brief": round_.brief,
        "phase": phase(round_),
        "requires_approval": round_.requires_approval,
        "blind_hours": round_.blind_hours,
        "prize": round_.prize,
        "cover_url": links.url("main.round_cover", slug=round_.slug) if round_.cover_key else None,
        "blind": is_blind(round_),
        **{f: getattr(round_, f).isoformat() for f in WINDOW_FIELDS},
        "has_finals": has_finals(round_),
        **{f: _iso(getattr(round_, f)) for f in FINALS_FIELDS + ("finalists_at",)},
        "closed_at": _iso(round_.closed_at),
        "excluded_ratings": round_.excluded_ratings if round_.closed_at else None,
        "published_at": _iso(round_.published_at),
        "theme": theme_credit(round_.theme),
        "sponsor": sponsor_to_dict(round_),
    }


def theme_credit(theme):
    """The credit a round gives the fan whose theme it took."""
    if theme is None:
        return None
    return {
        "id": theme.id,
        "title": theme.title,
        "proposed_by": {"username": links.fan_name(theme.proposer)},
    }


def sponsor_to_dict(round_):
    if not round_.sponsor_name:
        return None
    logo = links.url("main.sponsor_logo", slug=round_.slug) if round_.sponsor_logo_key else None
    return {
        "name": round_.sponsor_name,
        "url": round_.sponsor_url or None,
        "logo_url": logo,
        "pick": round_.sponsor_pick,
    }


def theme_to_dict(theme, voted=False):
    example = theme.example
    return {
        "id": theme.id,
        "month": theme.month,
        "title": theme.title,
        "brief": theme.brief,
        "votes": theme.votes,
        "my_vote": voted,
        "proposed_by": {"username": links.fan_name(theme.proposer)},
        "status": theme.status,
        "example": {
            "entry_id": example.id,
            "title": example.title,
            "poster_url": links.url("entries.poster", entry_id=example.id)
            if example.poster_key
            else None,
        }
        if example is not None and example.status == "live"
        else None,
    }


def standing_to_dict(standing):
    """One row of a live leaderboard."""
    return {
        "entry_id": standing.entry.id,
        "title": standing.entry.title,
        "author": links.fan_name(standing.entry.author),
        "rank": standing.rank,
        "score": round(standing.score, 4),
        "average": round(standing.average, 3),
        "count": standing.count,
        "stage": standing.stage,
    }


def result_to_dict(result):
    """One row of a round's frozen results."""
    return {
        "entry_id": result.entry_id,
        "title": result.entry.title,
        "author": links.fan_name(result.entry.author),
        "rank": result.rank,
        "score": round(result.score, 4),
        "average": round(result.average, 3),
        "count": result.count,
        "stage": result.stage,
        "medal": result.medal,
    }


def comment_to_dict(comment, liked=False):
    return {
        "id": comment.id,
        "entry_id": comment.entry_id,
        "author": links.fan_name(comment.author),
        "avatar_url": links.avatar_url(comment.author),
        "body": comment.body,
        "html": str(links.render_comment(comment.body)),
        "created_at": comment.created_at.isoformat(),
        "likes": comment.likes,
        "liked": liked,
    }


def notification_to_dict(note):
    return {
        "id": note.id,
        "kind": note.kind,
        "text": note.display_text,
        "url": links.notification_url(note),
        "created_at": note.created_at.isoformat(),
        "read": note.read_at is not None,
    }


def user_to_dict(user, private=False):
    data = {"id": user.id, "username": user.username, "role": user.role, "display_name": user.name}
    if private:
        data.update(
            email=user.email,
            email_verified=user.email_verified_at is not None,
            created_at=user.created_at.isoformat(),
            bio=user.bio,
            country=user.country,
            language=user.language,
            data_saver=user.data_saver,
        )
    return data


def profile_to_dict(data, viewer=None):
    user = data["user"]
    return {
        "username": user.username,
        "display_name": user.name,
        "bio": user.bio,
        "country": user.country,
        "favourite_position": user.favourite_position,
        "favourite_club": user.favourite_club,
        "avatar_url": links.avatar_url(user),
        "counts": {
            "followers": data["followers"],
            "following": data["following"],
            "entries": len(data["entries"]),
            "ratings_given": data["ratings_given"],
            "invited": data.get("invited", 0),
        },
        "themes": [
            {"id": t.id, "title": t.title, "month": t.month} for t in data.get("themes", [])
        ],
        "medals": [
            {"medal": m["medal"], "round": m["round"].title, "entry_id": m["entry"].id}
            for m in data["medals"]
        ],
        "entries": [
            {
                "id": r["entry"].id,
                "title": r["entry"].title,
                "round": r["entry"].round.title,
                "rank": r["rank"],
                "score": round(r["score"], 4) if r["score"] is not None else None,
            }
            for r in data["entries"]
        ],
        "following": follows.is_following(viewer, user) if viewer is not None else False,
    }
