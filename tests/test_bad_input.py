"""Input that used to make a 500 gets a clear 4xx (issue 15's list, the part that is done)."""

from contest import create_app
from contest.config import Config

PAST_ANY_COLUMN = [2**31, 2**63, 10**20]


def test_ids_larger_than_any_column_are_not_found(api, make_user, make_round, make_entry):
    for big in PAST_ANY_COLUMN:
        for path in (f"/api/v1/entries/{big}", f"/api/v1/rounds/{big}", f"/entries/{big}"):
            response = api.get(path)
            # werkzeug's matcher answers 405 for some out-of-range paths: a 4xx either way
            assert response.status_code in (404, 405), (path, response.status_code)
            if path.startswith("/api/"):
                assert "error" in response.get_json()


def test_ids_in_bodies_larger_than_any_column_are_refused(new_api, make_user, make_round):
    make_user("fan")
    fan = new_api("fan")
    round_ = make_round("open")
    body = {"title": "Rabona", "filename": "a.mp4", "size": 1000, "content_type": "video/mp4"}
    for big in PAST_ANY_COLUMN:
        for field, value in (("round_id", big), ("entry_id", big)):
            response = fan.post("/api/v1/uploads", {"round_id": round_.id, **body, field: value})
            assert response.status_code == 422, response.get_json()
            assert response.get_json()["error"]["field"] == field


def test_a_body_over_the_limit_is_refused_before_it_is_read(api, app):
    too_big = b'{"login": "' + b"a" * app.config["MAX_CONTENT_LENGTH"] + b'"}'
    response = api.client.post("/api/v1/auth/login", data=too_big, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_the_body_limit_is_set_by_default(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/limit.db",
            "AUTO_MIGRATE": False,
            "SCHEDULER_INTERVAL": 0,
            "REDIS_URL": None,  # the Socket.IO singleton must keep no queue for the test clients
        }
    )
    try:
        assert app.config["MAX_CONTENT_LENGTH"] == Config.UPLOAD_PART_SIZE + 1024 * 1024
    finally:
        app.extensions["live"].stop()
        app.extensions["jobs"].shutdown()


def test_a_socket_join_without_a_room_gets_an_error_reply(socket_client):
    sio = socket_client()
    answer = sio.emit("join", callback=True)
    assert answer["error"]["code"] == "invalid_room"
    assert sio.emit("leave", callback=True) == {"ok": True, "room": None}
