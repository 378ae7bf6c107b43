"""The round page's leaderboard is the live board: its top ten, kept in step on a phone."""

from test_browser import browser, phone_page, wait_js  # noqa: F401

ROWS = "rows => rows.map(r => r.dataset.entryId)"


def test_the_round_page_shows_the_live_top_ten_and_keeps_it_in_step(
    browser,  # noqa: F811
    start_server,
    make_user,
    make_round,
    make_entry,
):
    author = make_user("author")
    make_user("fan")
    round_ = make_round("voting", title="Big round")
    entries = [make_entry(round_.id, author.id, title=f"Clip {i}") for i in range(12)]
    server = start_server()
    watcher = phone_page(browser, server)
    watcher.goto(f"/rounds/{round_.slug}")
    watcher.wait_for_selector("html[data-live-room]", state="attached", timeout=10_000)
    shown = watcher.eval_on_selector_all("#leaderboard li", ROWS)
    assert shown == [str(e.id) for e in entries[:10]]  # nobody has rated: oldest first
    assert "All 12 clips by score" in watcher.inner_text("#all-standings")

    last = entries[-1]
    fan = server.session("fan")
    answer = fan.put(f"{server.url}/api/v1/entries/{last.id}/rating", json={"stars": 5}, timeout=10)
    assert answer.status_code == 200
    # the rated clip leads; the tenth drops out rather than staying above the new top ten
    wait_js(
        watcher,
        f"(() => {{ const rows = [...document.querySelectorAll('#leaderboard li')];"
        f" return rows.length === 10 && rows[0].dataset.entryId === '{last.id}'; }})()",
    )
    shown = watcher.eval_on_selector_all("#leaderboard li", ROWS)
    assert shown == [str(last.id)] + [str(e.id) for e in entries[:9]]
    assert watcher.inner_text("#leaderboard li:first-child .rank") == "1"
