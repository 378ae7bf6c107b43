"""A whole round on phones, in a real Chromium: sign up, rate, watch live, comment, report,
a moderator hiding an entry, closing, and the published results."""

import pytest
from flask import url_for
from test_browser import browser, phone_page, wait_js  # noqa: F401

from contest.accounts import users as accounts
from contest.extensions import db
from contest.models import User


@pytest.mark.parametrize("device", ["360x740", "iPhone 13"])
def test_a_round_from_sign_up_to_published_results(
    browser,  # noqa: F811
    device,
    app,
    start_server,
    make_user,
    make_round,
    make_entry,
):
    server = start_server()
    profile = browser.phone if device == "360x740" else browser.iphone

    def phone(username=None):
        return phone_page(browser, server, username, profile)

    bob, dan = make_user("bob"), make_user("dan")
    make_user("mod", role="moderator")
    round_ = make_round("open", title="Season round")
    elastico = make_entry(round_.id, bob.id, title="Bob's elastico")
    rabona = make_entry(round_.id, dan.id, title="Dan's rabona")

    # a new fan signs up on her phone and confirms her email from the link we mailed
    carla = phone()
    carla.goto("/register")
    carla.fill("#username", "carla")
    carla.fill("#email", "carla@example.com")
    carla.fill("#password", "correct horse")
    carla.click("main button[type=submit]")
    carla.wait_for_url(server.url + "/")
    with app.test_request_context():
        user = db.session.scalar(db.select(User).where(User.username == "carla"))
        link = url_for("auth.verify_email", token=accounts.verification_token(user))
    carla.goto(link)
    assert "your email is confirmed" in carla.inner_text(".flash")

    # two visitors watch, one the round's leaderboard, one the entry's histogram
    board = phone()
    board.goto(f"/rounds/{round_.slug}")
    board.wait_for_selector("html[data-live-room]", state="attached", timeout=10_000)
    viewer = phone()
    viewer.goto(f"/entries/{elastico.id}")
    viewer.wait_for_selector("html[data-live-room]", state="attached", timeout=10_000)

    carla.goto(f"/entries/{elastico.id}")
    carla.click("label[for=star-5]")
    wait_js(carla, "document.getElementById('rate-message').textContent.startsWith('You gave 5')")
    wait_js(
        viewer, "document.querySelector('#histogram text[data-count=\"5\"]').textContent === '1'"
    )
    assert viewer.inner_text(".rating-summary [data-field=ratings]") == "1 rating"
    row = f"#leaderboard li[data-entry-id='{elastico.id}']"
    wait_js(
        board,
        f"document.querySelector(\"{row} [data-field=ratings]\").textContent === '1 rating'",
    )
    assert board.inner_text(f"{row} .rank") == "1"

    carla.fill("#comment-body", "What a touch!")
    carla.click("#comment-form button[type=submit]")
    assert (
        "What a touch!" in viewer.wait_for_selector("#comment-list li", timeout=10_000).inner_text()
    )

    # she reports the other clip: "something else" needs words, then it goes through
    carla.goto(f"/entries/{rabona.id}")
    carla.click(".report summary")
    carla.select_option("#report-reason", "other")
    carla.click("#report-form button[type=submit]")
    wait_js(carla, "document.getElementById('report-message').textContent.length > 0")
    assert "reason" in carla.inner_text("#report-message").lower()
    carla.fill("#report-text", "It is a cat video")
    carla.click("#report-form button[type=submit]")
    wait_js(carla, "document.getElementById('report-message').textContent.startsWith('Thanks')")

    # the moderator sees the report, hides the clip from its page; visitors lose it
    mod = phone("mod")
    mod.goto("/moderation/")
    assert "It is a cat video" in mod.inner_text("main")
    mod.goto(f"/entries/{rabona.id}")
    mod.fill("#mod-reason", "Not football")
    mod.click("#mod-tools button[value=hide]")
    mod.wait_for_url(f"{server.url}/entries/{rabona.id}")
    assert "hidden" in mod.inner_text(".status")
    assert viewer.goto(f"/entries/{rabona.id}").status == 404

    # closing freezes the ranking; publishing shows it to everyone
    mod.goto(f"/rounds/{round_.slug}")
    mod.click("form[action$='/close'] button")
    mod.click(".confirm-dialog button.primary")  # asked in the page, not by confirm()
    mod.wait_for_url(f"{server.url}/rounds/{round_.slug}/results")
    assert viewer.goto(f"/rounds/{round_.slug}/results").status == 404  # not published yet
    mod.goto(f"/rounds/{round_.slug}")
    mod.click("form[action$='/publish'] button")
    mod.wait_for_load_state()
    results = viewer.goto(f"/rounds/{round_.slug}/results")
    assert results.status == 200
    first = viewer.locator(".results li").first.inner_text()
    assert "Bob's elastico" in first and "Dan's rabona" not in viewer.inner_text(".results")
