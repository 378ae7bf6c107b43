"""Phones first: add to home screen, an offline page, and every page usable with one thumb."""

import io
import json

import pytest
from PIL import Image
from test_browser import browser, phone_page, wait_js  # noqa: F401

# Targets a thumb uses; inline links inside running text are exempt (WCAG 2.5.8).
TARGETS = (
    "button, input:not([type=hidden]), select, textarea, .top nav a, .tabbar a, .sorts a, "
    ".pager a, .actions a, a.button, label.star"
)
SMALL_TARGETS = """
() => Array.from(document.querySelectorAll(TARGETS_JSON))
  .filter(el => el.offsetParent !== null || getComputedStyle(el).position === "fixed")
  .map(el => {
    // a checkbox or radio is tapped through its label: the label is the target
    const tappable = ["checkbox", "radio"].includes(el.type) && el.labels && el.labels.length
      ? el.labels[0] : el;
    return [el, tappable.getBoundingClientRect()];
  })
  .filter(([el, r]) => r.width > 0 && (r.width < 44 || r.height < 44))
  .map(([el, r]) => `${el.tagName}.${el.className} "${(el.textContent || el.name || "")
    .trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`)
""".replace("TARGETS_JSON", json.dumps(TARGETS))


def test_manifest_and_icons_let_fans_add_ginga_to_the_home_screen(client):
    page = client.get("/").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    answer = client.get("/manifest.webmanifest")
    assert answer.status_code == 200 and answer.mimetype == "application/manifest+json"
    manifest = answer.get_json(force=True)
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/")
    assert manifest["short_name"] == "Ginga" and manifest["theme_color"] == "#0b6e2e"
    thai = client.get("/manifest.webmanifest", headers={"Accept-Language": "th"})
    assert thai.get_json(force=True)["name"] == "Ginga: ประกวดทักษะฟุตบอล"
    assert thai.get_json(force=True)["lang"] == "th"
    assert "Accept-Language" in thai.headers["Vary"]  # a cache keeps one per language
    sizes = {}
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png"
        width, height = Image.open(io.BytesIO(image.get_data())).size
        assert f"{width}x{height}" == icon["sizes"]
        sizes.setdefault(icon.get("purpose", "any"), set()).add(width)
    assert {192, 512} <= sizes["any"] and 512 in sizes["maskable"]
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and "javascript" in worker.mimetype
    assert "no-cache" in worker.headers["Cache-Control"]


def test_offline_page_is_the_same_for_everyone(client):
    answer = client.get("/offline")
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert "No connection right now" in body and "csrf" not in body.lower()
    thai = client.get("/offline?lang=th", headers={"Accept-Language": "id"})
    assert '<html lang="th">' in thai.get_data(as_text=True)
    assert "ขณะนี้ไม่มีการเชื่อมต่อ" in thai.get_data(as_text=True)
    odd = client.get("/offline?lang=xx", headers={"Accept-Language": "id"})  # the browser's
    assert odd.status_code == 200 and '<html lang="id">' in odd.get_data(as_text=True)
    worker = client.get("/sw.js").get_data(as_text=True)
    from contest.i18n import LANGUAGES

    assert f"var LANGUAGES = {json.dumps(list(LANGUAGES))};" in worker.replace("'", '"')


def test_a_phone_that_loses_the_site_gets_the_offline_page(browser, start_server):  # noqa: F811
    server = start_server()
    page = phone_page(browser, server)
    page.goto("/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # installed and active
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()  # a page loaded before the worker was active is not controlled by it
    wait_js(page, "navigator.serviceWorker.controller !== null")
    server.stop()  # the network is gone
    page.goto("/hall-of-fame")
    assert page.locator("h1").inner_text() == "No connection right now"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_offline_page_speaks_the_language_of_the_last_page(
    browser,  # noqa: F811
    start_server,
):
    server = start_server()
    page = phone_page(browser, server, locale="id-ID")
    page.goto("/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # installed and active
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()  # a page loaded before the worker was active is not controlled by it
    wait_js(page, "navigator.serviceWorker.controller !== null")
    with page.expect_navigation():
        page.select_option("#language-picker", "th")  # the footer picker submits at once
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang") == "th"
    wait_js(
        page,
        "caches.match('/offline-language').then(r => r && r.text()).then(t => t === 'th')",
    )
    server.stop()
    page.goto("/hall-of-fame")
    assert page.locator("h1").inner_text() == "ขณะนี้ไม่มีการเชื่อมต่อ"
    assert page.evaluate("document.documentElement.lang") == "th"
    page.context.close()


@pytest.mark.parametrize("device", ["360x740", "iPhone 13"])
def test_every_page_fits_one_thumb(
    browser,  # noqa: F811
    device,
    start_server,
    make_user,
    make_round,
    make_entry,
):
    server = start_server()
    fan = make_user("ana")
    make_user("mod", role="moderator")
    round_ = make_round("open", title="Thumb round")
    entry = make_entry(round_.id, fan.id, title="Rainbow flick")
    pages = {
        None: ["/", "/hall-of-fame", "/login", "/register", f"/rounds/{round_.slug}"],
        "ana": [f"/entries/{entry.id}", "/upload", "/u/ana", "/feed", "/settings/profile"],
        "mod": ["/moderation/", f"/entries/{entry.id}"],
    }
    profile = browser.phone if device == "360x740" else browser.iphone
    problems = {}
    for user, paths in pages.items():
        page = phone_page(browser, server, user, profile)
        width = page.viewport_size["width"]
        for path in paths:
            answer = page.goto(path)
            assert answer.status == 200, path
            found = []
            if page.evaluate("document.documentElement.scrollWidth") > width:
                found.append("scrolls sideways")
            tabbar = page.locator(".tabbar")
            if not tabbar.is_visible():
                found.append("no bottom navigation")
            else:
                box = tabbar.bounding_box()
                if abs(box["y"] + box["height"] - page.viewport_size["height"]) > 1:
                    found.append("bottom navigation is not at the bottom")
            found += page.evaluate(SMALL_TARGETS)
            if found:
                problems[f"{user or 'visitor'} {path}"] = found
        page.context.close()
    assert problems == {}


def test_a_visitors_first_screen_says_what_ginga_is_with_clips_in_view(
    browser,  # noqa: F811
    start_server,
    make_user,
    make_round,
    make_entry,
):
    """At 360×740: one line on what Ginga is, the running round's brief, prize, deadline,
    clip count and three steps, and the first clip cards still on the first screen."""
    round_ = make_round("open", title="Skill of the month", prize="A signed ball")
    for i in range(4):
        make_entry(round_.id, make_user(f"fan{i}").id, title=f"Trick {i}")
    server = start_server()
    page = phone_page(browser, server)
    page.goto("/")
    assert "monthly football skills contest" in page.inner_text("#tagline")
    assert "A signed ball" in page.inner_text("#pitch-prize")
    assert "4 clips" in page.inner_text("#pitch-clips") and "Voting closes" in page.content()
    assert page.locator(".steps li").count() == 3
    tabbar_top = page.evaluate("document.querySelector('.tabbar').getBoundingClientRect().top")
    first_card = page.evaluate(
        "document.querySelector('#home-clips li').getBoundingClientRect().top"
    )
    assert first_card < tabbar_top - 80, (first_card, tabbar_top)  # a poster's top shows
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_moderators_header_fits_one_row_and_sign_out_lives_in_me(
    browser,  # noqa: F811
    start_server,
    make_user,
):
    make_user("moderator_with_a_long_name", role="moderator")
    server = start_server()
    page = phone_page(browser, server, "moderator_with_a_long_name")
    middles = page.evaluate(
        """Array.from(document.querySelectorAll('.top .brand, .top nav > *'))
        .filter(el => el.getBoundingClientRect().width > 0)
        .map(el => { const r = el.getBoundingClientRect(); return (r.top + r.bottom) / 2; })"""
    )
    assert len(middles) >= 4 and max(middles) - min(middles) < 8, middles  # one row
    assert page.locator(".top form[action='/logout']").count() == 0
    page.click(".tabbar a[href='/u/moderator_with_a_long_name']")
    page.wait_for_url("**/u/moderator_with_a_long_name")
    page.click("#sign-out button")
    page.wait_for_url(server.url + "/")
    assert page.locator(".top a[href='/login']").count() == 1
