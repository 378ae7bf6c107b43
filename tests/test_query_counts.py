"""Pages and API answers run as many SQL statements for 100 items as for 10.

Each case measures the statements of one request with a small season (10 clips, comments,
ratings, follows, notifications, crews) and again after it grew tenfold: a count that grows
with the items shown is a query per item (an N+1) and fails here."""

import itertools
import os

import pytest
import sqlalchemy as sa
from helpers import sql_statements

from contest.extensions import db
from contest.models import (
    Comment,
    Crew,
    CrewMember,
    Entry,
    Follow,
    Notification,
    Rating,
    Theme,
    ThemeVote,
)
from contest.rounds import ratings
from contest.themes.windows import current_month

_names = itertools.count()


def _grow(app, make_user, round_id, past_round_id, star, count):
    """count more fans with a clip in each round, rating, commenting, following the star,
    in crews, proposing and voting themes, and notifying the star."""
    new = [make_user(f"fan{next(_names)}").id for _ in range(count)]
    with app.app_context():
        month = current_month()
        entries = []
        for i, fan in enumerate(new):
            for rid in (round_id, past_round_id):
                entry = Entry(
                    round_id=rid,
                    author_id=fan,
                    title=f"Clip {fan}",
                    status="live",
                    video_key=f"rounds/{rid}/fake/{fan}.mp4",
                    poster_key=f"rounds/{rid}/fake/{fan}.jpg",
                    width=360,
                    height=640,
                    duration=12.0,
                )
                db.session.add(entry)
                entries.append(entry)
            db.session.add(Follow(follower_id=fan, followed_id=star.id))
            db.session.add(Follow(follower_id=star.id, followed_id=fan))
            db.session.add(Notification(user_id=star.id, kind="follow", text=f"fan {fan} follows"))
            if i % 5 == 0:
                crew = Crew(
                    name=f"Crew {fan}", name_key=f"crew {fan}", slug=f"crew-{fan}", captain_id=fan
                )
                db.session.add(crew)
                db.session.flush()
            db.session.add(CrewMember(crew_id=crew.id, user_id=fan, status="member"))
            theme = Theme(month=month, proposer_id=fan, title=f"Theme {fan}")
            db.session.add(theme)
            db.session.flush()
            db.session.add(ThemeVote(theme_id=theme.id, user_id=star.id))
        db.session.flush()
        target = db.session.scalar(
            sa.select(Entry).where(Entry.author_id == star.id, Entry.round_id == round_id)
        )
        for fan in new:
            db.session.add(Comment(entry_id=target.id, author_id=fan, body=f"Nice one {fan}"))
            db.session.add(Rating(user_id=fan, entry_id=target.id, stars=4))
        for entry in entries:
            for voter in new[:3]:
                if voter != entry.author_id:
                    db.session.add(Rating(user_id=voter, entry_id=entry.id, stars=3))
        db.session.flush()
        ratings.resync([e.id for e in entries] + [target.id])
        # distinct aggregates: no tie at the leaderboard's cut (a tie reads the tied band, one
        # statement more whatever the round's size: tests/test_standings.py)
        for entry in entries:
            entry.rating_count, entry.rating_sum = 3 + entry.id, 3 * (3 + entry.id) + 1
        db.session.commit()
        return target.id


@pytest.fixture
def season(app, make_user, make_round, new_api):
    make_user("moderator", role="moderator")
    star = make_user("star")
    running = make_round("voting", title="Running")
    past = make_round("voting", title="Past")
    with app.app_context():
        db.session.add(
            Entry(
                round_id=running.id,
                author_id=star.id,
                title="Star clip",
                status="live",
                video_key="rounds/x/star.mp4",
            )
        )
        db.session.commit()
    grow = lambda count: _grow(app, make_user, running.id, past.id, star, count)  # noqa: E731
    return running, past, star, grow


def _statements(app, client, path):
    with sql_statements(app) as seen:
        answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code, answer.data[:300])
    if os.environ.get("SHOW_SQL") and os.environ["SHOW_SQL"] == path.split("/")[1]:
        print(f"=== {path}\n" + "\n".join(" ".join(s.split())[-300:] for s in seen))
    return len(seen)


def test_no_page_or_answer_runs_a_query_per_item(app, season, new_api):
    running, past, star, grow = season
    target = grow(10)
    mod = new_api("moderator")
    closed = mod.post(f"/api/v1/rounds/{past.id}/close", {"force": True})
    assert closed.status_code == 200, closed.get_json()
    assert mod.post(f"/api/v1/rounds/{past.id}/publish").status_code == 200
    fan = new_api("star")
    visitor = new_api()
    slug = running.slug
    cases = {
        "home": "/",
        "round": f"/rounds/{slug}",
        "round, newest": f"/rounds/{slug}?sort=new",
        "judge page": f"/rounds/{slug}/judge",
        "judge queue": f"/api/v1/rounds/{running.id}/judge?limit=10",
        "entries API": f"/api/v1/rounds/{running.id}/entries?sort=new",
        "entry page": f"/entries/{target}",
        "entry API": f"/api/v1/entries/{target}",
        "comments API": f"/api/v1/entries/{target}/comments",
        "profile": "/u/star",
        "feed": "/feed",
        "notifications": "/notifications",
        "hall of fame": "/hall-of-fame",
        "results": f"/rounds/{past.slug}/results",
        "crews board": f"/rounds/{slug}/crews",
        "crews": "/crews",
        "themes": "/themes",
        "moderation queue": "/moderation/",
        "rounds API": "/api/v1/rounds",
        "round API": f"/api/v1/rounds/{running.id}",
        "profile API": "/api/v1/users/star",
        "feed API": "/api/v1/feed",
        "moderation queue API": "/api/v1/moderation/queue",
        "notifications API": "/api/v1/notifications",
        "insights": f"/moderation/insights?round_id={running.id}",
    }
    who = {"moderation queue": mod, "moderation queue API": mod, "insights": mod}
    signed_in_only = {"feed", "notifications", "feed API", "notifications API"}

    def measure():
        counts = {}
        for name, path in cases.items():
            counts[name] = [_statements(app, who.get(name, fan).client, path)]
            if name not in who and name not in signed_in_only:
                counts[name].append(_statements(app, visitor.client, path))
        return counts

    before = measure()
    grow(90)
    after = measure()
    grew = {
        name: (before[name], after[name])
        for name in cases
        if any(late > early for early, late in zip(before[name], after[name], strict=True))
    }
    if grew:
        print("GREW", sorted(grew.items()))
    assert grew == {}, sorted(grew.items())
