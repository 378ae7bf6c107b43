"""One log line per request, with an id that follows the request into errors and other logs.

The id comes from the proxy's `X-Request-ID` when it looks like one (nginx: `$request_id`),
else it is made here; it is sent back in `X-Request-ID` and in every error answer as
`error.request_id`, and every log record written while the request runs carries it.
LOG_FORMAT=json writes each record as one JSON object per line (for a log shipper); the
default is plain text. Requests are counted and timed for /metrics by endpoint and status.
"""

import atexit
import itertools
import json
import logging
import os
import queue
import re
import secrets
import threading
import time

from flask import g, has_request_context, request

from contest import metrics
from contest.log_writer import TEXT_FORMAT, Deferred, Handoff, JsonFormatter, Writer

log = logging.getLogger("contest.requests")
GIVEN_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
QUIET = {"health.healthz", "health.readyz", "health.metrics_page", "static"}


def request_id():
    """This request's id, or None outside a request."""
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record written while a request runs."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id() or "-"
        return True


_listener = None


def configure_logging(app):
    """Root logging for a server process: INFO, text or JSON lines on stderr, written by one
    thread (`flush()` waits until everything logged so far is written)."""
    global _listener
    handler = logging.StreamHandler()
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
        handler.formatter.converter = time.gmtime
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handoff = Handoff(queue.SimpleQueue())
    handoff.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "ginga", False)]:
        root.removeHandler(old)
    if _listener is not None:
        _listener.stop()
    else:
        atexit.register(lambda: _listener and _listener.stop())  # write what is queued
    _listener = Writer(handoff, handler)
    _listener.start()
    handoff.ginga, handoff.writer = True, handler
    root.addHandler(handoff)
    root.setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def flush():
    """Wait until every record logged so far is written (and every request counted)."""
    listener = _listener
    if listener is not None and listener.running:
        reached = threading.Event()
        listener.queue.put(reached)
        reached.wait(10)


class _Ids:
    """Request ids: a random prefix per process (made again in a forked child) and a counter.

    Unique across processes without a system call per request (`secrets.token_hex` read
    /dev/urandom each time: ~5% of a signed-in GET's CPU). An id is not a secret: it names
    a request in logs and error answers.
    """

    def __init__(self):
        self.reset()

    def reset(self):
        self.prefix, self.counter = secrets.token_hex(6), itertools.count(1)

    def next(self):
        return f"{self.prefix}{next(self.counter):012x}"


_ids = _Ids()
os.register_at_fork(after_in_child=_ids.reset)


def _start():
    environ = request.environ
    given = environ.get("HTTP_X_REQUEST_ID", "")
    g.request_id = given if given and GIVEN_ID.match(given) else _ids.next()
    g.request_started = time.perf_counter()


METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
_series = {}  # (endpoint, method, status) -> (request counter, latency histogram) children


def _count(endpoint, method, status, seconds):
    key = (endpoint, method, status)
    series = _series.get(key)
    if series is None:
        series = (
            metrics.REQUESTS.labels(endpoint, method, str(status)),
            metrics.LATENCY.labels(endpoint),
        )
        _series[key] = series
    series[0].inc()
    series[1].observe(seconds)


class Answered(Deferred):
    """What a request's end leaves to count and log: settled by the log writer's thread when
    it runs (one `put` in the request's thread), else right away."""

    __slots__ = ("at", "rid", "method", "path", "status", "seconds", "endpoint", "user", "remote")

    def __init__(self, at, rid, method, path, status, seconds, endpoint, user, remote):
        self.at, self.rid, self.method, self.path, self.status = at, rid, method, path, status
        self.seconds, self.endpoint, self.user, self.remote = seconds, endpoint, user, remote

    def tally(self):
        """Count the request for /metrics; returns whether it has a log line (quiet ones and
        a disabled log do not)."""
        method = self.method if self.method in METHODS else "other"  # no series per method
        _count(self.endpoint, method, self.status, self.seconds)
        quiet = self.endpoint in QUIET and self.status < 400
        return not quiet and log.isEnabledFor(logging.INFO)

    def settle(self, handler):
        """In the writer: count, then the line in the writer's own format (built here for the
        two formats configure_logging sets: a LogRecord and its formatting cost ~3x more)."""
        if not self.tally() or handler.level > logging.INFO:
            return None
        formatter = handler.formatter
        if type(formatter) is logging.Formatter and formatter._fmt == TEXT_FORMAT:
            return f"{_asctime(formatter, self.at)} INFO {log.name} [{self.rid}] {self.message()}"
        if type(formatter) is JsonFormatter:
            line = {
                "time": _asctime(formatter, self.at).replace(" ", "T").replace(",", ".") + "Z",
                "level": "info",
                "logger": log.name,
                "message": self.message(),
            }
            line.update(self.fields())
            return json.dumps(line, default=str, ensure_ascii=False)
        return self.record()

    def message(self):
        return f"{self.method} {self.path} {self.status} {self.seconds * 1000:.1f}ms"

    def fields(self):
        return {
            "request_id": self.rid,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "ms": round(self.seconds * 1000, 2),
            "endpoint": self.endpoint,
            "user_id": self.user,
            "remote": self.remote,
        }

    def record(self):
        """The line as a LogRecord (through logging's makeRecord, less its search of the stack
        for a caller: the line names no source file)."""
        msg = "%s %s %s %.1fms"
        args = (self.method, self.path, self.status, self.seconds * 1000)
        record = log.makeRecord(log.name, logging.INFO, __file__, 0, msg, args, None, None)
        record.__dict__.update(self.fields())
        record.created, record.msecs = self.at, int((self.at - int(self.at)) * 1000) + 0.0
        return record


_second = [None, ""]  # (formatter, converter, whole second) and its text, for the line above


def _asctime(formatter, at):
    """logging.Formatter.formatTime's default text ("2026-12-05 21:04:51,524"), made once a
    second."""
    whole = int(at)
    key = (formatter, formatter.converter, whole)
    if _second[0] != key:
        _second[:] = key, time.strftime("%Y-%m-%d %H:%M:%S", formatter.converter(whole))
    return f"{_second[1]},{int((at - whole) * 1000):03d}"


def _writer_takes():
    """The writer settles requests itself while logging is as configure_logging left it: the
    writer's handler alone on the root logger (a test's or an operator's handler gets every
    record through logging, as before)."""
    writer = _listener
    return (
        writer is not None
        and writer.running
        and logging.root.handlers == [writer.handoff]
        and not log.handlers
        and log.propagate
    )


def _finish(response):
    started = g.get("request_started")
    seconds = time.perf_counter() - started if started else 0.0
    req = request._get_current_object()
    rid = g.get("request_id")
    if rid:
        response.headers["X-Request-ID"] = rid
    user = g.get("_login_user")
    answered = Answered(
        time.time(),
        rid,
        req.method,
        req.path,
        response.status_code,
        seconds,
        req.endpoint or "unmatched",  # unknown paths must not each make a series
        user.id if user is not None and user.is_authenticated else None,
        req.remote_addr,
    )
    if _writer_takes():
        _listener.queue.put(answered)
    else:
        if answered.tally():
            log.handle(answered.record())
    return response


def init_app(app):
    """Register first, so the id exists before any other hook and the line is written last."""
    app.before_request(_start)
    app.after_request(_finish)
