"""The thread that writes the log: records handed over by any thread, formatted and written
many lines per write, in plain text or JSON lines (LOG_FORMAT=json).

`request_log` wires it as the root logger's handler. A thread may also hand it `Deferred` work
(a request's line and its metrics): the writer does it in its own thread, so the request
thread only puts one object on a queue.
"""

import json
import logging
import logging.handlers
import queue
import threading
import time

# attributes of a LogRecord that are not a caller's extra fields
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


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


class Deferred:
    """Work handed to the writer: `settle(handler)` runs in the writer's thread and returns a
    LogRecord to write, a line already in the handler's format, or None."""

    __slots__ = ()

    def settle(self, handler):
        raise NotImplementedError


class Handoff(logging.handlers.QueueHandler):
    """Hands each record, as it is, to the thread that formats and writes it.

    Under load every request thread writing its own line queued on the handler's lock and gave
    up the GIL for each write (~15% of a rating's time in the profile); now a thread only puts
    the record on a queue. The request id is filled in here, in the request's thread.
    """

    def prepare(self, record):
        record.msg, record.args = record.getMessage(), None  # its arguments may change later
        return record


_NOTE = logging.makeLogRecord({"msg": "the log writer could not settle a request's line"})


class Writer:
    """The thread writing what Handoff queued, many lines per write (and settling Deferreds).

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

    def __init__(self, handoff, handler):
        self.handoff, self.queue, self.handler = handoff, handoff.queue, handler
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
                else:
                    line = self._line(item)
                    if line is not None:
                        lines.append(line)
            if lines:
                self._write("".join(lines))
            for event in reached:
                event.set()
            if stop:
                return
            time.sleep(self.PAUSE)  # let the next lines gather: one wake-up for all of them

    def _line(self, item):
        """The text to write for a record or a Deferred (None: nothing to write)."""
        handler = self.handler
        try:
            if isinstance(item, Deferred):
                item = item.settle(handler)
                if item is None:
                    return None
                if isinstance(item, str):  # a line already in the handler's format
                    return item + handler.terminator
            if item.levelno >= handler.level:
                return handler.format(item) + handler.terminator
        except Exception:  # a bad record or a failed settle() must not end the thread
            handler.handleError(item if isinstance(item, logging.LogRecord) else _NOTE)
        return None

    def _write(self, text):
        handler = self.handler
        try:
            with handler.lock:
                handler.stream.write(text)
                handler.stream.flush()
        except Exception:  # a closed or full stream must not end the thread
            handler.handleError(logging.makeLogRecord({"msg": text[:200]}))
