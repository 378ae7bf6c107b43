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
import logging.handlers
import os
import queue
import re
import secrets
import threading
import time

from flask import g, has_request_context, request

from contest import metrics

log = logging.getLogger("contest.requests")
GIVEN_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
QUIET = {"health.healthz", "health.readyz", "health.metrics_page", "static"}
# attributes of a LogRecord that are not a caller's extra fields
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def request_id():
    """This request's id, or None outside a request."""
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record written while a request runs."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message and any extra fields."""

    def format(self, record):
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class Handoff(logging.handlers.QueueHandler):
    """Hands each record, as it is, to the thread that formats and writes it.

    Under load every request thread writing its own line queued on the handler's lock and gave
    up the GIL for each write (~15% of a rating's time in the profile); now a thread only puts
    the record on a queue. The request id is filled in here, in the request's thread.
    """

    def prepare(self, record):
        record.msg, record.args = record.getMessage(), None  # its arguments may change later
        return record


class Writer:
    """The thread writing what Handoff queued, many lines per write.

    It takes every record waiting, formats them and writes them with one `write` and one
    `flush`, then rests PAUSE seconds while more gather. Woken by each record and writing each
    line, it gave up the GIL twice per request, and under load each hand-over to a request
    thread and back cost more than the line (~1.5 context switches and ~25 us of system time
    per request with 16 threads). A line is written at most PAUSE late. The queue is a
    `queue.SimpleQueue` (no lock or condition taken per record); `flush()` queues an Event and
    waits until it is reached.
    """

    BATCH = 2048  # lines per write at most
    PAUSE = 0.05

    def __init__(self, queue_, handler):
        self.queue, self.handler = queue_, handler
        self.running = False
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._run, name="ginga-log", daemon=True)
        self._thread.start()
        self.running = True

    def stop(self):
        """Write what is queued, then end the thread."""
        if self._thread is not None:
            self.running = False
            self.queue.put(None)
            self._thread.join()
            self._thread = None

    def _run(self):
        while True:
            taken = [self.queue.get()]
            while len(taken) < self.BATCH:
                try:
                    taken.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            lines, reached, stop = [], [], False
            for item in taken:
                if item is None:
                    stop = True
                elif isinstance(item, threading.Event):
                    reached.append(item)
                elif item.levelno >= self.handler.level:
                    try:
                        lines.append(self.handler.format(item) + self.handler.terminator)
                    except Exception:
                        self.handler.handleError(item)
            if lines:
                self._write("".join(lines))
            for event in reached:
                event.set()
            if stop:
                return
            time.sleep(self.PAUSE)  # let the next lines gather: one wake-up for all of them

    def _write(self, text):
        handler = self.handler
        try:
            with handler.lock:
                handler.stream.write(text)
                handler.stream.flush()
        except Exception:  # a closed or full stream must not end the thread
            handler.handleError(logging.makeLogRecord({"msg": text[:200]}))


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
    _listener = Writer(handoff.queue, handler)
    _listener.start()
    handoff.ginga, handoff.writer = True, handler
    root.addHandler(handoff)
    root.setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def flush():
    """Wait until every record logged so far is written."""
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


def _finish(response):
    started = g.get("request_started")
    seconds = time.perf_counter() - started if started else 0.0
    req = request._get_current_object()
    endpoint = req.endpoint or "unmatched"  # unknown paths must not each make a series
    method = req.method if req.method in METHODS else "other"  # nor unknown methods
    status = response.status_code
    _count(endpoint, method, status, seconds)
    rid = g.get("request_id")
    if rid:
        response.headers["X-Request-ID"] = rid
    if endpoint not in QUIET or status >= 400:
        user = g.get("_login_user")
        ms = seconds * 1000
        if not log.isEnabledFor(logging.INFO):
            return response
        # makeRecord and handle: logging's own steps, less the search of the stack for a
        # caller (the line names no source file)
        args = (req.method, req.path, status, ms)
        record = log.makeRecord(
            log.name,
            logging.INFO,
            __file__,
            0,
            "%s %s %s %.1fms",
            args,
            None,
            extra={
                "request_id": rid,
                "method": req.method,
                "path": req.path,
                "status": status,
                "ms": round(ms, 2),
                "endpoint": endpoint,
                "user_id": user.id if user is not None and user.is_authenticated else None,
                "remote": req.remote_addr,
            },
        )
        log.handle(record)
    return response


def init_app(app):
    """Register first, so the id exists before any other hook and the line is written last."""
    app.before_request(_start)
    app.after_request(_finish)
