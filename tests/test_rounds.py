"""Rounds: derived phases, moderators creating and editing, monthly scheduling, pages."""

import html
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from contest.extensions import db
from contest.models import ModerationAction, Round
from contest.rounds import editing
from contest.rounds import phases as rounds


def t(day, hour=0):
    return datetime(2026, 12, day, hour, tzinfo=UTC)


def a_round(**kw):
    fields = dict(
        submissions_open_at=t(1),
        submissions_close_at=t(20),
        voting_open_at=t(10),
        voting_close_at=t(28),
    )
    fields.update(kw)
    return Round(slug="x", title="x", **fields)


@pytest.mark.parametrize(
    "now, expected",
    [
        (t(1) - timedelta(seconds=1), "upcoming"),
        (t(1), "submissions"),
        (t(10), "open"),
        (t(20), "voting"),
        (t(27, 23), "voting"),
        (t(28), "closed"),
    ],
)
def test_phase_comes_from_the_timestamps(now, expected):
    assert rounds.phase(a_round(), now) == expected


def test_closed_and_published_phases():
    assert rounds.phase(a_round(closed_at=t(5)), t(5)) == "closed"
    assert rounds.phase(a_round(closed_at=t(5), published_at=t(6)), t(6)) == "published"


def test_next_change_for_countdowns():
    assert rounds.next_change(a_round(), t(2)) == ("Voting opens", t(10))
    assert rounds.next_change(a_round(), t(21)) == ("Voting closes", t(28))
    assert rounds.next_change(a_round(), t(29)) is None


ROUND_BODY = {
    "title": "December skills",
    "brief": "Rabonas only",
    "submissions_open_at": "2026-12-01T00:00:00Z",
    "submissions_close_at": "2026-12-25T00:00:00Z",
    "voting_close_at": "2027-01-01T00:00:00+00:00",
}


def test_moderator_creates_round_voting_defaults_to_submissions_open(api, make_user, app):
    make_user("mod", role="moderator")
    api.login("mod")
    response = api.post("/api/v1/rounds", ROUND_BODY)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["voting_open_at"] == "2026-12-01T00:00:00+00:00"
    assert body["slug"] == "december-skills" and body["url"] == "/rounds/december-skills"
    listed = api.get("/api/v1/rounds").get_json()["rounds"]
    assert [r["title"] for r in listed] == ["December skills"]
    assert set(listed[0]) >= {
        "id",
        "slug",
        "url",
        "title",
        "phase",
        "submissions_open_at",
        "submissions_close_at",
        "voting_open_at",
        "voting_close_at",
    }
    with app.app_context():
        assert db.session.scalar(sa.select(ModerationAction.action)) == "create_round"


def test_fans_and_strangers_cannot_create_rounds(api, new_api, make_user, app):
    make_user("fan")
    anonymous = api.post("/api/v1/rounds", ROUND_BODY)
    assert anonymous.status_code == 401
    fan = new_api("fan").post("/api/v1/rounds", ROUND_BODY)
    assert fan.status_code == 403 and fan.get_json()["error"]["code"] == "not_moderator"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 0


@pytest.mark.parametrize(
    "change, code",
    [
        ({"submissions_close_at": "2026-11-01T00:00:00Z"}, "invalid_windows"),
        ({"voting_close_at": "2026-12-10T00:00:00Z"}, "invalid_windows"),
        ({"voting_open_at": "2026-12-26T00:00:00Z"}, "invalid_windows"),
        ({"submissions_open_at": "first of december"}, "invalid_time"),
        ({"title": ""}, "missing_field"),
        ({"title": "x" * 121}, "too_long"),
        ({"requires_approval": "yes"}, "invalid_field"),
    ],
)
def test_bad_round_values_are_422(api, make_user, change, code, app):
    make_user("mod", role="moderator")
    api.login("mod")
    response = api.post("/api/v1/rounds", {**ROUND_BODY, **change})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == code
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 0


def test_edit_round_and_extend_but_never_reopen_a_closed_round(api, make_user, make_round, app):
    make_user("mod", role="moderator")
    api.login("mod")
    live = make_round("open")
    later = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    response = api.patch(
        f"/api/v1/rounds/{live.id}", {"title": "Renamed", "voting_close_at": later}
    )
    assert response.status_code == 200 and response.get_json()["title"] == "Renamed"
    closed = make_round("closed")
    response = api.patch(f"/api/v1/rounds/{closed.id}", {"voting_close_at": later})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "round_closed"
    assert api.get(f"/api/v1/rounds/{closed.id}").get_json()["phase"] == "closed"


def test_create_monthly_is_idempotent(runner, app):
    first = runner.invoke(args=["rounds", "create-monthly", "--month", "2027-02"])
    second = runner.invoke(args=["rounds", "create-monthly", "--month", "2027-02"])
    assert first.exit_code == 0 and "Created round 2027-02" in first.output
    assert "Already there" in second.output
    default = runner.invoke(args=["rounds", "create-monthly"])
    assert default.exit_code == 0
    with app.app_context():
        feb = db.session.scalar(sa.select(Round).where(Round.slug == "2027-02"))
        assert feb.title == "February 2027 skills"
        assert feb.submissions_open_at == datetime(2027, 2, 1, tzinfo=UTC)
        assert feb.voting_close_at == datetime(2027, 3, 1, tzinfo=UTC)
        assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 2
    bad = runner.invoke(args=["rounds", "create-monthly", "--month", "2027-13"])
    assert bad.exit_code != 0


def test_december_rolls_over_to_next_year():
    windows = editing.monthly_windows(2026, 12)
    assert windows["voting_close_at"] == datetime(2027, 1, 1, tzinfo=UTC)


def test_home_page_shows_current_round_phase_and_countdown(client, make_round):
    make_round("open", title="Rainbow flicks")
    make_round("closed", title="Old news")
    page = client.get("/").data.decode()
    assert "Rainbow flicks" in page and "Uploads & voting open" in html.unescape(page)
    assert "data-countdown" in page and "Old news" not in page
    assert 'name="viewport"' in page


def test_moderator_round_pages(client, api, make_user, app):
    make_user("mod", role="moderator")
    api.login("mod")
    page = client.get("/moderation/rounds/new")
    assert page.status_code == 200
    token = page.data.split(b'name="csrf_token" type="hidden" value="')[1].split(b'"')[0].decode()
    response = client.post(
        "/moderation/rounds/new",
        data={
            "csrf_token": token,
            "title": "Keepy-uppies",
            "brief": "How many?",
            "submissions_open_at": "2026-12-01T00:00",
            "submissions_close_at": "2026-12-20T00:00",
            "voting_close_at": "2026-12-31T00:00",
        },
    )
    assert response.status_code == 302, response.data
    with app.app_context():
        round_ = db.session.scalar(sa.select(Round))
        assert (
            round_.title == "Keepy-uppies" and round_.voting_open_at == round_.submissions_open_at
        )
    edit = client.get(f"/moderation/rounds/{round_.id}/edit")
    assert b"Keepy-uppies" in edit.data


def test_fans_cannot_open_moderator_pages(client, api, make_user):
    make_user("fan")
    assert client.get("/moderation/rounds/new").status_code == 302
    api.login("fan")
    assert client.get("/moderation/rounds/new").status_code == 403


def test_round_curation_prize_cover_and_blind_hours(api, make_user, make_round, client, app):
    import io

    from PIL import Image

    make_user("mod", role="moderator")
    api.login("mod")
    round_ = make_round("open", title="Curated")
    edited = api.patch(f"/api/v1/rounds/{round_.id}", {"prize": "Signed boots", "blind_hours": 6})
    assert edited.status_code == 200 and edited.get_json()["prize"] == "Signed boots"
    picture = io.BytesIO()
    Image.new("RGB", (400, 400), (0, 120, 0)).save(picture, "PNG")
    cover = api.put(
        f"/api/v1/rounds/{round_.id}/cover",
        data={"cover": (io.BytesIO(picture.getvalue()), "cover.png")},
        content_type="multipart/form-data",
    )
    assert cover.status_code == 200
    served = client.get(cover.get_json()["cover_url"])
    assert Image.open(io.BytesIO(served.data)).size == (1280, 720)
    refused = api.put(
        f"/api/v1/rounds/{round_.id}/cover",
        data={"cover": (io.BytesIO(b"not a picture"), "x.png")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 415
    assert (
        api.get(f"/api/v1/rounds/{round_.id}").get_json()["cover_url"]
        == cover.get_json()["cover_url"]
    )
    page = client.get(f"/rounds/{round_.slug}").data.decode()
    assert "Signed boots" in page and 'class="cover"' in page and 'property="og:image"' in page
    with app.app_context():
        assert db.session.scalar(
            sa.select(ModerationAction.id).where(ModerationAction.action == "set_cover")
        )
    make_user("fan")
    from conftest import Api

    fan = Api(app.test_client())  # a fan may not change covers
    fan.login("fan")
    assert fan.put(f"/api/v1/rounds/{round_.id}/cover", data=b"x").status_code == 403


def test_moderators_enter_windows_in_their_own_time_zone(client, api, make_user, app):
    """A moderator in Jakarta types local times; UTC is stored; the edit form shows them local."""
    from datetime import UTC, datetime

    make_user("mod", role="moderator")
    api.login("mod")
    page = client.get("/moderation/rounds/new")
    token = page.data.split(b'name="csrf_token" type="hidden" value="')[1].split(b'"')[0].decode()
    response = client.post(
        "/moderation/rounds/new",
        data={
            "csrf_token": token,
            "tz": "Asia/Jakarta",  # UTC+7, as the page's script fills it in
            "title": "Local times",
            "submissions_open_at": "2027-01-01T07:00",
            "submissions_close_at": "2027-01-20T07:00",
            "voting_close_at": "2027-01-31T19:30",
        },
    )
    assert response.status_code == 302, response.data
    with app.app_context():
        round_ = db.session.scalar(sa.select(Round).where(Round.title == "Local times"))
        assert round_.submissions_open_at == datetime(2027, 1, 1, 0, 0, tzinfo=UTC)
        assert round_.voting_close_at == datetime(2027, 1, 31, 12, 30, tzinfo=UTC)
    client.set_cookie("tz", "Asia/Jakarta")
    edit = client.get(f"/moderation/rounds/{round_.id}/edit").data.decode()
    assert 'value="2027-01-01T07:00"' in edit and "Asia/Jakarta" in edit
    client.set_cookie("tz", "Not/AZone")  # a made-up zone: UTC, never an error
    edit = client.get(f"/moderation/rounds/{round_.id}/edit")
    assert edit.status_code == 200 and 'value="2027-01-01T00:00"' in edit.data.decode()
