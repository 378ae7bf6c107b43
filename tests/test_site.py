"""The demo seed, the OpenAPI document, and pages that escape what fans type."""

import re

import sqlalchemy as sa

from contest.extensions import db
from contest.models import Entry, Round, User


def test_demo_seed_fills_an_empty_site_once(runner, app, client):
    app.config["MIN_ACCOUNT_AGE_HOURS"] = 24  # as on a real site: young ratings wait a day
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 9
        statuses = db.session.scalars(sa.select(Entry.status)).all()
        assert statuses and set(statuses) == {"live"}
        published = db.session.scalars(
            sa.select(Round).where(Round.published_at.is_not(None))
        ).all()
        assert len(published) == 1 and published[0].results
        # the seeded fans are old enough: the past round has real counts and real winners
        assert published[0].excluded_ratings == 0
        assert all(result.count > 0 for result in published[0].results)
        shapes = {(e.width > e.height) for e in db.session.scalars(sa.select(Entry))}
        assert shapes == {True, False}  # landscape and upright clips, as phones film them
        titles = db.session.scalars(sa.select(Entry.title)).all()
        assert len(titles) == len(set(titles))  # every clip's title is its own, across rounds
        scores = [r.score for r in published[0].results]
        assert len(scores) == len(set(scores))  # the places differ in their numbers
        running = db.session.scalar(sa.select(Round).where(Round.title == "Skill of the month"))
        authors = db.session.scalars(
            sa.select(Entry.author_id).where(Entry.round_id == running.id)
        ).all()
        assert len(authors) >= 20 and len(set(authors)) >= 6
        past_id = published[0].id
    # push works out of the box: the demo site has its own key pair
    assert "made web push keys" in result.output.lower()
    assert client.get("/api/v1/push/key").status_code == 200
    shown = client.get(f"/api/v1/rounds/{past_id}").get_json()
    assert shown["leaderboard"] == shown["results"] and shown["results"][0]["medal"] == "gold"
    assert "0 ratings" not in client.get("/hall-of-fame").data.decode()
    home = client.get("/").data.decode()
    assert "Skill of the month" in home and "Street skills classic" in home
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code != 0 and "already has users" in again.output
    quiet = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert quiet.exit_code == 0 and "no demo data added" in quiet.output


def test_openapi_documents_every_api_route(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    names = [
        op["operationId"] for path in paths.values() for op in path.values() if "responses" in op
    ]
    assert len(names) == len(set(names)) > 50  # every operation named, once
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", n) for n in names), names
    assert {"judgeQueue", "putRating", "moderationInsights"} <= set(names)
    areas = {"auth", "community", "crews", "entries", "moderation", "push", "rounds", "themes"}
    tags = [op["tags"] for path in paths.values() for op in path.values() if "responses" in op]
    assert all(len(t) == 1 for t in tags) and {t[0] for t in tags} >= areas | {"uploads"}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs"):
            continue
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        assert path in paths, f"{rule.rule} is not in openapi.json"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = paths[path][method.lower()]
            answers = operation["responses"]
            assert "default" in answers, f"{method} {rule.rule}: errors are not documented"
            ok = [s for s in answers if s.startswith("2")]
            assert ok, f"{method} {rule.rule} has no success answer"
            for status in ok:
                if status != "204":
                    assert answers[status]["content"]["application/json"]["schema"], status
        for parameter in paths[path].get("parameters", []):
            if f"<int:{parameter['name']}>" in rule.rule:
                assert parameter["schema"]["type"] == "integer", (rule.rule, parameter)
    error = document["components"]["schemas"]["ErrorDetail"]
    assert set(error["required"]) == {"code", "message"}


def test_fan_text_is_escaped_everywhere(api, make_user, make_round, make_entry, client):
    author = make_user("author")
    round_ = make_round("open", title="<b>Bold</b> round")
    make_entry(
        round_.id,
        author.id,
        title='<script>alert("x")</script>',
        description="<img src=x onerror=alert(1)>",
    )
    page = client.get(f"/rounds/{round_.slug}").data.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<b>Bold</b>" not in page and "&lt;b&gt;Bold" in page


def test_entry_page_escapes_and_has_share_tags(make_user, make_round, make_entry, client):
    author = make_user("author")
    entry = make_entry(
        make_round("open").id,
        author.id,
        title='"><script>x()</script>',
        description="<img src=x onerror=alert(1)>",
    )
    page = client.get(f"/entries/{entry.id}").data.decode()
    assert "<script>x()" not in page and "<img src=x" not in page
    assert 'property="og:title"' in page and "playsinline" in page


def test_pages_answer_for_a_phone(client, make_round):
    make_round("open")
    for path in ("/", "/hall-of-fame", "/login", "/register"):
        page = client.get(path, headers={"User-Agent": "Mozilla/5.0 (iPhone)"})
        assert page.status_code == 200
        assert b"width=device-width" in page.data


def test_missing_pages_are_friendly(client):
    page = client.get("/rounds/nope")
    assert page.status_code == 404 and b"Not found" in page.data
    assert client.get("/entries/424242").status_code == 404
