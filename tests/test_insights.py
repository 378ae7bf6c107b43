"""Insights for the organiser: the numbers equal counts taken straight from the rows; the
page draws them as SVG charts and exports them as CSV; fans are refused."""

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from contest.extensions import db
from contest.models import Entry, Rating, Theme, User, utcnow
from contest.rounds import ratings


@pytest.fixture
def world(app, make_user, make_round, make_entry):
    make_user("mod", role="moderator")
    fans = [make_user(f"fan{i}") for i in range(6)]
    old = make_round("closed", slug="2026-10", title="October")
    new = make_round("open", slug="2026-11", title="November")
    with app.app_context():
        for i, fan in enumerate(fans):
            user = db.session.get(User, fan.id)
            user.country = ["Brazil", "Thailand", "Brazil", "Indonesia", "", "Brazil"][i]
            user.favourite_club = ["Santos", "", "Santos", "Persib", "Persib", "Flamengo"][i]
        db.session.commit()
    now = utcnow()
    old_entries = [make_entry(old.id, fans[0].id), make_entry(old.id, fans[1].id)]
    new_entries = [
        make_entry(new.id, fans[1].id, created_at=now - timedelta(days=2)),
        make_entry(new.id, fans[2].id, created_at=now - timedelta(days=1)),
        make_entry(new.id, fans[3].id, created_at=now - timedelta(days=1)),
        make_entry(new.id, fans[4].id, status="rejected"),  # never submitted
    ]
    with app.app_context():
        for fan in fans[2:4]:  # October: two judges
            for entry in old_entries:
                db.session.add(Rating(user_id=fan.id, entry_id=entry.id, stars=4))
        # November: fans 0..5 rate the first clip (6 ratings: it reaches 5), 0..1 the second
        for day, fan in enumerate(fans):
            db.session.add(
                Rating(
                    user_id=fan.id,
                    entry_id=new_entries[0].id,
                    stars=5,
                    created_at=now - timedelta(days=day % 2),
                )
            )
        for fan in fans[:2]:
            db.session.add(Rating(user_id=fan.id, entry_id=new_entries[1].id, stars=3))
        db.session.flush()
        ratings.resync([e.id for e in old_entries + new_entries])  # the live aggregates
        db.session.add(Theme(month="2026-11", proposer_id=fans[0].id, title="A", votes=4))
        db.session.add(Theme(month="2026-11", proposer_id=fans[1].id, title="B", votes=1))
        db.session.commit()
    return {"old": old, "new": new, "fans": fans}


def rows(app, query):
    with app.app_context():
        return db.session.execute(query).all()


def test_the_numbers_equal_counts_from_the_rows(app, world, new_api):
    mod = new_api("mod")
    answer = mod.get(f"/api/v1/moderation/insights?round_id={world['new'].id}")
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()
    numbers = data["round"]
    november = sa.select(Entry.id).where(Entry.round_id == world["new"].id)
    rated = rows(app, sa.select(Rating.user_id).where(Rating.entry_id.in_(november)))
    assert numbers["ratings"] == len(rated) == 8
    assert numbers["judges"] == len({r.user_id for r in rated}) == 6
    assert numbers["entries"] == 3 and numbers["live_entries"] == 3  # the rejected one not
    assert numbers["clips_at_target"] == 1
    assert numbers["clips_at_target_share"] == pytest.approx(1 / 3)
    assert numbers["judging_completion"] == pytest.approx(8 / (6 * 3))
    assert sum(n for _, n in numbers["ratings_per_day"]) == 8
    assert len(numbers["ratings_per_day"]) == 2
    assert [n for _, n in numbers["uploads_per_day"]] == [1, 2]
    across = {r["slug"]: r for r in data["across"]}
    # October: fans 0, 1 uploaded, 2, 3 judged; November: 1..4 uploaded or rated and all six
    # rated: 0..3 returned, 4 and 5 are new
    assert across["2026-10"]["fans"] == 4 and across["2026-10"]["new_fans"] == 4
    assert across["2026-11"]["fans"] == 6
    assert across["2026-11"]["returning_fans"] == 4 and across["2026-11"]["new_fans"] == 2
    assert across["2026-11"]["theme_proposals"] == 2 and across["2026-11"]["theme_votes"] == 5
    assert data["themes"] == [{"month": "2026-11", "proposals": 2, "votes": 5}]
    places = data["places"]
    assert places["countries"][0] == {"name": "Brazil", "fans": 3}
    assert {p["name"] for p in places["clubs"]} == {"Santos", "Persib", "Flamengo"}


def test_the_page_draws_charts_and_exports_csv(app, world, new_api):
    mod = new_api("mod")
    page = mod.client.get(f"/moderation/insights?round_id={world['new'].id}")
    assert page.status_code == 200
    html = page.data.decode()
    assert html.count("<svg") >= 5 and "<script" not in html.split("<main")[-1].split("</main>")[0]
    assert 'id="n-ratings">8<' in html
    exported = mod.client.get(f"/moderation/insights.csv?round_id={world['new'].id}")
    assert exported.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(exported.data.decode())))
    assert ["round 2026-11", "ratings", "8"] in table
    assert ["countries", "Brazil", "3"] in table


def test_fans_and_visitors_are_refused(world, new_api):
    fan = new_api("fan0")
    assert fan.get("/api/v1/moderation/insights").status_code == 403
    assert new_api().get("/api/v1/moderation/insights").status_code == 401
    assert fan.client.get("/moderation/insights").status_code == 403
    assert new_api("mod").get("/api/v1/moderation/insights?round_id=999999").status_code == 404
    assert new_api("mod").get("/api/v1/moderation/insights?round_id=x").status_code == 422


FORMULAS = ["=1+1", '=HYPERLINK("https://evil.example","x")', "+cmd", "-2+3", "@SUM(A1)", "\t=1"]


def test_a_fans_text_never_runs_as_a_formula_in_the_csv(app, world, new_api):
    with app.app_context():
        for fan, text in zip(world["fans"], FORMULAS, strict=False):
            user = db.session.get(User, fan.id)
            user.country, user.favourite_club = text, text
        db.session.commit()
    exported = new_api("mod").client.get(f"/moderation/insights.csv?round_id={world['new'].id}")
    table = list(csv.reader(io.StringIO(exported.data.decode())))
    places = {row[1] for row in table if row[0] in ("countries", "clubs")}
    assert places == {"'" + text for text in FORMULAS}
    numbers = [row[2] for row in table]
    assert all(not n.startswith("'") for n in numbers)  # counts stay numbers


def test_safe_cell_quotes_only_text_that_starts_a_formula():
    from contest.spreadsheet import safe_cell

    assert [safe_cell(v) for v in ("=1", "+1", "-1", "@a", "\t=1", "\r=1")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@a",
        "'\t=1",
        "'\r=1",
    ]
    assert [safe_cell(v) for v in ("Brazil", "a=b", "", -3, 2.5, None)] == [
        "Brazil",
        "a=b",
        "",
        -3,
        2.5,
        None,
    ]


@pytest.mark.parametrize("config_overrides", [{"INSIGHTS_MAX_AGE": 3600}])
def test_stored_insights_are_read_until_an_hour_old_and_a_closed_rounds_are_final(
    app, world, new_api
):
    from contest.models import InsightSnapshot
    from contest.moderation import insight_snapshots

    mod = new_api("mod")
    november = f"/api/v1/moderation/insights?round_id={world['new'].id}"
    october = f"/api/v1/moderation/insights?round_id={world['old'].id}"

    def rate_once_more(round_id):
        with app.app_context():
            entry_id = db.session.scalar(
                sa.select(Entry.id).where(Entry.round_id == round_id).order_by(Entry.id)
            )
            judge = make_judge()
            db.session.add(Rating(user_id=judge, entry_id=entry_id, stars=2))
            db.session.commit()

    def make_judge():
        user = User(username=f"late{utcnow().timestamp()}", email=f"{utcnow().timestamp()}@x.io")
        user.password_hash = "!"
        db.session.add(user)
        db.session.flush()
        return user.id

    first = mod.get(november).get_json()
    assert first["round"]["ratings"] == 8
    rate_once_more(world["new"].id)
    again = mod.get(november).get_json()  # read from the stored rows
    assert again["round"]["ratings"] == 8 and again["as_of"] == first["as_of"]
    page = mod.client.get(f"/moderation/insights?round_id={world['new'].id}").data.decode()
    assert "recounted every 60 minutes" in page and 'id="n-ratings">8<' in page

    with app.app_context():  # an hour later, the scheduler's step recounts what went stale
        db.session.execute(
            sa.update(InsightSnapshot).values(computed_at=utcnow() - timedelta(hours=2))
        )
        db.session.commit()
        assert insight_snapshots.refresh_due() >= 3
        assert insight_snapshots.refresh_due() == 0  # nothing stale any more
    later = mod.get(november).get_json()
    assert later["round"]["ratings"] == 9 and later["as_of"] > first["as_of"]

    with app.app_context():  # October closes: its numbers, counted after the close, are final
        from contest.models import Round

        db.session.get(Round, world["old"].id).closed_at = utcnow() - timedelta(hours=3)
        db.session.commit()
    assert mod.get(october).get_json()["round"]["ratings"] == 4
    with app.app_context():
        db.session.execute(
            sa.update(InsightSnapshot)
            .where(InsightSnapshot.round_id == world["old"].id)
            .values(computed_at=utcnow() - timedelta(hours=2))
        )
        db.session.commit()
    rate_once_more(world["old"].id)
    assert mod.get(october).get_json()["round"]["ratings"] == 4
