"""A real headless Chromium on a phone-sized screen: upload with retries, rate, watch live."""

import os
import shutil
import time

import pytest
from helpers import make_video

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        phone = {k: v for k, v in p.devices["Pixel 5"].items() if k != "default_browser_type"}
        phone["viewport"] = {"width": 360, "height": 740}
        browser.phone = phone
        iphone = p.devices["iPhone 13"]
        browser.iphone = {k: v for k, v in iphone.items() if k != "default_browser_type"}
        yield browser
        browser.close()


def wait_js(page, expression, timeout=10_000):
    """Poll a JS expression until truthy (page.evaluate, which the site's CSP allows)."""
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {expression}")


def phone_page(browser, server, username=None, profile=None, locale=None):
    options = {"locale": locale} if locale else {}
    page = browser.new_context(
        **(profile or browser.phone), **options, base_url=server.url
    ).new_page()
    if username:
        page.goto("/login")
        page.fill("#login", username)
        page.fill("#password", "correct horse")
        page.click("main button[type=submit]")
        page.wait_for_url(server.url + "/")
    return page


def test_phone_upload_survives_a_dropped_part_then_rating_moves_live(
    browser, start_server, make_user, make_round, tmp_path
):
    server = start_server()
    make_user("ana")
    make_user("bob")
    round_ = make_round("open", title="Phone round")
    video = make_video(tmp_path, seconds=4, audio=False)

    ana = phone_page(browser, server, "ana")
    dropped = []

    def flaky(route):
        if not dropped:  # the network drops the first try of part 2
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    ana.route("**/parts/2", flaky)
    ana.goto(f"/upload?round={round_.slug}")
    assert ana.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    ana.fill("#title", "Rabona <b>in</b> the rain")
    ana.set_input_files("#file", str(video))
    # the chosen clip is previewed, with its length and shape, before anything is sent
    facts = wait_js(
        ana, "(t => t.includes('·') && t)(document.getElementById('preview-facts').textContent)"
    )
    assert facts.startswith("0:04 · landscape"), facts
    assert ana.get_attribute("#file", "capture") is None  # the gallery, not only the camera
    ana.click("#upload-button")
    link = ana.wait_for_selector("#upload-done #open-entry", timeout=40_000)
    assert dropped, "the flaky route never fired"
    assert "live" in ana.inner_text("#upload-done")
    assert ana.is_visible("#judge-while-waiting") and ana.is_hidden("#upload-progress")
    assert ana.eval_on_selector("#progress", "p => p.value") == 100
    entry_path = link.get_attribute("href")

    watcher = phone_page(browser, server)  # anonymous, on the round page
    watcher.goto(f"/rounds/{round_.slug}")
    watcher.wait_for_selector("html[data-live-room]", state="attached", timeout=10_000)
    assert "Rabona &lt;b&gt;in&lt;/b&gt; the rain" in watcher.content()

    bob = phone_page(browser, server, "bob")
    bob.goto(entry_path)
    assert bob.eval_on_selector("video", "v => v.playsInline && v.controls") is True
    bob.click("label[for=star-4]")
    wait_js(bob, "document.getElementById('rate-message').textContent.startsWith('You gave 4')")
    row = f"#leaderboard li[data-entry-id='{entry_path.rsplit('/', 1)[1]}']"
    wait_js(
        watcher,
        f"document.querySelector(\"{row} [data-field=ratings]\").textContent === '1 rating'",
    )
    assert watcher.inner_text(f"{row} [data-field=average]") == "4.0"


def test_phone_upload_straight_to_the_bucket(
    browser, start_server, make_user, make_round, tmp_path, app, seaweed, monkeypatch
):
    import uuid

    from seaweed import ACCESS_KEY, SECRET_KEY

    from contest.entries import clips
    from contest.entries.storage import get_storage

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    s3 = {
        "STORAGE": "s3",
        "S3_BUCKET": f"ginga-{uuid.uuid4().hex[:10]}",
        "S3_ENDPOINT_URL": seaweed.url,
        "UPLOAD_PART_SIZE": 5 * 1024 * 1024,
    }
    server = start_server(**s3)
    app.config.update(s3)
    from contest.entries import storage

    storage.init_app(app)
    with app.app_context():
        get_storage().setup([server.url])  # CORS for this site's origin
    make_user("ana")
    round_ = make_round("open")
    mov = tmp_path / "IMG_0007.mov"
    clips.write_clip(
        mov, seconds=2, width=320, height=180, codec="libx265", rotation=90, container_options={}
    )
    page = phone_page(browser, server, "ana")
    sent_to_bucket = []
    page.on(
        "request",
        lambda r: (
            r.method == "PUT" and r.url.startswith(seaweed.url) and sent_to_bucket.append(r.url)
        ),
    )
    page.goto(f"/upload?round={round_.slug}")
    if page.locator("#title").count() == 0:  # once in CI (2026-12-05): say what showed instead
        pytest.fail(f"no upload form at {page.url}: {page.inner_text('body')[:600]!r}")
    page.fill("#title", "Portrait elastico")
    page.set_input_files("#file", str(mov))
    page.click("#upload-button")
    link = page.wait_for_selector("#upload-done #open-entry", timeout=60_000)
    assert sent_to_bucket, "the parts did not go to the bucket"
    page.goto(link.get_attribute("href"))
    size = wait_js(
        page,
        "(() => { const v = document.querySelector('video');"
        " return v && v.readyState >= 1 && [v.videoWidth, v.videoHeight]; })()",
        timeout=15_000,
    )
    assert size == [180, 320]  # upright H.264 rendition, played from the bucket


def test_phones_comment_live_and_follow(browser, start_server, make_user, make_round, make_entry):
    server = start_server()
    author = make_user("ana")
    make_user("bob")
    entry = make_entry(make_round("open").id, author.id, title="Keepy-uppies")
    ana = phone_page(browser, server, "ana")
    ana.goto(f"/entries/{entry.id}")
    ana.wait_for_selector("html[data-live-room]", state="attached", timeout=10_000)
    bob = phone_page(browser, server, "bob")
    bob.goto(f"/entries/{entry.id}")
    bob.fill("#comment-body", "<b>wow</b> @ana")
    bob.click("#comment-form button[type=submit]")
    item = ana.wait_for_selector("#comment-list li", timeout=10_000)
    assert "<b>wow</b> @ana" in item.inner_text()  # shown as text, live
    assert item.query_selector("b") is None
    assert item.query_selector("a[href='/u/ana']") is not None
    assert bob.input_value("#comment-body") == ""
    bob.goto("/u/ana")
    bob.click("#follow")
    bob.wait_for_selector("#follow[data-following='true']")
    assert bob.inner_text("#followers") == "1"
    # a comment and a follow, live on the bell
    wait_js(ana, "document.getElementById('unread').textContent === '2'")


def test_the_service_worker_fetching_its_shell_during_sign_in_keeps_the_fan_signed_in(
    browser, start_server, make_user
):
    """The worker installs while the fan types: its offline pages are answered after the
    sign-in here (held, then released). Before, their answers carried an anonymous cookie
    that replaced the signed-in one, and the next page asked the fan to sign in again."""
    server = start_server()
    make_user("bob")
    context = browser.new_context(**browser.phone, base_url=server.url)
    held, seen, signed_in = [], [], []

    def answer_late(route):  # fetched at once with the cookies the worker sent, answered later
        seen.append(route.request)
        answer = route.fetch()
        if signed_in:
            route.fulfill(response=answer)
        else:
            held.append((route, answer))

    context.route("**/offline?lang=*", answer_late)
    page = context.new_page()
    page.goto("/login")
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # lets Playwright hand over the worker's requests
    assert held, "the service worker did not fetch its offline pages"
    page.fill("#login", "bob")
    page.fill("#password", "correct horse")
    page.click("main button[type=submit]")
    page.wait_for_url(server.url + "/")
    signed_in.append(True)
    for route, answer in held:
        route.fulfill(response=answer)
    wait_js(page, "caches.match('/offline?lang=en').then(Boolean)")
    page.goto("/settings/account")
    assert page.url == server.url + "/settings/account"  # not the sign-in page
    assert len(seen) == 4 and all("cookie" not in r.headers for r in seen)  # none needed
    context.close()


@pytest.mark.parametrize("journey", ["sign out everywhere", "delete account"])
def test_leaving_from_the_account_page_ends_where_the_fan_expects(
    browser, start_server, make_user, journey
):
    server = start_server()
    make_user("ana")
    page = phone_page(browser, server, "ana")
    page.goto("/settings/account")
    wait_js(page, "window.gingaSocket && window.gingaSocket.connected")  # live, as a fan's is
    if journey == "sign out everywhere":
        page.click("form[action$='/logout-all'] button[type=submit]")
        page.wait_for_url(server.url + "/login")
        assert "You are signed out everywhere." in page.inner_text("main")
    else:
        page.click("summary:has-text('Delete my account')")
        page.fill("#del-password", "correct horse")
        page.click("button.danger[type=submit]")
        page.wait_for_url(server.url + "/")
        assert "Your account is deleted." in page.inner_text("main")
    # whatever the live connection said meanwhile, the fan stays where the answer put them
    page.wait_for_load_state("networkidle")
    assert page.url in (server.url + "/login", server.url + "/")
    me = page.evaluate("fetch('/api/v1/me').then(r => r.status)")
    assert me == 401
    page.context.close()
