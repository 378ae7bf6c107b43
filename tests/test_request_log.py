"""The request log's writer: a request's line and its count for /metrics leave the request's
thread as one queued object, and come out as logging itself would have written them."""

import io
import json
import logging
import re
import threading
import time
from contextlib import contextmanager

import pytest
from conftest import make_config
from test_operations import _value

from contest import create_app, request_log
from contest.log_writer import TEXT_FORMAT, Deferred, JsonFormatter


def _answered(at, **changes):
    facts = dict(
        rid="abcdef123456000000000001",
        method="PUT",
        path='/api/v1/x?y="é"',
        status=422,
        seconds=0.01234,
        endpoint="api.x",
        user=None,
        remote="127.0.0.1",
    )
    facts.update(changes)
    return request_log.Answered(at, **facts)


@pytest.mark.parametrize("json_lines", [False, True])
def test_a_line_built_by_the_writer_is_the_line_logging_would_write(json_lines):
    formatter = JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT)
    if json_lines:
        formatter.converter = time.gmtime  # as configure_logging sets it
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(formatter)
    level = logging.getLogger().level
    logging.getLogger().setLevel(logging.INFO)
    try:
        for at in (time.time(), 1764968691.0, 1764968691.0009, 1764968691.9999, 1764968692.5):
            for user in (None, 42):
                answered = _answered(at, user=user)
                assert answered.settle(handler) == handler.format(answered.record())
        quiet = _answered(time.time(), endpoint="health.healthz", status=200)
        assert quiet.settle(handler) is None  # counted, not logged
        handler.setLevel(logging.WARNING)
        assert _answered(time.time()).settle(handler) is None
    finally:
        logging.getLogger().setLevel(level)


@contextmanager
def _writer_alone(app):
    """Logging as a server process has it: the writer's handler alone on the root logger
    (pytest's own handlers set aside meanwhile)."""
    request_log.configure_logging(app)
    root = logging.getLogger()
    handoff = next(h for h in root.handlers if getattr(h, "ginga", False))
    stream = io.StringIO()
    handoff.writer.setStream(stream)
    saved = [h for h in root.handlers if h is not handoff]
    root.handlers = [handoff]
    try:
        assert request_log._writer_takes()
        yield stream
    finally:
        request_log.flush()
        root.handlers = saved


def _held(write, entered, until):
    def held(text):
        entered.set()
        until.wait(10)
        return write(text)

    return held


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_writer_logs_and_counts_each_request(schema, tmp_path, log_format):
    config = make_config(
        schema, tmp_path / "uploads", LOG_FORMAT=log_format, METRICS_TOKEN="tok-12345"
    )
    app = create_app(config)
    client, auth = app.test_client(), {"Authorization": "Bearer tok-12345"}
    series = dict(endpoint="unmatched", method="GET", status="404")
    with _writer_alone(app) as stream:
        before = _value(
            client.get("/metrics", headers=auth).text, "ginga_http_requests_total", **series
        )
        entered, written = threading.Event(), threading.Event()
        stream.write = _held(stream.write, entered, written)  # busy until `written`
        logging.getLogger("contest.test-busy").warning("a line ahead of the request")
        assert entered.wait(10)  # the writer is inside its write: the request queues behind
        r = client.get("/api/v1/nowhere", headers={"X-Request-ID": "probe-11111111"})
        assert r.status_code == 404
        threading.Timer(0.2, written.set).start()  # (any delay: /metrics waits for the writer)
        after = client.get("/metrics", headers=auth).text  # counted although the writer was busy
        assert _value(after, "ginga_http_requests_total", **series) == before + 1
        request_log.flush()
    lines = [line for line in stream.getvalue().splitlines() if "probe-11111111" in line]
    assert len(lines) == 1
    if log_format == "json":
        line = json.loads(lines[0])
        assert line["logger"] == "contest.requests" and line["status"] == 404
        assert line["path"] == "/api/v1/nowhere" and line["time"].endswith("Z")
    else:
        pattern = (
            r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO contest\.requests "
            r"\[probe-11111111\] GET /api/v1/nowhere 404 \d+\.\dms"
        )
        assert re.fullmatch(pattern, lines[0])
    assert not any("/metrics" in line for line in stream.getvalue().splitlines())  # quiet


class _Broken(Deferred):
    def settle(self, handler):
        raise RuntimeError("broken")


def test_a_failing_settle_does_not_stop_the_writer(schema, tmp_path, capsys):
    app = create_app(make_config(schema, tmp_path / "uploads"))
    with _writer_alone(app) as stream:
        request_log._listener.queue.put(_Broken())
        logging.getLogger("contest.test-after").warning("still writing")
        request_log.flush()
    assert "still writing" in stream.getvalue()
    assert "could not settle" in capsys.readouterr().err  # logging's handleError report
