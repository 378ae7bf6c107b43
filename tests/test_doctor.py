"""`flask doctor` finds each misconfiguration a real deployment must not have."""

import uuid

import pytest
from conftest import make_config

from contest import create_app, doctor

GOOD_KEY = "k" * 48


def findings(app, processes=1, worker_class="gthread", secret_key=GOOD_KEY):
    found = doctor.check(app, processes, worker_class, environ={"SECRET_KEY": secret_key})
    return {f.part: f for f in found if f.problem}


def make(schema, tmp_path, **settings):
    return create_app(make_config(schema, tmp_path / "uploads", **settings))


def test_a_laptop_needs_nothing_more(schema, tmp_path):
    app = make(schema, tmp_path)
    assert findings(app, secret_key="") == {}
    result = app.test_cli_runner().invoke(args=["doctor"], env={"SECRET_KEY": ""})
    assert result.exit_code == 0, result.output
    assert "Everything a deployment needs is in place." in result.output


def test_several_processes_need_a_fixed_secret_key_redis_and_postgresql(schema, tmp_path):
    app = make(schema, tmp_path)
    problems = findings(app, processes=4, secret_key="")
    assert "SECRET_KEY is not set" in problems["SECRET_KEY"].text
    assert "REDIS_URL is not set but several processes run" in problems["REDIS_URL"].text
    if schema.startswith("sqlite"):
        assert "PostgreSQL" in problems["DATABASE_URL"].text
    weak = findings(app, secret_key="dev")
    assert "short or a well-known word" in weak["SECRET_KEY"].text
    result = app.test_cli_runner().invoke(
        args=["doctor", "--processes", "4"], env={"SECRET_KEY": ""}
    )
    assert result.exit_code == 1
    assert "PROBLEM SECRET_KEY" in result.output and "problem(s) to fix" in result.output


def test_gevent_needs_redis_and_redis_must_answer(schema, tmp_path, private_redis):
    assert "gevent" in findings(make(schema, tmp_path), worker_class="gevent")["REDIS_URL"].text
    app = make(schema, tmp_path, REDIS_URL=private_redis.url)
    assert "REDIS_URL" not in findings(app, worker_class="gevent")
    private_redis.stop()
    assert "does not answer" in findings(app, worker_class="gevent")["REDIS_URL"].text


def test_s3_needs_its_bucket_and_a_cors_rule(schema, tmp_path, private_s3, smtp):
    bucket = f"ginga-{uuid.uuid4().hex[:10]}"
    settings = {
        "STORAGE": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": private_s3.url,
        "SITE_URL": "https://ginga.example",
        "SESSION_COOKIE_SECURE": True,
        "PROXY_HOPS": 1,
        **smtp.config(),
        "MAIL_DEFAULT_SENDER": "Ginga <hello@ginga.example>",
    }
    app = make(schema, tmp_path, **settings)
    assert "does not answer" in findings(app)["S3_BUCKET"].text  # no bucket yet
    private_s3.client().create_bucket(Bucket=bucket)
    assert "no CORS rule" in findings(app)["S3_BUCKET"].text
    result = app.test_cli_runner().invoke(args=["storage", "setup"])
    assert result.exit_code == 0, result.output
    assert findings(app) == {}
    elsewhere = make(schema, tmp_path, **{**settings, "SITE_URL": "https://other.example"})
    assert "https://other.example" in findings(elsewhere)["S3_BUCKET"].text


@pytest.mark.parametrize(
    ("settings", "part", "words"),
    [
        ({"SITE_URL": "http://127.0.0.1:5000"}, "SITE_URL", "a laptop address"),
        ({"SITE_URL": "http://ginga.example"}, "SITE_URL", "HTTPS"),
        (
            {"SITE_URL": "https://ginga.example", "SESSION_COOKIE_SECURE": False},
            "SESSION_COOKIE_SECURE",
            "SESSION_COOKIE_SECURE=1",
        ),
        ({"SITE_URL": "https://ginga.example", "PROXY_HOPS": 0}, "PROXY_HOPS", "PROXY_HOPS=1"),
        ({"MAIL_SERVER": None}, "MAIL_SERVER", "cannot confirm their email"),
        ({"PUSH_ALLOW_PRIVATE": True, "TESTING": False}, "PUSH_ALLOW_PRIVATE", "tests only"),
        ({"MAIL_DEFAULT_SENDER": "Ginga <ginga@localhost>"}, "MAIL_DEFAULT_SENDER", "reject"),
        ({"VAPID_PUBLIC_KEY": "abc"}, "VAPID", "VAPID_PRIVATE_KEY is missing"),
        (
            {"VAPID_PUBLIC_KEY": "a", "VAPID_PRIVATE_KEY": "b", "VAPID_SUBJECT": "me"},
            "VAPID_SUBJECT",
            "mailto:",
        ),
    ],
)
def test_a_public_site_needs_https_mail_and_push_keys(
    schema, tmp_path, settings, part, words, smtp
):
    good = {
        "SITE_URL": "https://ginga.example",
        "SESSION_COOKIE_SECURE": True,
        "PROXY_HOPS": 1,
        **smtp.config(),
        "MAIL_DEFAULT_SENDER": "Ginga <hello@ginga.example>",
        "REDIS_URL": None,
    }
    assert findings(make(schema, tmp_path, **good), processes=1) == {}
    app = make(schema, tmp_path, **{**good, **settings})
    problems = findings(app, processes=2 if part != "VAPID" else 1)
    problems.pop("REDIS_URL", None)  # two processes without Redis: tested above
    problems.pop("DATABASE_URL", None)
    assert set(problems) == {part}, problems
    assert words in problems[part].text


def test_the_mail_server_is_asked_and_a_wrong_password_is_reported(schema, tmp_path):
    from smtp_server import MailServer

    server = MailServer(login=("ginga", "right")).start()
    try:
        settings = {**server.config(), "MAIL_DEFAULT_SENDER": "Ginga <hello@ginga.example>"}
        good = make(schema, tmp_path, **settings, MAIL_USERNAME="ginga", MAIL_PASSWORD="right")
        assert "MAIL_SERVER" not in findings(good)
        wrong = make(schema, tmp_path, **settings, MAIL_USERNAME="ginga", MAIL_PASSWORD="wrong")
        assert "refused MAIL_USERNAME / MAIL_PASSWORD" in findings(wrong)["MAIL_SERVER"].text
    finally:
        server.stop()
    gone = make(schema, tmp_path, **settings, MAIL_TIMEOUT=2)
    assert "does not answer" in findings(gone)["MAIL_SERVER"].text
