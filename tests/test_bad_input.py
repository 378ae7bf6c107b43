"""Input that used to make a 500 gets a clear 4xx, on SQLite and PostgreSQL."""

import pytest

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


UNSTORABLE = ["a\ud800", "a\x00b", "\udfff"]


def test_unstorable_text_in_any_json_field_is_a_422_naming_it(
    api, new_api, make_user, make_round, make_entry
):
    fan = make_user("fan")
    entry = make_entry(make_round("open").id, make_user("author").id)
    signed_in = new_api("fan")
    cases = [
        (api, "POST", "/api/v1/auth/login", {"login": None, "password": "x" * 8}, "login"),
        (api, "POST", "/api/v1/auth/login", {"login": "fan", "password": None}, "password"),
        (
            api,
            "POST",
            "/api/v1/auth/register",
            {"username": None, "email": "z@example.com", "password": "x" * 8},
            "username",
        ),
        (
            api,
            "POST",
            "/api/v1/auth/register",
            {"username": "zed", "email": None, "password": "x" * 8},
            "email",
        ),
        (signed_in, "POST", f"/api/v1/entries/{entry.id}/comments", {"body": None}, "body"),
        (signed_in, "PATCH", "/api/v1/me", {"display_name": None}, "display_name"),
        (signed_in, "PATCH", "/api/v1/me", {"bio": None}, "bio"),
        (
            signed_in,
            "POST",
            "/api/v1/uploads",
            {"round_id": entry.round_id, "title": None, "filename": "a.mp4", "size": 100},
            "title",
        ),
    ]
    for value in UNSTORABLE:
        for client, method, path, body, field in cases:
            body = {k: (value if v is None else v) for k, v in body.items()}
            answer = client.request(method, path, body)
            assert answer.status_code == 422, (path, field, value, answer.get_json())
            error = answer.get_json()["error"]
            assert error["code"] == "invalid_text" and error["field"] == field
    assert signed_in.get("/api/v1/me").get_json()["display_name"] == "fan"  # nothing stored
    assert fan.username == "fan"


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True}])
def test_unstorable_sign_in_names_never_reach_the_limits_lookup(api, client):
    from helpers import csrf_of

    for value in UNSTORABLE:
        answer = api.post("/api/v1/auth/login", {"login": value, "password": "x" * 8})
        assert answer.status_code == 422 and answer.get_json()["error"]["field"] == "login"
        if "\x00" not in value:
            continue  # a form cannot carry a lone surrogate: UTF-8 has no bytes for it
        page = client.get("/login")
        answer = client.post(
            "/login", data={"csrf_token": csrf_of(page), "login": value, "password": "x" * 8}
        )
        assert answer.status_code in (400, 422), answer.status_code


def test_unstorable_text_in_query_strings_and_forms_is_refused(client, make_user):
    from helpers import csrf_of

    assert client.get("/api/v1/rounds?x=a%00b").status_code == 422
    page = client.get("/login")
    answer = client.post(
        "/login", data={"csrf_token": csrf_of(page), "login": "a\x00b", "password": "x" * 8}
    )
    assert answer.status_code == 422 and b"cannot be stored" in answer.data


@pytest.mark.parametrize("depth", [40, 4000])  # 4000: past the parser's own recursion limit
def test_deeply_nested_json_is_a_400(api, depth):
    body = b"[" * depth + b"]" * depth
    answer = api.client.post(
        "/api/v1/auth/login",
        data=b'{"login": ' + body + b', "password": "x"}',
        content_type="application/json",
        headers={"X-CSRFToken": api.token()},
    )
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "too_deep"


def test_cr_lf_in_next_never_splits_a_header(client, make_user):
    from helpers import csrf_of

    make_user("ana")
    page = client.get("/login")
    evil = "/%0d%0aSet-Cookie:%20x=1"
    answer = client.post(
        f"/login?next={evil}",
        data={"csrf_token": csrf_of(page), "login": "ana", "password": "correct horse"},
    )
    assert answer.status_code == 302 and answer.location == "/"
    assert "x=1" not in answer.headers.get("Set-Cookie", "")
    assert client.get(f"/login?next={evil}").status_code == 302  # signed in: straight back home
    answer = client.post(
        "/language", data={"csrf_token": csrf_of(page), "lang": "th", "next": "/\r\nX-A: b"}
    )
    assert answer.status_code == 302 and answer.location == "/"


def test_page_numbers_past_any_column_or_not_ascii_digits(api):
    for page in ("99999999999999999999", "2147483648", "²", "-1", "1.5"):
        answer = api.get(f"/api/v1/rounds?page={page}")
        assert answer.status_code in (200, 422), (page, answer.status_code)
    assert api.client.get("/?page=99999999999999999999").status_code < 500


UNNAMED_PART = b"--XX\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--XX--\r\n"
UNNAMED_FILE = (
    b'--XX\r\nContent-Disposition: form-data; filename="a.png"\r\n'
    b"Content-Type: image/png\r\n\r\nPNG\r\n--XX--\r\n"
)


@pytest.mark.parametrize("body", [UNNAMED_PART, UNNAMED_FILE])
@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/rounds", "/api/v1/me/avatar", "/x/y"])
def test_a_form_part_without_a_name_is_a_400_saying_so(client, path, body):
    response = client.post(path, data=body, content_type="multipart/form-data; boundary=XX")
    assert response.status_code == 400
    if path.startswith("/api/"):
        error = response.get_json()["error"]
        assert error["code"] == "invalid_form" and "has no name" in error["message"]
    else:
        assert "has no name" in response.data.decode()


def test_an_upload_content_type_over_its_column_is_a_422(new_api, make_user, make_round, app):
    make_user("fan")
    fan = new_api("fan")
    round_ = make_round("open")
    body = {"round_id": round_.id, "title": "Rabona", "filename": "a.mp4", "size": 1000}
    response = fan.post("/api/v1/uploads", {**body, "content_type": "video/" + "x" * 120})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["field"] == "content_type" and "100" in error["message"]
    assert fan.post("/api/v1/uploads", {**body, "content_type": "video/mp4"}).status_code == 201


@pytest.mark.parametrize("path", ["/api/v1/rounds", "/"])
def test_oversized_urls_and_headers_get_the_sites_own_answer(client, path):
    long_url = client.get(path + "?q=" + "x" * 5000)
    assert long_url.status_code == 414
    big_header = client.get(path, headers={"X-Big": "y" * 9000})
    assert big_header.status_code == 431
    if path.startswith("/api/"):
        assert long_url.get_json()["error"]["code"] == "uri_too_long"
        assert big_header.get_json()["error"]["code"] == "headers_too_large"
    else:
        assert "too long" in long_url.data.decode()


def test_gunicorn_lets_the_app_answer_oversized_requests(start_server):
    """gunicorn's own limits sit above the app's, so a 5,000-character URL reaches the app."""
    import requests
    from servers import Gunicorn

    server = start_server(server_class=Gunicorn)
    answer = requests.get(server.url + "/api/v1/rounds?q=" + "x" * 5000, timeout=5)
    assert answer.status_code == 414 and answer.json()["error"]["code"] == "uri_too_long"
    answer = requests.get(server.url + "/api/v1/rounds", headers={"X-Big": "y" * 9000}, timeout=5)
    assert answer.status_code == 431 and answer.json()["error"]["code"] == "headers_too_large"
