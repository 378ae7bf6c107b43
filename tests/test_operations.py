"""What operators rely on: /healthz, /readyz with each part up and down, /metrics, request ids."""

import logging
import re
import uuid

import pytest
import requests
from conftest import make_config
from helpers import sql_statements
from servers import Gunicorn, free_port

from contest import create_app
from contest.extensions import db


def test_healthz_answers_without_the_database(app, client, make_user):
    make_user("fan")
    client.post("/login", data={"login": "fan", "password": "correct horse"})
    with sql_statements(app) as seen:
        r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}
    assert seen == []


def test_readyz_names_the_database_when_it_is_down(private_postgres, tmp_path):
    app = create_app(make_config(private_postgres.url, tmp_path / "uploads"))
    client = app.test_client()
    up = client.get("/readyz")
    assert up.status_code == 200, up.get_json()
    assert set(up.get_json()["checks"]) == {"database", "storage"}
    private_postgres.stop("immediate")
    down = client.get("/readyz")
    assert down.status_code == 503
    body = down.get_json()
    assert body["error"]["code"] == "not_ready"
    assert body["error"]["failing"] == ["database"]
    assert "database" in body["error"]["message"]
    assert body["checks"]["storage"].startswith("ok")
    private_postgres.start()
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_readyz_names_redis_when_it_is_down(schema, private_redis, tmp_path):
    app = create_app(make_config(schema, tmp_path / "uploads", REDIS_URL=private_redis.url))
    client = app.test_client()
    up = client.get("/readyz")
    assert up.status_code == 200
    assert set(up.get_json()["checks"]) == {"database", "redis", "storage"}
    private_redis.stop()
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.get_json()["error"]["failing"] == ["redis"]
    assert down.get_json()["checks"]["database"].startswith("ok")


def test_readyz_names_storage_when_s3_is_down(schema, private_s3, tmp_path):
    settings = {
        "STORAGE": "s3",
        "S3_BUCKET": f"ginga-{uuid.uuid4().hex[:10]}",
        "S3_ENDPOINT_URL": private_s3.url,
    }
    app = create_app(make_config(schema, tmp_path / "uploads", **settings))
    private_s3.client().create_bucket(Bucket=settings["S3_BUCKET"])
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    private_s3.stop()
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.get_json()["error"]["failing"] == ["storage"]
    # a bucket that is not there is not ready either
    private_s3.restart()
    gone = create_app(
        make_config(schema, tmp_path / "uploads", **{**settings, "S3_BUCKET": "no-such-bucket"})
    )
    assert gone.test_client().get("/readyz").get_json()["error"]["failing"] == ["storage"]


def test_readyz_says_503_while_the_process_drains(app, client):
    assert client.get("/readyz").status_code == 200
    app.extensions["draining"] = True
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.get_json()["error"]["failing"] == ["process"]


def _value(text, name, **labels):
    """The sample's value in Prometheus' text format (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" (\S+)"
    found = re.search(r"^" + pattern + r"$", text, re.M)
    return float(found.group(1)) if found else 0.0


@pytest.mark.parametrize("config_overrides", [{"METRICS_TOKEN": "s3cret-metrics"}])
def test_metrics_need_the_token_and_count_a_rating(
    app, client, api, make_user, make_round, make_entry
):
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.get_json()["error"]["code"] == "metrics_token_required"
    auth = {"Authorization": "Bearer s3cret-metrics"}
    before = client.get("/metrics", headers=auth)
    assert before.status_code == 200
    assert before.headers["Content-Type"].startswith("text/plain")
    author = make_user("author")
    make_user("fan")
    round_ = make_round("voting")
    entry = make_entry(round_.id, author.id)
    api.login("fan")
    assert api.put(f"/api/v1/entries/{entry.id}/rating", json={"stars": 4}).status_code == 200
    after = client.get("/metrics", headers=auth).get_data(as_text=True)
    text = before.get_data(as_text=True)
    assert _value(after, "ginga_ratings_committed_total") == (
        _value(text, "ginga_ratings_committed_total") + 1
    )
    assert _value(after, "ginga_rating_batch_size_count") >= 1
    labels = {"endpoint": "api.put_rating", "method": "PUT", "status": "200"}
    assert _value(after, "ginga_http_requests_total", **labels) == (
        _value(text, "ginga_http_requests_total", **labels) + 1
    )
    assert "ginga_http_request_seconds_bucket" in after
    assert "ginga_open_websockets" in after


def test_metrics_are_hidden_unless_configured(client):
    r = client.get("/metrics")
    assert r.status_code == 404


def test_metrics_answer_without_a_token_on_their_own_address(start_server):
    metrics_bind = f"127.0.0.1:{free_port()}"
    server = start_server(
        env={"METRICS_BIND": metrics_bind}, server_class=Gunicorn, METRICS_BIND=metrics_bind
    )
    public = requests.get(f"{server.url}/metrics", timeout=10)
    assert public.status_code == 401  # the public address wants the token (none is set)
    private = requests.get(f"http://{metrics_bind}/metrics", timeout=10)
    assert private.status_code == 200
    assert "ginga_http_requests_total" in private.text


def test_metrics_add_up_over_processes(start_server, tmp_path, make_user, make_round, make_entry):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(folder)}
    one = start_server(env=env, METRICS_TOKEN="tok")
    two = start_server(env=env, METRICS_TOKEN="tok")
    author = make_user("author")
    make_user("fan")
    round_ = make_round("voting")
    entry = make_entry(round_.id, author.id)
    for server, stars in ((one, 2), (two, 5), (two, 3)):
        fan = server.session("fan")
        r = fan.put(f"{server.url}/api/v1/entries/{entry.id}/rating", json={"stars": stars})
        assert r.status_code == 200, r.text
    text = requests.get(
        f"{one.url}/metrics", headers={"Authorization": "Bearer tok"}, timeout=10
    ).text
    assert _value(text, "ginga_ratings_committed_total") == 3


def test_each_request_logs_one_line_with_its_id(app, client, caplog):
    caplog.set_level(logging.INFO, logger="contest.requests")
    r = client.get("/api/v1/entries/999999")
    assert r.status_code == 404
    rid = r.headers["X-Request-ID"]
    assert r.get_json()["error"]["request_id"] == rid
    lines = [rec for rec in caplog.records if rec.name == "contest.requests"]
    assert len(lines) == 1
    assert lines[0].request_id == rid and lines[0].status == 404
    assert "GET /api/v1/entries/999999 404" in lines[0].getMessage()


def test_a_proxy_request_id_is_kept_and_a_bad_one_replaced(client):
    given = "nginx-" + uuid.uuid4().hex
    r = client.get("/api/v1/entries/999999", headers={"X-Request-ID": given})
    assert r.headers["X-Request-ID"] == given == r.get_json()["error"]["request_id"]
    bad = client.get(
        "/api/v1/entries/999999", headers={"X-Request-ID": "<script>alert(1)</script>"}
    )
    assert bad.headers["X-Request-ID"] != "<script>alert(1)</script>"
    assert re.fullmatch(r"[0-9a-f]{24}", bad.headers["X-Request-ID"])


def test_error_pages_show_the_request_id(client):
    r = client.get("/rounds/no-such-round")
    assert r.status_code == 404
    assert r.headers["X-Request-ID"] in r.get_data(as_text=True)


def test_json_log_lines_carry_the_request_id(schema, tmp_path):
    import io
    import json

    from contest import request_log

    app = create_app(make_config(schema, tmp_path / "uploads", LOG_FORMAT="json"))
    request_log.configure_logging(app)
    root = logging.getLogger()
    handler = next(h for h in root.handlers if getattr(h, "ginga", False))
    stream = io.StringIO()
    handler.writer.setStream(stream)
    try:
        r = app.test_client().get("/healthz?x=1", headers={"X-Request-ID": "probe-12345678"})
        app.test_client().get("/api/v1/nowhere", headers={"X-Request-ID": "probe-87654321"})
        request_log.flush()  # one thread writes the lines: wait for it
    finally:
        root.removeHandler(handler)
    assert r.status_code == 200
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    answered = [line for line in lines if line.get("logger") == "contest.requests"]
    assert [line["request_id"] for line in answered] == ["probe-87654321"]  # /healthz is quiet
    assert answered[0]["status"] == 404 and answered[0]["path"] == "/api/v1/nowhere"
    assert answered[0]["level"] == "info" and answered[0]["time"].endswith("Z")


def test_the_log_writer_writes_what_waits_in_one_write(schema, tmp_path):
    """Lines that queue up while the writer is busy go out together, and none is lost."""
    import io

    from contest import request_log

    class Counting(io.StringIO):
        writes = 0

        def write(self, text):
            self.writes += 1
            return super().write(text)

    app = create_app(make_config(schema, tmp_path / "uploads"))
    request_log.configure_logging(app)
    root = logging.getLogger()
    handler = next(h for h in root.handlers if getattr(h, "ginga", False))
    stream = Counting()
    handler.writer.setStream(stream)
    log = logging.getLogger("contest.test-writer")
    try:
        with handler.writer.lock:  # the writer is busy: 300 lines wait meanwhile
            for i in range(300):
                log.warning("line %d", i)
        request_log.flush()
    finally:
        root.removeHandler(handler)
    written = [line for line in stream.getvalue().splitlines() if "contest.test-writer" in line]
    assert [line.rsplit(" ", 1)[1] for line in written] == [str(i) for i in range(300)]
    assert stream.writes <= 3  # the line it held when it waited, then the rest at once


@pytest.mark.parametrize("config_overrides", [{"METRICS_TOKEN": "s3cret-metrics"}])
def test_metrics_keep_unknown_methods_in_one_series(client):
    auth = {"Authorization": "Bearer s3cret-metrics"}
    for method in ("BREW", "WHEN", "X-ANYTHING"):
        answer = client.open("/api/v1/me", method=method)
        assert answer.status_code == 405
    text = client.get("/metrics", headers=auth).get_data(as_text=True)
    assert 'method="BREW"' not in text and 'method="X-ANYTHING"' not in text
    labels = {"endpoint": "unmatched", "method": "other", "status": "405"}
    assert _value(text, "ginga_http_requests_total", **labels) >= 3


def test_request_ids_are_unique_and_a_forked_process_makes_its_own(client):
    import os

    from contest import request_log

    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(50)}
    assert len(ids) == 50 and all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a gunicorn worker is such a child: it must not repeat the parent's ids
        os.close(read)
        os.write(write, request_log._ids.next().encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 100).decode()
    os.close(read)
    os.waitpid(pid, 0)
    assert child[:12] != request_log._ids.next()[:12]
    assert child not in ids
