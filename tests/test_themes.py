"""Fans shape the contest: propose and vote next month's theme, live counts, the organiser
selects (with the credit), create-monthly takes the selection, reports hide a proposal."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from helpers import wait_for_event

from contest.extensions import db
from contest.models import Notification, Round, Theme, ThemeVote, utcnow
from contest.themes.windows import month_of, shift


@pytest.fixture
def month(app):
    return shift(month_of(utcnow()), 2)  # a future month, whatever today is


@pytest.fixture
def mod(make_user, new_api):
    make_user("mod", role="moderator")
    return new_api("mod")


def open_window(mod, month):
    """A moderator opens the month's proposal window around now."""
    now = utcnow()
    answer = mod.put(
        f"/api/v1/moderation/proposal-windows/{month}",
        {
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=2)).isoformat(),
        },
    )
    assert answer.status_code == 200, answer.get_json()
    return month


@pytest.fixture
def open_month(mod, month):
    """The month's proposal window, opened by a moderator around now."""
    return open_window(mod, month)


def propose(api, month, title="Rabona only", **extra):
    return api.post("/api/v1/themes", {"month": month, "title": title, **extra})


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_propose_vote_live_select_and_the_credit(
    app, mod, open_month, make_user, new_api, socket_client, runner
):
    month = open_month
    make_user("ana")
    make_user("bob")
    make_user("cat")
    ana, bob, cat = new_api("ana"), new_api("bob"), new_api("cat")
    viewer = socket_client()
    assert viewer.emit("join", {"room": f"themes:{month}"}, callback=True)["ok"]

    made = propose(ana, month, "  Rabona   only ", brief="Only rabonas this month.")
    assert made.status_code == 201, made.get_json()
    theme = made.get_json()
    assert theme["title"] == "Rabona only" and theme["proposed_by"] == {"username": "ana"}
    assert theme["status"] == "proposed" and theme["votes"] == 0
    other = propose(cat, month, "Weak foot week").get_json()

    voted = bob.put(f"/api/v1/themes/{theme['id']}/vote")
    assert voted.status_code == 200 and voted.get_json() == {
        "id": theme["id"],
        "votes": 1,
        "my_vote": True,
    }
    assert bob.put(f"/api/v1/themes/{theme['id']}/vote").get_json()["votes"] == 1  # once
    assert cat.put(f"/api/v1/themes/{theme['id']}/vote").get_json()["votes"] == 2
    pushed = wait_for_event(viewer, "theme", lambda d: d["id"] == theme["id"] and d["votes"] == 2)
    assert pushed == {"id": theme["id"], "votes": 2}
    taken_back = cat.delete(f"/api/v1/themes/{theme['id']}/vote")
    assert taken_back.get_json() == {"id": theme["id"], "votes": 1, "my_vote": False}
    cat.put(f"/api/v1/themes/{theme['id']}/vote")

    listed = bob.get(f"/api/v1/themes?month={month}").get_json()
    assert listed["month"] == month and listed["open"] is True and listed["selected"] is None
    assert [t["id"] for t in listed["themes"]] == [theme["id"], other["id"]]
    assert [t["my_vote"] for t in listed["themes"]] == [True, False]
    shuffled = bob.get(f"/api/v1/themes?month={month}&order=new").get_json()["themes"]
    assert {t["id"] for t in shuffled} == {theme["id"], other["id"]}

    assert bob.post(f"/api/v1/themes/{theme['id']}/select").status_code == 403
    chosen = mod.post(f"/api/v1/themes/{theme['id']}/select", {"title": "Rabona month"})
    assert chosen.status_code == 200, chosen.get_json()
    round_ = chosen.get_json()["round"]
    assert round_["slug"] == month and round_["title"] == "Rabona month"
    assert round_["theme"] == {
        "id": theme["id"],
        "title": "Rabona only",
        "proposed_by": {"username": "ana"},
    }
    assert chosen.get_json()["theme"]["status"] == "selected"
    assert new_api().get(f"/api/v1/rounds/{round_['id']}").get_json()["theme"]["id"] == theme["id"]
    page = new_api().client.get(f"/rounds/{month}").data.decode()
    assert "Theme by" in page and "@ana" in page
    assert "Theme by" in new_api().client.get("/u/ana").data.decode()
    with app.app_context():
        told = dict(
            db.session.execute(
                sa.select(Notification.user_id, Notification.text).where(
                    Notification.kind == "theme"
                )
            ).all()
        )
    assert len(told) == 3  # ana proposed it, bob and cat voted for it
    # create-monthly finds the round made by the selection
    result = runner.invoke(args=["rounds", "create-monthly", "--month", month])
    assert "Already there" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(Round.slug == month)) == 1


def test_create_monthly_takes_the_selected_theme(app, make_user, runner, month):
    make_user("ana")
    with app.app_context():
        from contest.models import User

        ana = db.session.scalar(sa.select(User).where(User.username == "ana"))
        db.session.add(
            Theme(month=month, proposer_id=ana.id, title="Header tennis", status="selected")
        )
        db.session.commit()
    result = runner.invoke(args=["rounds", "create-monthly", "--month", month])
    assert "Created" in result.output, result.output
    with app.app_context():
        round_ = db.session.scalar(sa.select(Round).where(Round.slug == month))
        assert round_.title == "Header tennis" and round_.theme.proposer.username == "ana"


def test_every_refusal_changes_nothing(app, mod, open_month, make_user, new_api, make_round):
    month = open_month
    ana_id = make_user("ana").id
    make_user("raw", verified=False)
    ana, raw = new_api("ana"), new_api("raw")
    mine = propose(ana, month).get_json()
    cases = [
        (raw, "POST", "/api/v1/themes", {"month": month, "title": "x"}, 403, "email_not_verified"),
        (ana, "POST", "/api/v1/themes", {"month": "2027-13", "title": "x"}, 422, "invalid_month"),
        (ana, "POST", "/api/v1/themes", {"month": month, "title": "x" * 81}, 422, "invalid_title"),
        (ana, "POST", "/api/v1/themes", {"month": month, "title": " "}, 422, "invalid_title"),
        (ana, "POST", "/api/v1/themes", {"month": month}, 422, "missing_field"),
        (
            ana,
            "POST",
            "/api/v1/themes",
            {"month": shift(month, 3), "title": "Too early"},
            409,
            "proposals_closed",
        ),
        (
            ana,
            "POST",
            "/api/v1/themes",
            {"month": month, "title": "x", "example_entry_id": 99},
            422,
            "invalid_example",
        ),
        (ana, "PUT", f"/api/v1/themes/{mine['id']}/vote", None, 403, "own_theme"),
        (raw, "PUT", f"/api/v1/themes/{mine['id']}/vote", None, 403, "email_not_verified"),
        (ana, "PUT", "/api/v1/themes/999999/vote", None, 404, "theme_not_found"),
        (new_api(), "PUT", f"/api/v1/themes/{mine['id']}/vote", None, 401, "not_signed_in"),
    ]
    for client, method, path, body, status, code in cases:
        answer = client.request(method, path, body)
        assert answer.status_code == status, (path, body, answer.get_json())
        assert answer.get_json()["error"]["code"] == code, (path, body, answer.get_json())
    propose(ana, month, "Second")
    propose(ana, month, "Third")
    fourth = propose(ana, month, "Fourth")
    assert fourth.status_code == 409
    assert fourth.get_json()["error"]["code"] == "proposal_limit_reached"
    assert count(app, Theme) == 3 and count(app, ThemeVote) == 0
    # a round that has started keeps its theme
    make_round("open", slug=shift(month, 1))
    with app.app_context():
        db.session.add(Theme(month=shift(month, 1), proposer_id=ana_id, title="Late"))
        db.session.commit()
        late = db.session.scalar(sa.select(Theme.id).where(Theme.title == "Late"))
    refused = mod.post(f"/api/v1/themes/{late}/select")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "round_started"
    with app.app_context():
        assert db.session.get(Theme, late).status == "proposed"


def test_votes_close_with_the_window(app, mod, open_month, make_user, new_api):
    make_user("ana")
    make_user("bob")
    theme = propose(new_api("ana"), open_month).get_json()
    now = utcnow()
    mod.put(
        f"/api/v1/moderation/proposal-windows/{open_month}",
        {
            "opens_at": (now - timedelta(days=2)).isoformat(),
            "closes_at": (now - timedelta(hours=1)).isoformat(),
        },
    )
    late = new_api("bob").put(f"/api/v1/themes/{theme['id']}/vote")
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "proposals_closed"


def test_reports_hide_a_proposal_until_a_moderator_looks(app, mod, open_month, make_user, new_api):
    make_user("ana")
    theme = propose(new_api("ana"), open_month, "Something rude").get_json()
    for name in ("rep1", "rep2", "rep3"):
        make_user(name)
        answer = new_api(name).post(f"/api/v1/themes/{theme['id']}/reports", {"reason": "spam"})
        assert answer.status_code == 201, answer.get_json()
    listed = new_api().get(f"/api/v1/themes?month={open_month}").get_json()["themes"]
    assert listed == []
    queue = mod.get("/api/v1/moderation/queue").get_json()["reported"]
    assert queue[0]["type"] == "theme" and len(queue[0]["reports"]) == 3
    restored = mod.post(f"/api/v1/moderation/themes/{theme['id']}", {"action": "restore"})
    assert restored.status_code == 200 and restored.get_json()["status"] == "proposed"
    assert len(new_api().get(f"/api/v1/themes?month={open_month}").get_json()["themes"]) == 1


def test_the_themes_pages_work_without_javascript(app, mod, open_month, make_user, new_api):
    from helpers import csrf_of

    make_user("ana")
    make_user("bob")
    ana, bob = new_api("ana"), new_api("bob")
    page = ana.client.get(f"/themes?month={open_month}")
    assert page.status_code == 200 and b"Propose a theme" in page.data
    made = ana.client.post(
        f"/themes?month={open_month}",
        data={
            "csrf_token": csrf_of(page),
            "title": "Keepy-uppy marathon",
            "brief": "",
            "example": "",
        },
    )
    assert made.status_code == 302, made.data[-400:]
    with app.app_context():
        theme_id = db.session.scalar(sa.select(Theme.id))
    huge = ana.client.post(
        f"/themes?month={open_month}",
        data={"csrf_token": csrf_of(page), "title": "Huge", "example": "9" * 30},
    )
    assert huge.status_code == 400 and b"one of your live clips" in huge.data
    listed = bob.client.get(f"/themes?month={open_month}").data.decode()
    assert "Keepy-uppy marathon" in listed and "@ana" in listed
    voted = bob.client.post(f"/themes/{theme_id}/vote", data={"csrf_token": bob.token()})
    assert voted.status_code == 302
    assert bob.get(f"/api/v1/themes?month={open_month}").get_json()["themes"][0]["votes"] == 1
    board = mod.client.get(f"/moderation/themes?month={open_month}").data.decode()
    assert "Keepy-uppy marathon" in board and "1 vote" in board
    assert bob.client.get("/moderation/themes").status_code == 403
    chosen = mod.client.post(
        f"/moderation/themes/{theme_id}/select",
        data={"csrf_token": mod.token(), "title": "Keepy-uppy month", "brief": "How long?"},
    )
    assert chosen.status_code == 302 and chosen.location.endswith(f"/rounds/{open_month}")
    round_page = new_api().client.get(f"/rounds/{open_month}").data.decode()
    assert "Keepy-uppy month" in round_page and "Theme by" in round_page


def test_a_sponsored_challenge(app, mod, make_round, make_user, make_entry, new_api, tmp_path):
    from PIL import Image

    round_ = make_round("closed", title="Cup final")
    entry = make_entry(round_.id, make_user("ana").id, title="Bicycle kick")
    refused = mod.patch(
        f"/api/v1/rounds/{round_.id}", {"sponsor_name": "Bola", "sponsor_url": "javascript:x"}
    )
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "invalid_sponsor_url"
    assert new_api().get(f"/api/v1/rounds/{round_.id}").get_json()["sponsor"] is None
    saved = mod.patch(
        f"/api/v1/rounds/{round_.id}",
        {"sponsor_name": "Bola Boots", "sponsor_url": "https://bola.example", "sponsor_pick": True},
    )
    assert saved.status_code == 200, saved.get_json()
    picture = tmp_path / "logo.png"
    Image.new("RGB", (800, 300), "orange").save(picture)
    with open(picture, "rb") as stream:
        logo = mod.client.put(
            f"/api/v1/rounds/{round_.id}/sponsor-logo",
            data={"logo": (stream, "logo.png")},
            headers={"X-CSRFToken": mod.token()},
        )
    assert logo.status_code == 200, logo.get_json()
    sponsor = logo.get_json()["sponsor"]
    assert sponsor["name"] == "Bola Boots" and sponsor["pick"] is True
    served = new_api().client.get(sponsor["logo_url"])
    assert served.status_code == 200 and served.data[:2] == b"\xff\xd8"  # re-encoded as JPEG
    not_a_picture = mod.client.put(
        f"/api/v1/rounds/{round_.id}/sponsor-logo",
        data=b"<svg/>",
        headers={"X-CSRFToken": mod.token(), "Content-Type": "image/jpeg"},
    )
    assert not_a_picture.status_code == 415
    mod.post(f"/api/v1/rounds/{round_.id}/close")
    mod.post(f"/api/v1/moderation/entries/{entry.id}", {"action": "staff_pick"})
    mod.post(f"/api/v1/rounds/{round_.id}/publish")
    for path in (f"/rounds/{round_.slug}", f"/rounds/{round_.slug}/results", "/hall-of-fame"):
        page = new_api().client.get(path).data.decode()
        assert "Sponsored by" in page and "Bola Boots" in page, path
    results = new_api().client.get(f"/rounds/{round_.slug}/results").data.decode()
    assert "Bola Boots’s pick" in results and 'rel="sponsored noopener"' in results


def test_votes_of_fresh_accounts_count_once_they_are_old_enough(
    app, mod, open_month, make_user, new_api
):
    make_user("ana")
    theme = propose(new_api("ana"), open_month).get_json()
    app.config["MIN_ACCOUNT_AGE_HOURS"] = 24
    for n in range(5):  # five accounts made a moment ago, verified
        make_user(f"fresh{n}")
        voted = new_api(f"fresh{n}").put(f"/api/v1/themes/{theme['id']}/vote")
        assert voted.status_code == 200 and voted.get_json()["my_vote"] is True
        assert voted.get_json()["votes"] == 0  # stored, not counted yet
    from contest.themes.proposals import mature_votes

    with app.app_context():
        assert mature_votes() == []
        moved = mature_votes(now=utcnow() + timedelta(hours=25))
        assert [t.votes for t in moved] == [5]
    listed = new_api().get(f"/api/v1/themes?month={open_month}").get_json()["themes"]
    assert [t["votes"] for t in listed] == [5]


def test_a_selected_theme_closes_its_months_vote(app, mod, make_user, new_api):
    # next month's window, open now: the month home and the themes page speak of
    open_month = open_window(mod, shift(month_of(utcnow()), 1))
    make_user("ana")
    make_user("bob")
    ana, bob = new_api("ana"), new_api("bob")
    theme = propose(ana, open_month, "Rabona only").get_json()
    other = propose(ana, open_month, "Weak foot week").get_json()
    assert bob.put(f"/api/v1/themes/{other['id']}/vote").status_code == 200
    home = new_api().client.get("/").data.decode()
    assert "theme is up to you" in home
    chosen = mod.post(f"/api/v1/themes/{theme['id']}/select", {"title": "Rabona month"})
    assert chosen.status_code == 200, chosen.get_json()

    for answer in (
        bob.put(f"/api/v1/themes/{theme['id']}/vote"),
        bob.delete(f"/api/v1/themes/{other['id']}/vote"),
        propose(bob, open_month, "Too late"),
    ):
        assert answer.status_code == 409, answer.get_json()
        error = answer.get_json()["error"]
        assert error["code"] == "theme_selected" and "selected" in error["message"]
    # nothing moved: bob's earlier vote stands and no proposal was added
    listed = bob.get(f"/api/v1/themes?month={open_month}").get_json()
    assert listed["open"] is False and listed["selected"] == theme["id"]
    assert {t["id"]: t["votes"] for t in listed["themes"]} == {theme["id"]: 0, other["id"]: 1}

    page = bob.client.get(f"/themes?month={open_month}").data.decode()
    assert "Selected: Rabona month, the round opens" in page
    assert "more theme" not in page and 'class="inline vote-form"' not in page
    home = new_api().client.get("/").data.decode()
    assert "theme is up to you" not in home
    assert "Next month: Rabona month. The round opens" in home


def test_a_month_of_many_proposals_shows_them_thirty_at_a_time(app, mod, open_month, make_user):
    import sqlalchemy as sa

    from contest.models import Theme

    ana = make_user("ana")
    with app.app_context():
        for i in range(45):
            db.session.add(Theme(month=open_month, proposer_id=ana.id, title=f"Theme {i:02d}"))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Theme.id))) == 45
    client = app.test_client()
    first = client.get(f"/themes?month={open_month}").data.decode()
    assert first.count('class="card theme') == 30 and "Show 15 more themes" in first
    more = client.get(f"/themes?month={open_month}&shown=60").data.decode()
    assert more.count('class="card theme') == 45 and 'id="more-themes"' not in more
    odd = client.get(f"/themes?month={open_month}&shown=-5")
    assert odd.status_code == 200 and odd.data.decode().count('class="card theme') == 30
