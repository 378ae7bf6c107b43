"""Web Push: a payload sent to a local push endpoint (an HTTP server on 127.0.0.1 in the test),
decrypted there with the subscription's keys (RFC 8291) and read back in the fan's language;
an endpoint that answers 410 loses its subscription."""

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from helpers import wait_for
from test_browser import browser  # noqa: F401  (the fixture, shared)

from contest.community import notifications, push
from contest.extensions import db
from contest.models import PushSubscription, User
from contest.texts import Text


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class PushService:
    """A push service on 127.0.0.1: stores what it receives; /gone/... answers 410, /broken/...
    500, /redirect/... 307 to /push/..., and /trickle/... one header line a second, never
    ending its headers (until the client goes or the service stops)."""

    def __init__(self):
        received = self.received = []
        stopping = self.stopping = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if self.path.startswith("/trickle/"):
                    return self.trickle()
                if self.path.startswith("/redirect/"):
                    self.send_response(307)
                    self.send_header("Location", self.path.replace("/redirect/", "/push/"))
                else:
                    status = {"/gone/": 410, "/broken/": 500}.get(
                        self.path[: self.path.find("/", 1) + 1]
                    )
                    self.send_response(status or 201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def trickle(self):
                self.wfile.write(b"HTTP/1.1 201 Created\r\n")
                for n in range(120):
                    if stopping.wait(1):
                        return
                    try:
                        self.wfile.write(f"X-Slow-{n}: 1\r\n".encode())
                        self.wfile.flush()
                    except OSError:
                        return

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service():
    running = PushService()
    yield running
    running.stop()


@pytest.fixture
def config_overrides():
    public, private = push.make_keys()
    return {
        "VAPID_PUBLIC_KEY": public,
        "VAPID_PRIVATE_KEY": private,
        "VAPID_SUBJECT": "mailto:test@example.com",
        "PUSH_ALLOW_PRIVATE": True,  # the push service in these tests is on 127.0.0.1
    }


def browser_keys():
    """What a browser makes for a subscription: an ECDH P-256 key pair and an auth secret."""
    private = ec.generate_private_key(ec.SECP256R1())
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    auth = os.urandom(16)
    return private, {"p256dh": b64(point), "auth": b64(auth)}, auth


def test_a_push_arrives_encrypted_in_the_fans_language(app, make_user, new_api, service):
    ana = make_user("ana")
    api = new_api("ana")
    api.patch("/api/v1/me", {"language": "th"})
    assert api.get("/api/v1/push/key").get_json()["public_key"] == app.config["VAPID_PUBLIC_KEY"]
    private, keys, auth = browser_keys()
    endpoint = f"{service.url}/push/ana-phone"
    made = api.post(
        "/api/v1/push/subscriptions",
        {"subscription": {"endpoint": endpoint, "keys": keys}, "kinds": ["clip", "results"]},
    )
    assert made.status_code == 201 and made.get_json()["kinds"] == ["clip", "results"]
    with app.app_context():
        notifications.notify(
            ana.id,
            "entry_live",
            Text("Your entry %(title)s is live.", title="Rabona"),
            notifications.target("entry", 7),
        )
        notifications.notify(ana.id, "follow", Text("%(name)s follows you.", name="bob"))
        db.session.commit()
    assert wait_for(lambda: service.received, timeout=10)
    path, headers, body = service.received[0]
    assert path == "/push/ana-phone" and headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=")
    message = json.loads(
        http_ece.decrypt(body, private_key=private, auth_secret=auth, version="aes128gcm")
    )
    assert message["kind"] == "clip" and message["url"].endswith("/entries/7")
    assert "Rabona" in message["body"] and "เผยแพร่" in message["body"]  # Thai
    assert len(service.received) == 1  # a follow is not a push kind


def test_an_endpoint_that_answers_410_loses_its_subscription(app, make_user, new_api, service):
    ana = make_user("ana")
    api = new_api("ana")
    _, keys, _ = browser_keys()
    for path in ("/gone/old-phone", "/push/new-phone"):
        answer = api.post(
            "/api/v1/push/subscriptions",
            {"subscription": {"endpoint": service.url + path, "keys": keys}, "kinds": ["results"]},
        )
        assert answer.status_code == 201
    with app.app_context():
        notifications.notify(ana.id, "results", Text("Results are out."))
        db.session.commit()

    def endpoints():
        with app.app_context():
            return set(db.session.scalars(sa.select(PushSubscription.endpoint)))

    assert wait_for(lambda: len(service.received) == 2, timeout=10)
    assert wait_for(lambda: endpoints() == {service.url + "/push/new-phone"}, timeout=10)


FCM = "https://fcm.googleapis.com/fcm/send/abc123"


def test_subscription_refusals(make_user, new_api):
    make_user("ana")
    api = new_api("ana")
    _, keys, _ = browser_keys()
    cases = [
        ({"subscription": {"endpoint": "ftp://x/y", "keys": keys}}, "invalid_subscription"),
        (
            {"subscription": {"endpoint": FCM, "keys": {}}},
            "invalid_subscription",
        ),
        (
            {"subscription": {"endpoint": FCM, "keys": keys}, "kinds": ["x"]},
            "invalid_kinds",
        ),
        ({"kinds": ["clip"]}, "invalid_subscription"),
    ]
    for body, code in cases:
        answer = api.post("/api/v1/push/subscriptions", body)
        assert answer.status_code in (409, 422), (body, answer.get_json())
        assert answer.get_json()["error"]["code"] == code
    assert new_api().post("/api/v1/push/subscriptions", cases[0][0]).status_code == 401
    gone = api.delete("/api/v1/push/subscriptions", json={"endpoint": "https://push.example/x"})
    assert gone.status_code == 204


def test_the_cli_prints_vapid_keys(runner):
    result = runner.invoke(args=["push", "keys"])
    assert result.exit_code == 0
    public = result.output.split("VAPID_PUBLIC_KEY=")[1].split()[0]
    assert len(base64.urlsafe_b64decode(public + "==")) == 65  # an uncompressed P-256 point


def test_voting_closes_soon_reminds_who_entered_or_judged(
    app, make_user, new_api, make_round, make_entry, service
):
    from contest import push_delivery

    ana = make_user("ana")
    make_user("bob")
    round_ = make_round("voting")  # closes in 24 hours
    make_entry(round_.id, ana.id)
    private, keys, auth = browser_keys()
    new_api("ana").post(
        "/api/v1/push/subscriptions",
        {
            "subscription": {"endpoint": service.url + "/push/ana", "keys": keys},
            "kinds": ["closing"],
        },
    )
    _, bob_keys, _ = browser_keys()
    new_api("bob").post(  # Bob neither entered nor judged: no reminder
        "/api/v1/push/subscriptions",
        {
            "subscription": {"endpoint": service.url + "/push/bob", "keys": bob_keys},
            "kinds": ["closing"],
        },
    )
    with app.test_request_context():
        push_delivery.remind_closing()
        push_delivery.remind_closing()  # once per round
    assert wait_for(lambda: service.received, timeout=10)
    assert [path for path, _, _ in service.received] == ["/push/ana"]
    message = json.loads(
        http_ece.decrypt(
            service.received[0][2], private_key=private, auth_secret=auth, version="aes128gcm"
        )
    )
    assert message["kind"] == "closing" and message["url"].endswith(f"/rounds/{round_.slug}/judge")


REFUSED = [
    "http://fcm.googleapis.com/fcm/send/x",  # not https
    "https://127.0.0.1/x",
    "https://localhost:6391/x",  # our own Redis
    "https://10.0.0.1/x",
    "https://[::1]/x",
    "https://[::ffff:127.0.0.1]/x",
    "https://2130706433/x",  # 127.0.0.1 as one integer
    "https://0x7f.1/x",
    "https://127.1/x",
    "https://169.254.169.254/latest/meta-data/",  # the cloud's metadata service
    "https://224.0.0.1/x",  # multicast
    "https://user:pw@fcm.googleapis.com/fcm/send/x",
    "https://push.example/x",  # not a push service
    "https://fcm.googleapis.com.evil.example/x",
    "https://fcm.googleapis.com:99999/x",
]


@pytest.mark.parametrize(
    "config_overrides",
    [{"VAPID_PUBLIC_KEY": "k", "VAPID_PRIVATE_KEY": "k", "PUSH_ALLOW_PRIVATE": False}],
)
@pytest.mark.parametrize("endpoint", REFUSED)
def test_pushes_go_only_to_push_services(app, make_user, new_api, endpoint):
    make_user("ana")
    _, keys, _ = browser_keys()
    answer = new_api("ana").post(
        "/api/v1/push/subscriptions",
        {"subscription": {"endpoint": endpoint, "keys": keys}, "kinds": ["clip"]},
    )
    assert answer.status_code == 422, answer.get_json()
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_subscription" and "endpoint" in error["message"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PushSubscription.id))) == 0


@pytest.mark.parametrize(
    "config_overrides",
    [{"VAPID_PUBLIC_KEY": "k", "VAPID_PRIVATE_KEY": "k", "PUSH_ALLOW_PRIVATE": False}],
)
def test_known_push_services_are_taken(make_user, new_api):
    make_user("ana")
    _, keys, _ = browser_keys()
    for endpoint in (
        FCM,
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://web.push.apple.com/QGuQ",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
    ):
        answer = new_api("ana").post(
            "/api/v1/push/subscriptions",
            {"subscription": {"endpoint": endpoint, "keys": keys}, "kinds": ["clip"]},
        )
        assert answer.status_code == 201, (endpoint, answer.get_json())


def test_a_name_that_resolves_into_our_network_is_refused_when_sending(
    app, make_user, new_api, service
):
    """The check at connection time: a host on the allow-list (here `localhost`, standing for
    a name whose DNS answer changed) that resolves to a private address gets nothing."""
    ana = make_user("ana")
    _, keys, _ = browser_keys()
    app.config.update(PUSH_ALLOW_PRIVATE=False, PUSH_HOSTS="localhost")
    port = service.url.rsplit(":", 1)[1]
    made = new_api("ana").post(
        "/api/v1/push/subscriptions",
        {
            "subscription": {"endpoint": f"https://localhost:{port}/push/a", "keys": keys},
            "kinds": ["results"],
        },
    )
    assert made.status_code == 201, made.get_json()
    with app.app_context():
        assert push.send(ana.id, "results", "Ginga", "hi", "/") == 0
    assert service.received == []


@pytest.mark.parametrize(
    "config_overrides",
    [
        {
            "VAPID_PUBLIC_KEY": push.make_keys()[0],
            "VAPID_PRIVATE_KEY": push.make_keys()[1],
            "PUSH_ALLOW_PRIVATE": True,
            "PUSH_DEADLINE": 2,
        }
    ],
)
def test_a_slow_or_broken_endpoint_never_stops_the_others(app, make_user, new_api, service):
    ana = make_user("ana")
    api = new_api("ana")
    paths = ["/trickle/a", "/broken/b", "/redirect/c", "/push/d"]
    for path in paths:
        _, keys, _ = browser_keys()
        answer = api.post(
            "/api/v1/push/subscriptions",
            {"subscription": {"endpoint": service.url + path, "keys": keys}, "kinds": ["results"]},
        )
        assert answer.status_code == 201
    started = time.monotonic()
    with app.app_context():
        delivered = push.send(ana.id, "results", "Ginga", "Results are out.", "/")
    took = time.monotonic() - started
    assert delivered == 1
    assert took < 2 + 3, took  # the trickle is cut at its deadline, not after its minutes
    got = sorted(path for path, _, _ in service.received)
    assert got == sorted(paths)  # each tried once; the redirect was not followed


def test_an_endpoint_held_by_another_fan_is_refused_not_moved(app, make_user, new_api, service):
    make_user("ana")
    make_user("bob")
    _, keys, _ = browser_keys()
    body = {
        "subscription": {"endpoint": service.url + "/push/ana", "keys": keys},
        "kinds": ["clip"],
    }
    assert new_api("ana").post("/api/v1/push/subscriptions", body).status_code == 201
    again = new_api("ana").post("/api/v1/push/subscriptions", {**body, "kinds": ["results"]})
    assert again.status_code == 201  # the owner may change their kinds
    taken = new_api("bob").post("/api/v1/push/subscriptions", body)
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "subscription_taken"
    with app.app_context():
        row = db.session.scalar(sa.select(PushSubscription))
        owner = db.session.get(User, row.user_id).username
    assert owner == "ana" and row.kinds == ["results"]


def test_each_device_reads_its_own_subscription(make_user, new_api):
    make_user("ana")
    make_user("bob")
    ana = new_api("ana")
    phones = {}
    for name, kinds in (("phone", ["clip"]), ("tablet", ["results", "theme"])):
        _, keys, _ = browser_keys()
        phones[name] = f"{FCM}-{name}"
        made = ana.post(
            "/api/v1/push/subscriptions",
            {"subscription": {"endpoint": phones[name], "keys": keys}, "kinds": kinds},
        )
        assert made.status_code == 201, made.get_json()
    for name, kinds in (("phone", ["clip"]), ("tablet", ["results", "theme"])):
        answer = ana.get("/api/v1/push/subscription", query_string={"endpoint": phones[name]})
        assert answer.status_code == 200 and answer.get_json()["kinds"] == kinds
    unknown = ana.get("/api/v1/push/subscription", query_string={"endpoint": f"{FCM}-other"})
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["code"] == "push_not_subscribed"
    missing = ana.get("/api/v1/push/subscription")
    assert missing.status_code == 422
    assert missing.get_json()["error"]["code"] == "invalid_subscription"
    # another fan's device is none of bob's business, and visitors have none
    bob = new_api("bob").get(
        "/api/v1/push/subscription", query_string={"endpoint": phones["phone"]}
    )
    assert bob.status_code == 404
    visitor = new_api().get("/api/v1/push/subscription", query_string={"endpoint": phones["phone"]})
    assert visitor.status_code == 401


@pytest.mark.parametrize("config_overrides", [{"VAPID_PUBLIC_KEY": None}])
def test_settings_say_when_the_site_has_no_push_keys(make_user, new_api):
    make_user("ana")
    page = new_api("ana").client.get("/settings/notifications").data.decode()
    assert 'id="push-unavailable"' in page and "no push keys" in page
    assert 'id="push-form"' not in page


def test_a_browser_failure_reads_in_the_fans_language(
    browser,  # noqa: F811
    start_server,
    make_user,
    config_overrides,
):
    from test_browser import phone_page, wait_js

    server = start_server(**config_overrides)
    make_user("ana")
    page = phone_page(browser, server, "ana", locale="th-TH")
    page.context.grant_permissions(["notifications"], origin=server.url)
    page.goto("/settings/notifications")
    wait_js(page, "document.getElementById('push-form').dataset.device === 'off'")
    assert page.inner_text("#push-status") == "ปิดการแจ้งเตือนบนอุปกรณ์นี้แล้ว"  # off, here
    page.click("#push-on")
    # no push service answers here: the browser's own error is never shown raw
    wait_js(page, "document.getElementById('push-status').textContent.includes('ลองใหม่')")
    assert "Registration" not in page.inner_text("#push-status")
