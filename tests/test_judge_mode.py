"""Judge mode on a phone in a real Chromium: a tap a clip, stars under the thumb, no page loads."""

import time

import pytest
import sqlalchemy as sa
from test_browser import browser as browser  # noqa: F401  (the fixture, shared)
from test_browser import phone_page, wait_js

from contest import demo
from contest.entries import clips
from contest.extensions import db
from contest.models import Rating

LANDSCAPE, UPRIGHT = (320, 180), (180, 320)


@pytest.fixture
def real_entry(app, tmp_path):
    """A live entry with a real clip and its poster, made as an upload would make it."""

    def make(round_id, author_id, title, shape=LANDSCAPE):
        path = tmp_path / f"{time.monotonic_ns()}.mp4"
        clips.write_clip(path, seconds=1, width=shape[0], height=shape[1], audio=False)
        with app.app_context():  # as the processing job: no request
            return demo.add_entry_from_file(round_id, author_id, title, path).id

    return make


def assert_above_the_tab_bar(page, selector):
    """The element lies fully inside the viewport and above the tab bar; returns its box."""
    box = page.locator(selector).bounding_box()
    tabs = page.locator(".tabbar").bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= tabs["y"] <= page.viewport_size["height"]
    assert 0 <= box["x"] and box["x"] + box["width"] <= page.viewport_size["width"]
    return box


def current(page):
    return int(wait_js(page, "document.getElementById('judge').dataset.current"))


def settled(page):
    """The clip on screen once the feed has stopped on it: its top is the feed's top."""
    return int(
        wait_js(
            page,
            """(() => {
              const judge = document.getElementById('judge'), id = judge.dataset.current;
              const feed = document.getElementById('judge-feed');
              const sections = [...feed.querySelectorAll('.clip')];
              const on = sections.find(s => Math.abs(s.getBoundingClientRect().top
                                                     - feed.getBoundingClientRect().top) < 2);
              return on && on.dataset.entryId === id && id;
            })()""",
        )
    )


def documents(page):
    """Count every page load (a document request) from now on."""
    loads = []
    page.on("request", lambda r: loads.append(r.url) if r.resource_type == "document" else None)
    return loads


@pytest.mark.parametrize("profile", ["phone", "iphone"])
def test_judging_five_clips_is_five_taps_and_no_page_load(
    app,
    browser,
    start_server,
    make_user,
    make_round,
    real_entry,
    new_api,
    profile,
):
    server = start_server()
    judge = make_user("judge")
    authors = [make_user(f"author{i}") for i in range(3)]
    round_ = make_round("open", title="Judge round")
    own = real_entry(round_.id, judge.id, "My own clip")
    shapes = [LANDSCAPE, UPRIGHT]
    made = [real_entry(round_.id, authors[i % 3].id, f"Clip {i}", shapes[i % 2]) for i in range(6)]
    page = phone_page(browser, server, "judge", getattr(browser, profile))
    page.goto(f"/rounds/{round_.slug}/judge")
    loads = documents(page)
    served, taps = [], 0
    for stars in (5, 4, 3, 2, 1):
        shown = current(page)
        assert shown not in served and shown != own
        served.append(shown)
        page.tap(f"label[for=judge-star-{stars}]")
        taps += 1
        wait_js(page, f"document.getElementById('judge').dataset.current !== '{shown}'")
    wait_js(page, "Object.keys(window.gingaJudge.unsaved).length === 0")
    assert taps == 5 and loads == []  # no page load while judging
    assert len(set(served)) == 5 and set(served) <= set(made)
    fan = new_api("judge")
    for entry_id, stars in zip(served, (5, 4, 3, 2, 1), strict=True):
        assert fan.get(f"/api/v1/entries/{entry_id}").get_json()["my_rating"] == stars
    assert page.inner_text("#judge-progress").startswith("5 of 6")
    assert f"entry={current(page)}" in page.url  # a reload returns to the same clip
    # the sixth and last clip, then the end state
    page.tap("label[for=judge-star-3]")
    page.wait_for_selector("#judge-end", state="visible")
    assert "You have judged every clip" in page.inner_text("#judge-end")
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count(Rating.id)).where(Rating.user_id == judge.id))
            == 6
        )


@pytest.mark.parametrize("size", [(360, 740), (360, 640)])
def test_the_stars_stay_on_screen_above_the_tab_bar_for_every_shape(
    browser,
    start_server,
    make_user,
    make_round,
    real_entry,
    size,
):
    server = start_server()
    make_user("judge")
    author = make_user("author")
    round_ = make_round("open", title="Shapes")
    wide = real_entry(round_.id, author.id, "Wide clip", LANDSCAPE)
    tall = real_entry(round_.id, author.id, "Tall clip", UPRIGHT)
    for profile in (
        {**browser.phone, "viewport": {"width": size[0], "height": size[1]}},
        browser.iphone,
    ):
        page = phone_page(browser, server, "judge", profile)
        for entry_id in (wide, tall):
            page.goto(f"/rounds/{round_.slug}/judge?entry={entry_id}")
            assert current(page) == entry_id
            bar = assert_above_the_tab_bar(page, "#star-bar .star-buttons")
            for stars in range(1, 6):
                star = assert_above_the_tab_bar(page, f"label[for=judge-star-{stars}]")
                assert star["width"] >= 48 and star["height"] >= 48
            clip = page.locator(f"section.clip[data-entry-id='{entry_id}']").bounding_box()
            assert clip["y"] + clip["height"] <= bar["y"]  # the clip never hides the stars
        page.context.close()


def test_a_vertical_clip_gets_a_tall_card_and_the_entry_page_stars_fit(
    browser,
    start_server,
    make_user,
    make_round,
    real_entry,
):
    server = start_server()
    make_user("judge")
    author = make_user("author")
    round_ = make_round("open", title="Cards")
    tall = real_entry(round_.id, author.id, "Tall clip", UPRIGHT)
    wide = real_entry(round_.id, author.id, "Wide clip", LANDSCAPE)
    page = phone_page(browser, server, "judge")
    page.goto(f"/rounds/{round_.slug}")
    page.wait_for_load_state("networkidle")
    card = page.locator(f".entry-card a[href='/entries/{tall}'] img").bounding_box()
    assert card["height"] > card["width"]
    card = page.locator(f".entry-card a[href='/entries/{wide}'] img").bounding_box()
    assert card["width"] > card["height"]
    for entry_id in (tall, wide):
        answer = page.goto(f"/entries/{entry_id}")
        # a page without stars says why (a 503 under load, a note instead of the stars)
        assert answer.status == 200, (answer.status, page.inner_text("main")[:300])
        assert page.locator("#rate .star-buttons").count() == 1, page.inner_text("main")[:300]
        assert_above_the_tab_bar(page, "#rate .star-buttons")


def test_a_visitor_taps_a_star_signs_in_and_is_back_on_the_same_clip(
    browser,
    start_server,
    make_user,
    make_round,
    real_entry,
    new_api,
):
    server = start_server()
    make_user("judge")
    author = make_user("author")
    round_ = make_round("open", title="Come back")
    for i in range(3):
        real_entry(round_.id, author.id, f"Clip {i}")
    page = phone_page(browser, server)
    page.goto(f"/rounds/{round_.slug}/judge")
    first = settled(page)
    page.keyboard.press("ArrowDown")  # move on without rating
    wait_js(page, f"document.getElementById('judge').dataset.current !== '{first}'")
    chosen = settled(page)  # the smooth scroll has landed: nothing moves the feed any more
    page.tap("label[for=judge-star-4]")
    page.wait_for_selector("#judge-gate", state="visible")
    back = page.get_attribute("#judge-signin", "href")
    assert back.endswith(f"entry%3D{chosen}"), back  # the gate names the clip on screen
    page.click("#judge-signin")
    page.wait_for_url("**/login**")
    page.fill("#login", "judge")
    page.fill("#password", "correct horse")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/rounds/{round_.slug}/judge?entry={chosen}")
    assert current(page) == chosen
    page.tap("label[for=judge-star-4]")
    wait_js(page, "Object.keys(window.gingaJudge.unsaved).length === 0")
    assert new_api("judge").get(f"/api/v1/entries/{chosen}").get_json()["my_rating"] == 4


def test_an_unverified_fan_is_told_on_the_spot_and_can_get_the_link_again(
    browser,
    start_server,
    make_user,
    make_round,
    real_entry,
):
    server = start_server()
    make_user("newbie", verified=False)
    author = make_user("author")
    round_ = make_round("open", title="Verify first")
    real_entry(round_.id, author.id, "Clip")
    page = phone_page(browser, server, "newbie")
    page.goto(f"/rounds/{round_.slug}/judge")
    current(page)
    page.tap("label[for=judge-star-5]")
    page.wait_for_selector("#judge-gate-verify", state="visible")
    assert "Confirm your email" in page.inner_text("#judge-gate")
    page.click("#judge-resend")
    wait_js(page, "document.getElementById('judge-gate-text').textContent.includes('Sent')")


def test_a_fan_can_change_a_rating_and_a_dropped_connection_loses_none(
    browser, start_server, make_user, make_round, real_entry, new_api
):
    server = start_server()
    make_user("judge")
    author = make_user("author")
    round_ = make_round("open", title="Second thoughts")
    for i in range(4):
        real_entry(round_.id, author.id, f"Clip {i}")
    page = phone_page(browser, server, "judge")
    page.goto(f"/rounds/{round_.slug}/judge")
    first = current(page)
    page.tap("label[for=judge-star-2]")
    wait_js(page, f"document.getElementById('judge').dataset.current !== '{first}'")
    page.click("#judge-change")  # "✓ Saved: 2 stars · Change"
    wait_js(page, f"document.getElementById('judge').dataset.current === '{first}'")
    assert page.is_checked("#judge-star-2")
    page.tap("label[for=judge-star-5]")
    wait_js(page, f"document.getElementById('judge').dataset.current !== '{first}'")
    wait_js(page, "Object.keys(window.gingaJudge.unsaved).length === 0")
    fan = new_api("judge")
    assert fan.get(f"/api/v1/entries/{first}").get_json()["my_rating"] == 5
    assert page.inner_text("#judge-progress").startswith("1 of 4")  # a change is not a new one
    # the connection drops: the rating waits, shown as pending, and goes once it is back
    offline = current(page)
    page.context.set_offline(True)
    page.tap("label[for=judge-star-3]")
    wait_js(page, "document.getElementById('judge-toast-text').textContent.includes('Not saved')")
    assert page.evaluate(f"window.gingaJudge.unsaved['{offline}']") == 3
    assert fan.get(f"/api/v1/entries/{offline}").get_json()["my_rating"] is None
    page.context.set_offline(False)
    wait_js(page, "Object.keys(window.gingaJudge.unsaved).length === 0", timeout=20_000)
    assert fan.get(f"/api/v1/entries/{offline}").get_json()["my_rating"] == 3


def test_a_fan_follows_the_author_from_judge_mode_with_one_tap(
    browser, start_server, make_user, make_round, real_entry, new_api
):
    server = start_server()
    make_user("judge")
    author = make_user("maria")
    round_ = make_round("open", title="Follow round")
    entry_id = real_entry(round_.id, author.id, "Rainbow flick", UPRIGHT)
    page = phone_page(browser, server, "judge")
    page.goto(f"/rounds/{round_.slug}/judge?entry={entry_id}")
    assert settled(page) == entry_id
    pill = page.locator(f"section.clip[data-entry-id='{entry_id}'] button.follow")
    name = page.locator(f"section.clip[data-entry-id='{entry_id}'] .clip-author")
    # the pill stands apart from the author's name, and a tap on it reaches it (not the clip)
    assert pill.bounding_box()["x"] >= name.bounding_box()["x"] + name.bounding_box()["width"] + 6
    pill.tap()
    pressed = f"section.clip[data-entry-id='{entry_id}'] button.follow[aria-pressed=true]"
    wait_js(page, f'document.querySelector("{pressed}") !== null')
    assert "Following" in pill.inner_text()
    fan = new_api("judge")
    assert fan.get("/api/v1/users/maria").get_json()["following"] is True


def test_no_crowd_before_your_own_vote_and_no_vote_on_the_end_screen(
    app, browser, start_server, make_user, make_round, real_entry, new_api
):
    server = start_server()
    make_user("judge")
    author = make_user("author")
    crowd = [make_user(f"crowd{i}") for i in range(2)]
    round_ = make_round("open", title="Blind round")
    made = [real_entry(round_.id, author.id, f"Clip {i}") for i in range(2)]
    with app.app_context():  # the crowd rated both clips already
        for fan in crowd:
            for entry_id in made:
                db.session.add(Rating(user_id=fan.id, entry_id=entry_id, stars=5))
        db.session.commit()
        from contest.rounds import ratings

        ratings.resync(made)
        db.session.commit()
    page = phone_page(browser, server, "judge")
    page.goto(f"/rounds/{round_.slug}/judge")
    first = current(page)
    line = f'section[data-entry-id="{first}"] [data-field="score-line"]'
    assert page.inner_text(line) == ""  # no score, average or count before this fan rates
    assert "★" not in page.inner_text(f'section[data-entry-id="{first}"]')
    page.tap("label[for=judge-star-2]")
    wait_js(page, f"document.getElementById('judge').dataset.current !== '{first}'")
    second = current(page)
    assert page.inner_text(f'section[data-entry-id="{second}"] [data-field="score-line"]') == ""
    wait_js(page, f"document.querySelector('{line}').textContent.startsWith('★')")  # after it
    page.tap("label[for=judge-star-4]")
    page.wait_for_selector("#judge-end", state="visible")
    wait_js(page, "Object.keys(window.gingaJudge.unsaved).length === 0")
    assert page.locator("#star-bar").is_hidden()
    sent = []
    page.on("request", lambda r: sent.append((r.method, r.url)))
    page.keyboard.press("1")  # a stray key or tap on the end screen changes nothing
    page.evaluate("document.querySelector('label[for=judge-star-1]').click()")
    # a request made after them: any rating they sent would have been sent before it
    assert page.evaluate("fetch('/api/v1/csrf').then(r => r.status)") == 200
    assert [m for m, url in sent if m == "PUT"] == [] and any("/csrf" in u for _, u in sent)
    fan = new_api("judge")
    assert fan.get(f"/api/v1/entries/{second}").get_json()["my_rating"] == 4
    assert fan.get(f"/api/v1/entries/{first}").get_json()["my_rating"] == 2


def test_the_entry_page_hides_the_crowd_from_a_fan_who_can_still_rate(
    make_user, make_round, make_entry, new_api, client
):
    author = make_user("author")
    make_user("fan")
    make_user("rater")
    entry = make_entry(make_round("open").id, author.id)
    assert (
        new_api("rater").put(f"/api/v1/entries/{entry.id}/rating", {"stars": 5}).status_code == 200
    )
    page = new_api("fan").client.get(f"/entries/{entry.id}").data.decode()
    assert 'id="rate-first"' in page and '<div id="crowd" hidden>' in page
    assert "Rate to see how others rated it." in page
    for who in ("rater", "author"):  # already rated, or their own clip: everything shows
        page = new_api(who).client.get(f"/entries/{entry.id}").data.decode()
        assert 'id="rate-first"' not in page and '<div id="crowd">' in page
    visitor = client.get(f"/entries/{entry.id}").data.decode()
    assert 'id="rate-first"' not in visitor and '<div id="crowd">' in visitor
    assert "Muchnik" in client.get("/how-scores-work").data.decode()


PICTURE = """(() => {
  const id = document.getElementById('judge').dataset.current;
  const video = document.querySelector(`section.clip[data-entry-id="${id}"] video`);
  if (!video || !video.videoWidth) return null;
  const box = video.getBoundingClientRect();
  const fit = getComputedStyle(video).objectFit;
  const scale = fit === 'contain'
    ? Math.min(box.width / video.videoWidth, box.height / video.videoHeight)
    : Math.max(box.width / video.videoWidth, box.height / video.videoHeight);
  const w = video.videoWidth * scale, h = video.videoHeight * scale;
  const left = box.left + (box.width - w) / 2, top = box.top + (box.height - h) / 2;
  const bar = document.querySelector('#star-bar').getBoundingClientRect();
  const head = document.querySelector('.judge-bar').getBoundingClientRect();
  const why = document.querySelector('#judge-why').getBoundingClientRect();
  return {left, top, right: left + w, bottom: top + h, barTop: bar.top, barHeight: bar.height,
          headBottom: Math.max(head.bottom, why.bottom),
          width: innerWidth, height: innerHeight};
})()"""


@pytest.mark.parametrize("size", [(360, 640), (360, 740), (390, 664), (740, 360)])
def test_the_whole_picture_shows_above_the_stars_at_every_size(
    browser, start_server, make_user, make_round, real_entry, size
):
    server = start_server()
    make_user("judge")
    author = make_user("author")
    round_ = make_round("open", title="Whole clips")
    shapes = {"tall": real_entry(round_.id, author.id, "Tall", (180, 320))}
    shapes["wide"] = real_entry(round_.id, author.id, "Wide", (320, 180))
    viewport = {"width": size[0], "height": size[1]}
    page = phone_page(browser, server, "judge", {**browser.phone, "viewport": viewport})
    for entry_id in shapes.values():
        page.goto(f"/rounds/{round_.slug}/judge?entry={entry_id}")
        assert current(page) == entry_id
        seen = wait_js(page, PICTURE)
        # 100% of the picture: inside the screen, under the header, above the star bar
        assert seen["left"] >= -0.5 and seen["right"] <= seen["width"] + 0.5, seen
        assert seen["top"] >= seen["headBottom"] - 0.5, seen
        assert seen["bottom"] <= seen["barTop"] + 0.5, seen
    if size == (360, 640):  # the header and the stars take at most a quarter of the screen
        assert seen["headBottom"] + seen["barHeight"] <= 0.25 * 640, seen
    page.context.close()


def test_a_tap_on_the_clip_pauses_and_resumes_it(
    browser, start_server, make_user, make_round, real_entry
):
    server = start_server()
    make_user("judge")
    author = make_user("author")
    round_ = make_round("open", title="Tap round")
    entry_id = real_entry(round_.id, author.id, "Clip")
    page = phone_page(browser, server, "judge")
    page.goto(f"/rounds/{round_.slug}/judge?entry={entry_id}")
    assert current(page) == entry_id
    video = f"section.clip[data-entry-id='{entry_id}'] video"
    wait_js(page, f'(v => v && !v.paused)(document.querySelector("{video}"))')
    page.tap(f"section.clip[data-entry-id='{entry_id}'] .clip-stage", position={"x": 60, "y": 60})
    wait_js(page, f'document.querySelector("{video}").paused')
    assert page.evaluate(f'document.querySelector("{video}").muted')  # the sound stays off
    page.tap(f"section.clip[data-entry-id='{entry_id}'] .clip-stage", position={"x": 60, "y": 60})
    wait_js(page, f'!document.querySelector("{video}").paused')
    fill = f"section.clip[data-entry-id='{entry_id}'] .clip-progress span"
    wait_js(page, f'parseFloat(document.querySelector("{fill}").style.width) > 0')
    page.context.close()


def test_signing_up_from_judge_mode_keeps_its_messages_and_the_link_returns_to_the_clip(
    browser,  # noqa: F811
    start_server,
    make_user,
    make_round,
    real_entry,
    smtp,
):
    import re

    server = start_server(**smtp.config())
    author = make_user("author")
    round_ = make_round("open", title="Join here")
    real_entry(round_.id, author.id, "First")
    real_entry(round_.id, author.id, "Second")
    page = phone_page(browser, server)
    page.goto(f"/rounds/{round_.slug}/judge")
    first = settled(page)
    page.keyboard.press("ArrowDown")
    wait_js(page, f"document.getElementById('judge').dataset.current !== '{first}'")
    chosen = settled(page)
    page.tap("label[for=judge-star-5]")
    page.wait_for_selector("#judge-gate", state="visible")
    page.click("#judge-join")
    page.wait_for_url("**/register**")
    page.fill("#username", "newfan")
    page.fill("#email", "newfan@example.com")
    page.fill("#password", "correct horse")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/rounds/{round_.slug}/judge?entry={chosen}")
    # the messages show above the judge view, not under it
    flashes = page.wait_for_selector("#judge-flashes", state="visible")
    assert "Check your email" in flashes.inner_text() and "Welcome" in flashes.inner_text()
    on_top = page.evaluate(
        """() => { const box = document.getElementById('judge-flashes').getBoundingClientRect();
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + 8);
        return document.getElementById('judge-flashes').contains(hit); }"""
    )
    assert on_top
    page.click("#judge-flashes-close")
    page.wait_for_selector("#judge-flashes", state="hidden")

    [message] = smtp.wait_for("newfan@example.com")
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://\S+(/verify/\S+)", text).group(1)
    assert "next=" in link
    page.goto(link)
    page.wait_for_url(f"**/rounds/{round_.slug}/judge?entry={chosen}")
    thanks = page.wait_for_selector("#judge-flashes", state="visible")
    assert "your email is confirmed" in thanks.inner_text()
    assert current(page) == chosen


def test_the_language_menu_works_from_judge_mode(
    browser,  # noqa: F811
    start_server,
    make_user,
    make_round,
    real_entry,
):
    server = start_server()
    author = make_user("author")
    round_ = make_round("open", title="Languages")
    real_entry(round_.id, author.id, "Clip")
    page = phone_page(browser, server)
    page.goto(f"/rounds/{round_.slug}/judge")
    shown = current(page)
    page.click("#lang-menu-judge summary")
    page.click("#lang-menu-judge button[value=zh_Hans]")
    page.wait_for_function("document.documentElement.lang === 'zh-Hans'")
    assert page.url.endswith(f"/rounds/{round_.slug}/judge?entry={shown}")  # the same clip
    assert current(page) == shown


def test_a_slow_network_or_data_saver_plays_small_clips_and_the_next_loads_only_its_start(
    browser, start_server, make_user, make_round, real_entry
):
    server = start_server()
    make_user("judge")
    author = make_user("author")
    round_ = make_round("open", title="Slow round")
    made = [real_entry(round_.id, author.id, f"Clip {i}") for i in range(3)]
    src = """(() => {
      const id = document.getElementById('judge').dataset.current;
      const video = document.querySelector(`section.clip[data-entry-id="${id}"] video`);
      return video && video.currentSrc;
    })()"""

    # on a fast network, the clip as uploaded (or its playback rendition)
    page = phone_page(browser, server, "judge")
    page.goto(f"/rounds/{round_.slug}/judge")
    assert wait_js(page, src).endswith("/video"), "a fast network plays the full clip"

    # DevTools' "Slow 4G" (1.6 Mbit/s and 150 ms, times its factors): the 540p rendition
    slow = phone_page(browser, server, "judge")
    cdp = slow.context.new_cdp_session(slow)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 562.5, "downloadThroughput": 180e3, "uploadThroughput": 84e3},
    )
    wait_js(slow, "navigator.connection.effectiveType === '3g'")  # the renderer has heard
    ranges = []
    slow.on("request", lambda r: ranges.append((r.url, r.headers.get("range"))))
    slow.goto(f"/rounds/{round_.slug}/judge")
    shown = wait_js(slow, src)
    assert shown.endswith("/small.mp4"), shown
    following = made[(made.index(current(slow)) + 1) % 3]
    # the next clip: its first 256 KB, then a player that reads its header, not the whole file
    wait_js(
        slow,
        f"""(() => {{
          const v = document.querySelector('section.clip[data-entry-id="{following}"] video');
          return v && v.preload === 'metadata' && v.src.endsWith('/small.mp4');
        }})()""",
    )
    assert (f"{server.url}/entries/{following}/small.mp4", "bytes=0-262143") in ranges
    assert slow.evaluate("document.querySelectorAll('section.clip video').length") == 2

    # Data saver, turned on in the settings, on a fast network: small everywhere
    page.goto("/settings/account")
    page.check("#ds-data_saver")
    page.click("#data-saver button[type=submit]")
    page.wait_for_selector("text=Data saver is on")
    page.goto(f"/rounds/{round_.slug}/judge")
    assert wait_js(page, src).endswith("/small.mp4")
    page.goto(f"/entries/{made[0]}")
    assert page.get_attribute("video.player", "src") == f"/entries/{made[0]}/small.mp4"
