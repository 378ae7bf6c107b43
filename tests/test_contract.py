"""The contract test: schemathesis over the generated OpenAPI document, against the app.

Every operation is called with generated bodies and query strings, as an anonymous visitor, a
verified fan and a moderator, on real ids (a live entry, its round, a comment, a fan, an
unfinished upload) so requests get past 404s. Every answer must be no server error and match
the schema its operation declares, with a status it declares (no catch-all "default").
Examples are bounded (CONTRACT_EXAMPLES) to fit CI's time.
"""

import os
from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from contest.community import comments
from contest.extensions import db
from contest.models import User

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "12"))
ROLES = ("visitor", "fan", "moderator")


@pytest.fixture
def world(app, new_api, make_user, make_round, make_entry):
    """Real rows for path parameters, and each role's cookie and CSRF header."""
    author = make_user("author")
    make_user("fan")
    make_user("mod", role="moderator")
    round_ = make_round("open")
    entry = make_entry(round_.id, author.id)
    with app.test_request_context("/", method="POST"):
        comment = comments.post_comment(db.session.get(User, author.id), entry.id, "Nice @fan")
        comment_id = comment.id
    fan = new_api("fan")
    started = fan.post(
        "/api/v1/uploads",
        {
            "round_id": round_.id,
            "title": "Rabona",
            "filename": "clip.mp4",
            "size": 300_000,
            "content_type": "video/mp4",
        },
    ).get_json()
    headers, cookies = {"visitor": {}}, {"visitor": {}}
    for role, username in (("fan", "fan"), ("moderator", "mod")):
        api = fan if role == "fan" else new_api(username)
        cookie = api.client.get_cookie("session")
        headers[role] = {"X-CSRFToken": api.token()}
        cookies[role] = {"session": cookie.value}
    ids = {
        "entry_id": entry.id,
        "round_id": round_.id,
        "comment_id": comment_id,
        "username": "author",
        "upload_id": started["upload_id"],
        "number": 1,
    }
    return SimpleNamespace(ids=ids, headers=headers, cookies=cookies)


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


contract = schemathesis.pytest.from_fixture("api_schema")


@contract.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples every run: a red contract test is never luck
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_matches_its_schema_and_none_is_a_server_error(case, world):
    for name in case.path_parameters or {}:
        if name in world.ids:
            case.path_parameters[name] = world.ids[name]
    for role in ROLES:  # the same request from each role: what one may do, another may not
        case.call_and_validate(
            headers=world.headers[role],
            cookies=world.cookies[role],
            checks=[not_a_server_error, response_schema_conformance, status_code_conformance],
        )


@pytest.mark.parametrize(
    "method, path, body, code",
    [
        ("PATCH", "/api/v1/me", {"language": []}, "invalid_language"),
        ("PATCH", "/api/v1/me", {"bio": 7}, "invalid_field"),
        ("POST", "/api/v1/moderation/entries/{entry_id}", {"action": {}}, "invalid_action"),
        ("PUT", "/api/v1/entries/{entry_id}/rating", {"stars": [5]}, "invalid_stars"),
        ("PUT", "/api/v1/notifications/settings", {"comment": ["digest"]}, "invalid_settings"),
        ("PATCH", "/api/v1/rounds/{round_id}", {"blind_hours": "3"}, "invalid_field"),
    ],
)
def test_what_the_fuzzer_found_is_a_clear_422(world, new_api, method, path, body, code):
    moderator = new_api("mod")
    before = moderator.get(f"/api/v1/entries/{world.ids['entry_id']}").get_json()
    response = moderator.request(method, path.format(**world.ids), body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == code
    assert moderator.get(f"/api/v1/entries/{world.ids['entry_id']}").get_json() == before
