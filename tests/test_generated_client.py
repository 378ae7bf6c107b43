"""A Python client generated from /api/v1/openapi.json (openapi-python-client) drives a real
server: register, sign in, the judge queue, a rating, the entry read back. The document is
good enough for people who build on it, not only for our own tests."""

import importlib
import json
import subprocess
import sys

import httpx
import sqlalchemy as sa

from contest.extensions import db
from contest.models import User, utcnow


def generate(app, folder):
    spec = folder / "openapi.json"
    spec.write_text(json.dumps(app.test_client().get("/api/v1/openapi.json").get_json()))
    done = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(spec)]
        + ["--meta", "none", "--output-path", str(folder / "ginga_client")],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (folder / "ginga_client" / "client.py").exists(), done.stdout + done.stderr
    sys.path.insert(0, str(folder))
    return importlib.import_module("ginga_client")


def test_a_generated_client_registers_signs_in_judges_rates_and_reads(
    app, start_server, make_user, make_round, make_entry, tmp_path
):
    client_package = generate(app, tmp_path)
    try:
        from ginga_client.api.auth import csrf_token, login, register
        from ginga_client.api.entries import get_entry, put_rating
        from ginga_client.api.rounds import judge_queue
        from ginga_client.models import Login, Rating, Register

        server = start_server()
        author = make_user("author")
        round_ = make_round("open")
        entry = make_entry(round_.id, author.id, title="Rainbow flick")

        def fresh_client():
            http = httpx.Client(base_url=server.url, timeout=10)
            client = client_package.Client(base_url=server.url)
            client.set_httpx_client(http)
            token = csrf_token.sync(client=client).csrf_token
            http.headers["X-CSRFToken"] = token
            return client

        signed_up = register.sync_detailed(
            client=fresh_client(),
            body=Register(username="newfan", email="newfan@example.com", password="correct horse"),
        )
        assert signed_up.status_code == 201, signed_up.content
        assert signed_up.parsed.username == "newfan"
        with app.app_context():  # the fan opens the mailed link
            fan = db.session.scalar(sa.select(User).where(User.username == "newfan"))
            fan.email_verified_at = utcnow()
            db.session.commit()

        client = fresh_client()
        signed_in = login.sync_detailed(
            client=client, body=Login(login="newfan", password="correct horse")
        )
        assert signed_in.status_code == 200 and signed_in.parsed.username == "newfan"
        client.get_httpx_client().headers["X-CSRFToken"] = csrf_token.sync(client=client).csrf_token

        queue = judge_queue.sync(round_.id, client=client, limit=5)
        assert [e.id for e in queue.entries] == [entry.id] and queue.judged == 0
        rated = put_rating.sync_detailed(entry.id, client=client, body=Rating(stars=4))
        assert rated.status_code == 200, rated.content
        assert rated.parsed.my_rating == 4 and rated.parsed.rating.count == 1
        again = get_entry.sync(entry.id, client=client)
        assert again.title == "Rainbow flick" and again.my_rating == 4
        refused = put_rating.sync_detailed(entry.id, client=client, body=Rating(stars=9))
        assert refused.status_code == 422 and refused.parsed.error.code == "invalid_stars"
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("ginga_client")]:
            del sys.modules[name]
