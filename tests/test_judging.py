"""Judge mode's queue: fair order, never one's own or an already judged clip, clear refusals."""

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from contest.extensions import db
from contest.models import Entry, Rating, Round, utcnow


def queue(api, round_id, limit=10, skip=""):
    suffix = f"&skip={skip}" if skip else ""
    return api.get(f"/api/v1/rounds/{round_id}/judge?limit={limit}{suffix}")


def code(response):
    return response.get_json()["error"]["code"]


def test_the_queue_serves_unjudged_clips_of_others_fewest_ratings_first(
    make_user, make_round, make_entry, new_api
):
    round_ = make_round("open")
    me = make_user("judge")
    others = [make_user(f"author{i}") for i in range(3)]
    mine = make_entry(round_.id, me.id, title="Mine")
    clips = [make_entry(round_.id, others[i % 3].id, title=f"Clip {i}") for i in range(6)]
    make_entry(round_.id, others[0].id, title="Hidden", status="hidden")
    rater = new_api(make_user("rater").username)
    for clip in clips[:3]:  # half the clips already have a rating
        assert rater.put(f"/api/v1/entries/{clip.id}/rating", {"stars": 4}).status_code == 200
    fan = new_api("judge")
    body = queue(fan, round_.id).get_json()
    ids = [e["id"] for e in body["entries"]]
    assert body["judged"] == 0 and body["total"] == 6
    assert mine.id not in ids and len(ids) == 6
    assert set(ids[:3]) == {c.id for c in clips[3:]}  # never rated: first
    assert ids[0] != ids[1] and body["entries"][0]["video_url"]
    # judging one takes it out of the queue; the count moves
    assert fan.put(f"/api/v1/entries/{ids[0]}/rating", {"stars": 5}).status_code == 200
    after = queue(fan, round_.id).get_json()
    assert ids[0] not in [e["id"] for e in after["entries"]]
    assert after["judged"] == 1 and after["total"] == 6
    # the page can ask for more without the clips it already holds
    rest = queue(fan, round_.id, limit=2, skip=",".join(map(str, ids[1:4]))).get_json()
    assert [e["id"] for e in rest["entries"]] == ids[4:6]


def test_every_fan_has_an_own_order_among_equals(make_user, make_round, make_entry, new_api):
    round_ = make_round("open")
    author = make_user("author")
    for i in range(12):
        make_entry(round_.id, author.id, title=f"Clip {i}")
    orders = set()
    for name in ("ana", "bea", "caio"):
        make_user(name)
        fan = new_api(name)
        first = [e["id"] for e in queue(fan, round_.id, limit=12).get_json()["entries"]]
        again = [e["id"] for e in queue(fan, round_.id, limit=12).get_json()["entries"]]
        assert first == again  # stable for one fan
        orders.add(tuple(first))
    assert len(orders) == 3


def judge_everything(app, round_id, fans, per_fan, pick):
    """Each fan judges per_fan clips chosen by pick(fan), in turns of 5, as fans do at once."""
    left = {id(f): per_fan for f in fans}
    while any(left.values()):
        for fan in fans:
            if not left[id(fan)]:
                continue
            batch = pick(fan, min(5, left[id(fan)]))
            for entry_id in batch:
                rated = fan.put(f"/api/v1/entries/{entry_id}/rating", {"stars": 3})
                assert rated.status_code == 200
            left[id(fan)] -= len(batch)
    with app.app_context():
        counts = Counter(
            db.session.scalars(
                sa.select(Rating.entry_id).join(Entry).where(Entry.round_id == round_id)
            )
        )
        everyone = db.session.scalars(sa.select(Entry.id).where(Entry.round_id == round_id))
        return sorted(counts.get(i, 0) for i in everyone)


def test_a_fair_queue_gets_every_clip_seen(app, make_user, make_round, make_entry, new_api):
    """30 fans judge 10 clips each of a 50-clip round: every clip ends with 5-7 ratings."""
    round_ = make_round("open")
    authors = [make_user(f"author{i}") for i in range(10)]
    for i in range(50):
        make_entry(round_.id, authors[i % 10].id, title=f"Clip {i}")
    fans = [new_api(make_user(f"fan{i}").username) for i in range(30)]

    def from_queue(fan, n):
        return [e["id"] for e in queue(fan, round_.id, limit=n).get_json()["entries"]]

    counts = judge_everything(app, round_.id, fans, 10, from_queue)
    assert sum(counts) == 300
    assert min(counts) >= 5 and max(counts) <= 7, counts


def test_newest_first_leaves_most_clips_unseen(app, make_user, make_round, make_entry, new_api):
    """The contrast: the same run serving the newest clips first, as a plain list does."""
    round_ = make_round("open")
    authors = [make_user(f"author{i}") for i in range(10)]
    now = utcnow()
    for i in range(50):
        make_entry(
            round_.id, authors[i % 10].id, title=f"Clip {i}", created_at=now + timedelta(seconds=i)
        )
    fans = [new_api(make_user(f"fan{i}").username) for i in range(30)]
    seen = {id(f): set() for f in fans}

    def newest_first(fan, n):
        with app.app_context():
            ids = db.session.scalars(
                sa.select(Entry.id)
                .where(Entry.round_id == round_.id)
                .order_by(Entry.created_at.desc())
            ).all()
        batch = [i for i in ids if i not in seen[id(fan)]][:n]
        seen[id(fan)].update(batch)
        return batch

    counts = judge_everything(app, round_.id, fans, 10, newest_first)
    assert counts.count(0) == 40 and counts.count(30) == 10


def test_the_queue_refuses_clearly(app, make_user, make_round, make_entry, new_api, api):
    closed = make_round("closed")
    make_user("judge")
    fan = new_api("judge")
    refused = queue(fan, closed.id)
    assert refused.status_code == 409 and code(refused) == "voting_closed"
    assert "Voting is not open" in refused.get_json()["error"]["message"]
    upcoming = make_round("upcoming")
    assert queue(fan, upcoming.id).status_code == 409
    missing = queue(fan, 999999)
    assert missing.status_code == 404
    open_round = make_round("open")
    for bad, status in (("0", 422), ("51", 422), ("abc", 400), ("²", 400), ("-1", 400)):
        answer = fan.get(f"/api/v1/rounds/{open_round.id}/judge?limit={bad}")
        assert answer.status_code == status and code(answer) == "invalid_limit", bad
    huge = fan.get(f"/api/v1/rounds/{open_round.id}/judge?limit=99999999999999999999")
    assert huge.status_code == 400
    assert code(fan.get(f"/api/v1/rounds/{open_round.id}/judge?skip=1,x")) == "invalid_skip"


def test_anonymous_visitors_get_a_shuffled_list(make_user, make_round, make_entry, api):
    # fixed ids: an affine shuffle of 8 consecutive ids keeps them in order for about 1 round
    # id in 14, and ids from the sequence made this test fail now and then; these are shuffled
    round_ = make_round("open", id=900_001)
    author = make_user("author")
    ids = {make_entry(round_.id, author.id, title=f"Clip {i}", id=900_001 + i).id for i in range(8)}
    body = queue(api, round_.id, limit=50).get_json()
    assert body["judged"] is None and body["total"] == 8
    served = [e["id"] for e in body["entries"]]
    assert set(served) == ids and served != sorted(served)
    assert served == [e["id"] for e in queue(api, round_.id, limit=50).get_json()["entries"]]
    assert "my_rating" not in body["entries"][0]


def test_during_the_finals_only_finalists_are_served(
    app, make_user, make_round, make_entry, new_api
):
    now = utcnow()
    round_ = make_round(
        "voting", finals_open_at=now - timedelta(hours=1), finals_close_at=now + timedelta(days=1)
    )
    author = make_user("author")
    entries = [make_entry(round_.id, author.id, title=f"Clip {i}") for i in range(4)]
    with app.app_context():
        r = db.session.get(Round, round_.id)
        r.voting_close_at = now - timedelta(hours=2)
        r.finalists_at = now - timedelta(hours=2)
        for e in entries[:2]:
            db.session.get(Entry, e.id).finalist = True
        db.session.commit()
    make_user("judge")
    body = queue(new_api("judge"), round_.id).get_json()
    assert {e["id"] for e in body["entries"]} == {e.id for e in entries[:2]}
    assert body["total"] == 2
