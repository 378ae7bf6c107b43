"""WCAG 2.2 AA: axe-core (npm, injected into a real Chromium) on the main pages of a live site.

Needs `npm ci` at the project root (node_modules/ is git-ignored); skips with the reason if
axe-core is not installed there.
"""

from pathlib import Path

import pytest
from test_browser import browser, phone_page, wait_js  # noqa: F401

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = pytest.mark.skipif(
    not AXE.exists(), reason="axe-core is not installed: run `npm ci` in the project root"
)
RUN_AXE = """
async () => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
  });
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.help} -> ` +
      v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}
"""


def audit(page, path):
    answer = page.goto(path)
    assert answer.status == 200, path
    page.wait_for_load_state("networkidle")
    page.evaluate(AXE.read_text())  # evaluated by the browser's debugger: the CSP still holds
    return page.evaluate(RUN_AXE)


def test_no_serious_or_critical_violations_on_the_main_pages(
    browser,  # noqa: F811
    start_server,
    make_user,
    make_round,
    make_entry,
):
    server = start_server()
    fan = make_user("ana")
    make_user("mod", role="moderator")
    round_ = make_round("open", title="Accessible round")
    entry = make_entry(round_.id, fan.id, title="Rainbow flick")
    pages = {
        None: [
            "/",
            f"/rounds/{round_.slug}",
            f"/rounds/{round_.slug}/judge",
            f"/entries/{entry.id}",
            "/login",
            "/hall-of-fame",
            "/how-scores-work",
            "/themes",
            "/crews",
            "/password/forgot",
        ],
        "ana": [
            "/upload",
            "/u/ana",
            f"/entries/{entry.id}",
            "/settings/profile",
            "/settings/account",
            "/settings/notifications",
        ],
        "mod": [
            "/moderation/",
            "/moderation/log",
            "/moderation/themes",
            "/moderation/insights",
            f"/entries/{entry.id}",
            f"/rounds/{round_.slug}/judge",
        ],
    }
    found = {}
    for user, paths in pages.items():
        page = phone_page(browser, server, user)
        for path in paths:
            violations = audit(page, path)
            if violations:
                found[f"{user or 'visitor'} {path}"] = violations
        page.context.close()
    assert found == {}


def test_the_star_rating_is_a_radio_group_for_keyboards_and_screen_readers(
    browser,  # noqa: F811
    start_server,
    make_user,
    make_round,
    make_entry,
):
    server = start_server()
    author = make_user("ana")
    make_user("bob")
    entry = make_entry(make_round("open").id, author.id, title="Rainbow flick")
    page = phone_page(browser, server, "bob")
    puts = []
    page.on("request", lambda r: r.method == "PUT" and puts.append(r.url))
    page.goto(f"/entries/{entry.id}")
    group = page.get_by_role("radiogroup", name="Your rating")
    assert [group.get_by_role("radio", name=f"{n} star").count() for n in range(1, 6)] == [1] * 5
    page.focus("#star-1")
    page.keyboard.press("Space")  # choose 1, then walk to 3 with the arrow keys
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    wait_js(page, "document.getElementById('rate-message').textContent.startsWith('You gave 3')")
    assert page.get_by_role("radio", name="3 stars").is_checked()
    assert len(puts) == 1  # saved where the fan stopped, not at every step
    assert page.locator(".rating-summary").get_attribute("aria-live") == "polite"
    body = page.request.get(f"{server.url}/api/v1/entries/{entry.id}").json()
    assert body["my_rating"] == 3 and body["rating"]["count"] == 1
