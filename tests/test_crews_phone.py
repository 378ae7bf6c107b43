"""On a 360 px phone in Chromium: a fan creates a crew, another joins it, and answers a skill."""

from helpers import make_video
from test_browser import browser, phone_page  # noqa: F401


def test_a_phone_creates_a_crew_and_answers_a_skill(
    browser,  # noqa: F811
    start_server,
    make_user,
    make_round,
    make_entry,
    tmp_path,
):
    ana = make_user("ana")
    make_user("bob")
    round_ = make_round("open", title="Phone round")
    skill = make_entry(round_.id, ana.id, title="Elastico")
    server = start_server()

    ana_phone = phone_page(browser, server, "ana")
    ana_phone.goto("/crews")
    ana_phone.fill("#name", "Rua Boys")
    ana_phone.fill("#home", "Recife")
    ana_phone.click("#new-crew button[type=submit]")
    ana_phone.wait_for_url(server.url + "/crews/rua-boys")
    assert ana_phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert "@ana" in ana_phone.inner_text("#crew-members")

    bob = phone_page(browser, server, "bob")
    bob.goto("/crews/rua-boys")
    bob.click("#join-crew")
    bob.wait_for_selector("#crew-members >> text=@bob")
    bob.goto(f"/entries/{skill.id}")
    bob.click("#answer-skill")
    bob.wait_for_selector("#answering")
    assert "@ana" in bob.inner_text("#answering")
    bob.fill("#title", "Elastico, reversed")
    bob.set_input_files("#file", str(make_video(tmp_path, seconds=2, audio=False)))
    bob.click("#upload-button")
    link = bob.wait_for_selector("#upload-done #open-entry", timeout=40_000)
    bob.goto(link.get_attribute("href"))
    assert "Answer to @ana" in bob.inner_text("#answer-to")
    ana_phone.goto(f"/entries/{skill.id}")
    assert "Elastico, reversed" in ana_phone.inner_text("#answers")
    assert ana_phone.evaluate("document.documentElement.scrollWidth") <= 360
