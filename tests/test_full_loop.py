"""The whole contest loop through the public API and Socket.IO, as two fans and a moderator."""

import sqlalchemy as sa
from helpers import core, make_video, upload_video, wait_for_event, wait_for_status

from contest.accounts import users as accounts
from contest.extensions import db
from contest.models import User


def test_register_upload_rate_watch_close_publish(
    app, new_api, make_user, make_round, socket_client, tmp_path
):
    round_ = make_round("open", title="December skills")
    uploader, voter = new_api(), new_api()
    for client, name in ((uploader, "ronaldinha"), (voter, "kaka")):
        response = client.post(
            "/api/v1/auth/register",
            {"username": name, "email": f"{name}@example.com", "password": "joga bonito"},
        )
        assert response.status_code == 201
        # the link from the verification mail (logged here: no mail server)
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == name))
            token = accounts.verification_token(user)
        assert client.client.get(f"/verify/{token}").status_code == 302
        assert client.get("/api/v1/me").get_json()["email_verified"] is True

    entry_id = upload_video(uploader, round_.id, make_video(tmp_path, seconds=2), title="Elastico")
    entry = wait_for_status(uploader, entry_id)
    assert entry["status"] == "live" and entry["video_url"] and entry["poster_url"]

    watcher = socket_client()  # an anonymous phone watching the round
    assert watcher.emit("join", {"room": f"round:{round_.id}"}, callback=True)["ok"]
    assert watcher.emit("join", {"room": f"entry:{entry_id}"}, callback=True)["ok"]

    refused = uploader.put(f"/api/v1/entries/{entry_id}/rating", {"stars": 5})
    assert refused.status_code == 403
    rated = voter.put(f"/api/v1/entries/{entry_id}/rating", {"stars": 4})
    assert rated.status_code == 200
    summary = rated.get_json()["rating"]
    # (an earlier event, from the entry going live, may arrive first: wait for this rating's)
    expected = {"entry_id": entry_id, **summary}
    assert wait_for_event(watcher, "rating", lambda data: core(data) == expected)
    assert summary["count"] == 1 and summary["average"] == 4.0

    board = voter.get(f"/api/v1/rounds/{round_.id}").get_json()["leaderboard"]
    assert board[0]["entry_id"] == entry_id and board[0]["author"] == "ronaldinha"

    make_user("referee", role="moderator")
    mod = new_api("referee")
    closed = mod.post(f"/api/v1/rounds/{round_.id}/close", {"force": True})
    assert closed.status_code == 200
    assert closed.get_json()["results"][0]["entry_id"] == entry_id
    late = voter.put(f"/api/v1/entries/{entry_id}/rating", {"stars": 1})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "voting_closed"
    assert mod.post(f"/api/v1/rounds/{round_.id}/publish").status_code == 200

    public = new_api().get(f"/api/v1/rounds/{round_.id}").get_json()
    assert public["phase"] == "published"
    assert public["results"][0] == {
        "entry_id": entry_id,
        "title": "Elastico",
        "author": "ronaldinha",
        "rank": 1,
        "score": summary["score"],
        "average": 4.0,
        "count": 1,
        "stage": "main",
        "medal": "gold",
    }
    page = new_api().get(f"/rounds/{public['slug']}/results").data.decode()
    assert "Elastico" in page and "ronaldinha" in page
