"""Small helpers the tests share."""

import time
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from contest.entries import clips
from contest.extensions import db

PART_SIZE = 8 * 1024


def wait_for(predicate, timeout=15.0, interval=0.05):
    """Poll until predicate() is truthy; return its value or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")


def events(sio, name):
    """The payloads of every `name` event received so far (drains the client's queue)."""
    return [e["args"][0] for e in sio.get_received() if e["name"] == name]


def make_video(tmp_path, name="clip.mp4", seconds=2.0, **kw):
    path = Path(tmp_path) / name
    kw.setdefault("width", 320)
    kw.setdefault("height", 180)
    clips.write_clip(path, seconds=seconds, **kw)
    return path


def start_upload(
    api, round_id, path, title="My skill", content_type="video/mp4", size=None, **extra
):
    return api.post(
        "/api/v1/uploads",
        {
            "round_id": round_id,
            "title": title,
            "filename": Path(path).name,
            "size": size if size is not None else Path(path).stat().st_size,
            "content_type": content_type,
            **extra,
        },
    )


def send_parts(api, started, data, skip=()):
    part_size = started["part_size"]
    for part in started["parts"]:
        n = part["number"]
        if n in skip:
            continue
        chunk = data[(n - 1) * part_size : n * part_size]
        response = api.put(part["url"], data=chunk, content_type="application/octet-stream")
        assert response.status_code == 200, response.get_json()


def upload_video(api, round_id, path, title="My skill", content_type="video/mp4", **extra):
    """Start, send every part, complete; return the entry id."""
    response = start_upload(api, round_id, path, title, content_type, **extra)
    assert response.status_code == 201, response.get_json()
    started = response.get_json()
    send_parts(api, started, Path(path).read_bytes())
    done = api.post(f"/api/v1/uploads/{started['upload_id']}/complete", {"parts": []})
    assert done.status_code == 202, done.get_json()
    return started["entry_id"]


def wait_for_status(api, entry_id, statuses=("live", "rejected", "pending_review")):
    def check():
        body = api.get(f"/api/v1/entries/{entry_id}").get_json()
        return body if body.get("status") in statuses else None

    return wait_for(check, timeout=30)


def wait_for_event(sio, name, predicate=lambda data: True, timeout=5.0):
    """Wait until an event `name` whose payload satisfies predicate arrives; return it."""
    seen = []

    def arrived():
        seen.extend(e["args"][0] for e in sio.get_received() if e["name"] == name)
        return next((data for data in seen if predicate(data)), None)

    return wait_for(arrived, timeout=timeout)


def core(event):
    """The summary part of a `rating` event (it also carries the histogram)."""
    return {k: event[k] for k in ("entry_id", "average", "count", "score")}


def csrf_of(page):
    """The CSRF token of the first form on a page (a Flask test response)."""
    return page.data.split(b'name="csrf_token" type="hidden" value="')[1].split(b'"')[0].decode()


@contextmanager
def sql_statements(app):
    """Collect every SQL statement the app's engine runs inside the block."""
    seen = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
