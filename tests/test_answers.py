"""Answers: a fan answers another fan's skill; linked both ways; the answered fan is told."""

import sqlalchemy as sa
from helpers import make_video, upload_video, wait_for_status

from contest.extensions import db
from contest.models import Notification


def test_an_answer_links_both_ways_and_tells_the_answered_fan(
    app, make_user, new_api, make_round, make_entry, tmp_path
):
    ana = make_user("ana")
    make_user("bob")
    round_ = make_round("open")
    skill = make_entry(round_.id, ana.id, title="Elastico")
    bob = new_api("bob")
    page = bob.client.get(f"/entries/{skill.id}").data.decode()
    assert "Answer this skill" in page
    form = bob.client.get(f"/upload?round={round_.slug}&answers={skill.id}").data.decode()
    assert f'data-answers="{skill.id}"' in form and "Your answer to @ana" in form
    entry_id = upload_video(
        bob, round_.id, make_video(tmp_path), title="Elastico, reversed", answers=skill.id
    )
    body = wait_for_status(bob, entry_id)
    assert body["status"] == "live" and body["answers"] == skill.id
    answered = new_api().get(f"/api/v1/entries/{skill.id}").get_json()
    assert answered["answered_by"] == [entry_id]
    listed = new_api().get(f"/api/v1/rounds/{round_.id}/entries?sort=new").get_json()["entries"]
    assert {e["id"]: e["answered_by"] for e in listed}[skill.id] == [entry_id]
    with app.app_context():
        told = db.session.scalars(
            sa.select(Notification.text).where(
                Notification.user_id == ana.id, Notification.kind == "answer"
            )
        ).all()
    assert told == ["bob answered your skill Elastico."]
    skill_page = new_api().client.get(f"/entries/{skill.id}").data.decode()
    assert 'id="answers"' in skill_page and "Elastico, reversed" in skill_page
    answer_page = new_api().client.get(f"/entries/{entry_id}").data.decode()
    assert "Answer to @ana" in answer_page
    assert "Answer this skill" not in bob.client.get(f"/entries/{entry_id}").data.decode()


def test_what_cannot_be_answered(app, make_user, new_api, make_round, make_entry, tmp_path):
    ana = make_user("ana")
    bob = make_user("bob")
    round_, other = make_round("open"), make_round("open")
    mine = make_entry(round_.id, bob.id)
    elsewhere = make_entry(other.id, ana.id)
    hidden = make_entry(round_.id, ana.id, status="hidden")
    video = make_video(tmp_path)
    api = new_api("bob")
    for answers in (mine.id, elsewhere.id, hidden.id, 999_999, 2**40, "7"):
        started = api.post(
            "/api/v1/uploads",
            {
                "round_id": round_.id,
                "title": "Answer",
                "filename": video.name,
                "size": video.stat().st_size,
                "answers": answers,
            },
        )
        assert started.status_code == 422, (answers, started.get_json())
        assert started.get_json()["error"]["code"] == "invalid_answers"
    assert len(api.get(f"/api/v1/rounds/{round_.id}/entries").get_json()["entries"]) == 1
