"""Crews: create, join, ask, approve, leave, captaincy; the crew leaderboard live and frozen."""

from datetime import timedelta

import sqlalchemy as sa

from contest.extensions import db
from contest.models import Crew, CrewMember, CrewResult, Entry, Rating, Result, User, utcnow
from contest.rounds import ratings


def test_create_join_ask_approve_leave(make_user, new_api):
    for name in ("ana", "bob", "cat", "dan"):
        make_user(name)
    make_user("raw", verified=False)
    ana, bob, cat, dan = (new_api(n) for n in ("ana", "bob", "cat", "dan"))
    refused = new_api("raw").post("/api/v1/crews", {"name": "Raw FC"})
    assert refused.status_code == 403
    made = ana.post("/api/v1/crews", {"name": "Rua Boys", "home": "Recife"})
    assert made.status_code == 201, made.get_json()
    crew = made.get_json()
    assert crew["slug"] == "rua-boys" and crew["captain"] == {"username": "ana"}
    assert crew["members"] == [{"username": "ana"}]
    taken = bob.post("/api/v1/crews", {"name": "RUA boys"})
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "crew_name_taken"
    assert bob.post("/api/v1/crews", {"name": " "}).status_code == 422
    assert bob.post("/api/v1/crews/rua-boys/members").status_code == 200
    closed = cat.post("/api/v1/crews", {"name": "Cage Kings", "open": False}).get_json()
    asked = dan.post(f"/api/v1/crews/{closed['slug']}/members")
    assert asked.status_code == 202 and asked.get_json()["status"] == "pending"
    assert "pending" not in dan.get(f"/api/v1/crews/{closed['slug']}").get_json()
    assert cat.get(f"/api/v1/crews/{closed['slug']}").get_json()["pending"] == [{"username": "dan"}]
    assert bob.post(f"/api/v1/crews/{closed['slug']}/members/dan/approve").status_code == 403
    let_in = cat.post(f"/api/v1/crews/{closed['slug']}/members/dan/approve")
    assert {"username": "dan"} in let_in.get_json()["members"]
    # one crew at a time: Bob moves from Rua Boys to an open crew
    dan_crew = dan.post("/api/v1/crews", {"name": "Dan Solo"}).get_json()  # Dan leaves Cage Kings
    assert {"username": "dan"} not in cat.get(f"/api/v1/crews/{closed['slug']}").get_json()[
        "members"
    ]
    assert bob.post(f"/api/v1/crews/{dan_crew['slug']}/members").status_code == 200
    assert ana.get("/api/v1/crews/rua-boys").get_json()["members"] == [{"username": "ana"}]
    # removing: only the captain removes others; anyone leaves
    assert bob.delete(f"/api/v1/crews/{dan_crew['slug']}/members/dan").status_code == 403
    assert dan.delete(f"/api/v1/crews/{dan_crew['slug']}/members/bob").status_code == 200
    # captaincy: handed on, and taken over when the captain leaves
    assert bob.post(f"/api/v1/crews/{dan_crew['slug']}/members").status_code == 200
    handed = dan.post(f"/api/v1/crews/{dan_crew['slug']}/captain/bob")
    assert handed.get_json()["captain"] == {"username": "bob"}
    assert bob.delete(f"/api/v1/crews/{dan_crew['slug']}/members/bob").status_code == 200
    assert dan.get(f"/api/v1/crews/{dan_crew['slug']}").get_json()["captain"] == {"username": "dan"}
    assert new_api().get("/api/v1/crews/nope").status_code == 404


def _crew_with(app, captain_api, name, members, joined_days_ago):
    """A crew made by its captain through the API, with members who joined days ago."""
    crew = captain_api.post("/api/v1/crews", {"name": name}).get_json()
    with app.app_context():
        from contest.models import Crew, utcnow

        crew_id = db.session.scalar(sa.select(Crew.id).where(Crew.slug == crew["slug"]))
        for username in members:
            user_id = db.session.scalar(sa.select(User.id).where(User.username == username))
            db.session.add(CrewMember(crew_id=crew_id, user_id=user_id, status="member"))
        db.session.flush()
        for row in db.session.scalars(sa.select(CrewMember).where(CrewMember.crew_id == crew_id)):
            row.joined_at = utcnow() - timedelta(days=joined_days_ago)
        db.session.commit()
    return crew


def test_the_crew_leaderboard_live_then_frozen(app, make_user, new_api, make_round, make_entry):
    names = [f"pl{i}" for i in range(7)]
    users = {n: make_user(n) for n in names}
    make_user("mod", role="moderator")
    round_ = make_round("voting")  # voting opened 48 hours ago
    # crew A: five members who joined long ago; crew B: two old members and one late joiner
    a = _crew_with(app, new_api("pl0"), "Alpha", ["pl1", "pl2", "pl3", "pl4"], joined_days_ago=10)
    b = _crew_with(app, new_api("pl5"), "Bravo", ["pl6"], joined_days_ago=10)
    stars = {"pl0": 5, "pl1": 4, "pl2": 3, "pl3": 2, "pl4": 1, "pl5": 5, "pl6": 5}
    entries = {}
    with app.app_context():
        voters = [db.session.get(User, users[n].id) for n in names]
    for n in names:
        entries[n] = make_entry(round_.id, users[n].id, title=f"{n} clip")
    extra = make_entry(round_.id, users["pl0"].id, title="pl0 second, worse")
    with app.app_context():
        for n in names:
            for voter in voters[:3]:
                db.session.add(Rating(user_id=voter.id, entry_id=entries[n].id, stars=stars[n]))
        for voter in voters[:3]:
            db.session.add(Rating(user_id=voter.id, entry_id=extra.id, stars=1))
        db.session.flush()
        ratings.resync([e.id for e in entries.values()] + [extra.id])
        db.session.commit()
    late = make_user("late")
    late_api = new_api("late")
    late_entry = make_entry(round_.id, late.id, title="late clip")
    with app.app_context():
        for voter in voters[:3]:
            db.session.add(Rating(user_id=voter.id, entry_id=late_entry.id, stars=5))
        db.session.flush()
        ratings.resync([late_entry.id])
        db.session.commit()
    assert late_api.post(f"/api/v1/crews/{b['slug']}/members").status_code == 200  # joins now

    live = new_api().get(f"/api/v1/rounds/{round_.id}/crews").get_json()
    assert live["frozen"] is False
    by_slug = {row["slug"]: row for row in live["crews"]}
    # Alpha: its best three members (p0, p1, p2), one entry each (p0's best); Bravo: two
    assert set(by_slug[a["slug"]]["counted"]) == {entries[n].id for n in ("pl0", "pl1", "pl2")}
    assert set(by_slug[b["slug"]]["counted"]) == {entries["pl5"].id, entries["pl6"].id}
    assert late_entry.id not in by_slug[b["slug"]]["counted"]  # joined after voting opened
    page = new_api().client.get(f"/rounds/{round_.slug}/crews").data.decode()
    assert "Alpha" in page and "Bravo" in page

    mod = new_api("mod")
    closed = mod.post(f"/api/v1/rounds/{round_.id}/close", {"force": True})
    assert closed.status_code == 200
    frozen = new_api().get(f"/api/v1/rounds/{round_.id}/crews").get_json()
    assert frozen["frozen"] is True
    with app.app_context():
        scores = dict(db.session.execute(sa.select(Result.entry_id, Result.score)).all())
        stored = db.session.scalars(sa.select(CrewResult).order_by(CrewResult.rank)).all()
        assert len(stored) == 2
        for row in frozen["crews"]:
            assert row["score"] == round(sum(scores[e] for e in row["counted"]), 6)
        authors = dict(db.session.execute(sa.select(Entry.id, Entry.author_id)).all())
    for row in frozen["crews"]:
        assert len({authors[e] for e in row["counted"]}) == len(row["counted"])  # one per fan
    ranks = [row["score"] for row in frozen["crews"]]
    assert ranks == sorted(ranks, reverse=True)
    # members leaving after the close change nothing frozen
    new_api("pl1").delete(f"/api/v1/crews/{a['slug']}/members/pl1")
    assert new_api().get(f"/api/v1/rounds/{round_.id}/crews").get_json() == frozen
    assert mod.post(f"/api/v1/rounds/{round_.id}/publish").status_code == 200
    winner = frozen["crews"][0]["slug"]
    assert "🥇" in new_api().client.get(f"/crews/{winner}").data.decode()  # the crew's medal


def test_the_crew_pages(make_user, new_api):
    make_user("ana")
    make_user("bob")
    ana = new_api("ana")
    page = ana.client.get("/crews")
    assert page.status_code == 200 and b"Start a crew" in page.data
    made = ana.client.post(
        "/crews",
        data={"csrf_token": ana.token(), "name": "Beach Ballers", "home": "Rio", "open": "y"},
    )
    assert made.status_code == 302 and made.location.endswith("/crews/beach-ballers")
    bob = new_api("bob")
    joined = bob.client.post("/crews/beach-ballers/join", data={"csrf_token": bob.token()})
    assert joined.status_code == 302
    crew_page = bob.client.get("/crews/beach-ballers").data.decode()
    assert "@bob" in crew_page and "captain" in crew_page and "Leave the crew" in crew_page
    assert "Beach Ballers" in bob.client.get("/u/bob").data.decode()  # the crew badge


def test_badges_reports_and_moderators(app, make_user, new_api, tmp_path):
    import io

    from PIL import Image

    make_user("ana")
    make_user("mod", role="moderator")
    ana = new_api("ana")
    crew = ana.post("/api/v1/crews", {"name": "Favela Flicks"}).get_json()
    picture = io.BytesIO()
    Image.new("RGB", (900, 500), "blue").save(picture, "PNG")
    picture.seek(0)
    badge = ana.client.put(
        f"/api/v1/crews/{crew['slug']}/badge",
        data={"badge": (picture, "badge.png")},
        headers={"X-CSRFToken": ana.token()},
    )
    assert badge.status_code == 200, badge.get_json()
    served = new_api().client.get(badge.get_json()["badge_url"])
    with Image.open(io.BytesIO(served.data)) as image:
        assert image.size == (256, 256) and image.format == "JPEG"
    not_captain = new_api("mod").put(f"/api/v1/crews/{crew['slug']}/badge", data=b"x")
    assert not_captain.status_code in (403, 415)
    for name in ("rep1", "rep2", "rep3"):
        make_user(name)
        answer = new_api(name).post(f"/api/v1/crews/{crew['slug']}/reports", {"reason": "spam"})
        assert answer.status_code == 201, answer.get_json()
    assert new_api().get(f"/api/v1/crews/{crew['slug']}").status_code == 404  # auto-hidden
    mod = new_api("mod")
    queue = mod.get("/api/v1/moderation/queue").get_json()["reported"]
    assert queue[0]["type"] == "crew"
    assert "Favela Flicks" in mod.client.get("/moderation/").data.decode()
    restored = mod.post(f"/api/v1/moderation/crews/{crew['slug']}", {"action": "restore"})
    assert restored.status_code == 200 and restored.get_json()["hidden"] is False
    assert new_api().get(f"/api/v1/crews/{crew['slug']}").status_code == 200


def test_joins_sent_at_once_answer_without_a_server_error(app, make_user, new_api):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    make_user("ana")
    make_user("cat")
    make_user("bob")
    crews = [
        new_api(c).post("/api/v1/crews", {"name": f"Crew {c}"}).get_json() for c in ("ana", "cat")
    ]
    tabs = [new_api("bob") for _ in range(10)]
    start = threading.Barrier(30)

    def join(n):
        start.wait(10)
        return tabs[n % 10].post(f"/api/v1/crews/{crews[n % 2]['slug']}/members")

    with ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(join, range(30)))
    statuses = sorted({a.status_code for a in answers})
    assert set(statuses) <= {200, 409}, [a.get_json() for a in answers if a.status_code >= 500]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.get_json()["error"]["code"] == "crew_busy"
    with app.app_context():
        from contest.models import CrewMember, User

        bob_id = db.session.scalar(sa.select(User.id).where(User.username == "bob"))
        rows = db.session.scalars(sa.select(CrewMember).where(CrewMember.user_id == bob_id)).all()
    assert len(rows) == 1 and rows[0].status == "member"  # one crew at a time, whatever the race


def test_an_invite_link_brings_a_fan_into_the_crew_and_the_board_says_why_it_is_absent(
    app, make_user, new_api, make_round, make_entry
):
    import re

    round_ = make_round("voting")  # voting opened before the crew was formed
    ana, bob = make_user("ana"), make_user("bob")
    ana_api = new_api("ana")
    crew = ana_api.post("/api/v1/crews", {"name": "Late Ballers", "open": False}).get_json()
    entry = make_entry(round_.id, ana.id, title="Ana's clip")
    with app.app_context():
        for name in ("voter1", "voter2", "voter3"):
            voter = make_user(name)
            db.session.add(Rating(user_id=voter.id, entry_id=entry.id, stars=4))
        db.session.flush()
        ratings.resync([entry.id])
        db.session.commit()

    page = ana_api.client.get(f"/crews/{crew['slug']}").data.decode()
    assert 'id="invite-to-crew"' in page and "Invite to crew" in page
    # formed after voting opened: the page says why it is not on the board
    assert "Your crew competes from the next round" in page
    board = ana_api.client.get(f"/rounds/{round_.slug}/crews").data.decode()
    assert 'id="my-crew-absent"' in board and "competes from the next round" in board
    link = re.search(r'data-url="([^"]+/invite/[^"]+)"', page).group(1)
    path = "/" + link.split("/", 3)[3]
    assert link.startswith(app.config["SITE_URL"].rstrip("/"))
    me = ana_api.client.get("/u/ana").data.decode()
    assert f'href="/crews/{crew["slug"]}"' in me  # Me links to the crew

    # a visitor sees who invites them and the running round, then joins through sign-up
    landing = new_api().client.get(path)
    assert landing.status_code == 200
    text = landing.data.decode()
    assert "@ana invites you to join Late Ballers" in text and round_.slug in text
    assert "Join Ginga and the crew" in text
    bob_api = new_api("bob")
    shown = bob_api.client.get(path).data.decode()
    assert 'id="accept-invite"' in shown
    joined = bob_api.client.post(path, data={"csrf_token": bob_api.token()})
    assert joined.status_code == 302 and joined.location.endswith(f"/crews/{crew['slug']}")
    members = bob_api.get(f"/api/v1/crews/{crew['slug']}").get_json()
    assert "bob" in {m["username"] for m in members["members"]}  # no approval needed

    # a forged, altered or stale link is a clear 404, and nothing changes
    for bad in (path[:-3] + "xyz", f"/crews/{crew['slug']}/invite/nonsense"):
        answer = new_api("voter1").client.get(bad)
        assert answer.status_code == 404 and b"no longer works" in answer.data
    other = new_api("voter2")
    refused = other.client.post(path[:-3] + "xyz", data={"csrf_token": other.token()})
    assert refused.status_code == 404
    # a link stops working once its member has left
    assert ana_api.delete(f"/api/v1/crews/{crew['slug']}/members/ana").status_code in (200, 204)
    assert new_api("voter3").client.get(path).status_code == 404
    assert bob.id


def test_the_crew_board_shows_its_top_and_the_fans_own_crew_below(
    app, make_user, make_round, make_entry, new_api
):
    round_ = make_round("voting")
    long_ago = utcnow() - timedelta(days=30)
    with app.app_context():
        for i in range(55):
            captain = make_user(f"cap{i:02d}")
            crew = Crew(
                name=f"Crew {i:02d}", name_key=f"crew {i:02d}", slug=f"crew-{i:02d}",
                captain_id=captain.id,
            )  # fmt: skip
            db.session.add(crew)
            db.session.flush()
            db.session.add(
                CrewMember(crew_id=crew.id, user_id=captain.id, status="member", joined_at=long_ago)
            )
            db.session.commit()
            # the first crews' clips are rated best: Crew 54 comes last
            make_entry(round_.id, captain.id, rating_count=10, rating_sum=50 - i // 2)
    board = new_api("cap54").client.get(f"/rounds/{round_.slug}/crews").data.decode()
    assert board.count('href="/crews/crew-') == 51  # the top 50, and the fan's own crew
    assert 'id="my-crew-row"' in board and "#55" in board and "The top 50 of 55 crews." in board
    visitor = new_api().client.get(f"/rounds/{round_.slug}/crews").data.decode()
    assert visitor.count('href="/crews/crew-') == 50 and 'id="my-crew-row"' not in visitor
