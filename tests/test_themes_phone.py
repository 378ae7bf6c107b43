"""Proposing and voting a theme on a 360 px phone in Chromium, with the count moving live."""

from datetime import timedelta

from test_browser import browser, phone_page, wait_js  # noqa: F401

from contest.extensions import db
from contest.models import ProposalWindow, utcnow
from contest.themes.windows import month_of, shift


def test_a_phone_proposes_and_another_votes_live(browser, start_server, make_user, app):  # noqa: F811
    month = shift(month_of(utcnow()), 2)
    with app.app_context():
        now = utcnow()
        db.session.add(
            ProposalWindow(
                month=month, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1)
            )
        )
        db.session.commit()
    make_user("ana")
    make_user("bob")
    server = start_server()
    ana = phone_page(browser, server, "ana")
    ana.goto(f"/themes?month={month}")
    ana.fill("#title", "Rainbow flicks only")
    ana.fill("#brief", "Over the head, in one motion.")
    ana.click("#propose button[type=submit]")
    ana.wait_for_selector("text=Rainbow flicks only")
    ana.wait_for_selector(f"html[data-live-room='themes:{month}']", state="attached")
    assert ana.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    assert ana.query_selector("button.vote") is None  # no vote for one's own theme

    bob = phone_page(browser, server, "bob")
    bob.goto(f"/themes?month={month}")
    bob.click("button.vote")
    wait_js(bob, "document.querySelector('button.vote').getAttribute('aria-pressed') === 'true'")
    assert "1 vote" in bob.inner_text("button.vote")
    # Ana's page hears of it without a reload
    wait_js(ana, "document.querySelector('.votes').dataset.votes === '1'")
    assert "1 vote" in ana.inner_text(".votes")
    bob.click("button.vote")  # taking it back
    wait_js(ana, "document.querySelector('.votes').dataset.votes === '0'")
