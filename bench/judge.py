"""Judge mode on a phone: tap-to-next-clip time, bytes before the first frame, ratings a minute.

python bench/judge.py [--clips 30] [--ratings 20]

Seeds the demo site (real generated clips and posters) plus more entries sharing its videos,
serves it with gunicorn on 127.0.0.1, and drives Debian's Chromium (Playwright) at 360x740:
- from a star tap to the next clip *playing* (its `playing` event), p50/p95;
- the bytes the judge page loaded (document, CSS, JS, posters, video ranges) when its first
  clip started playing (Resource Timing transfer sizes);
- ratings a minute in judge mode against the old way (round page -> entry page -> star ->
  back), each driven as fast as the page allows, and the taps and page loads each one needs.
"""

import argparse
import os
import shutil
import statistics
import sys
import time

from common import bench_config, server_env
from ingest import gunicorn, stop

from contest import create_app, demo
from contest.database import apply_migrations
from contest.extensions import db
from contest.models import Entry, Round, User

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"]
HOOKS = """
() => {
  window.__samples = []; window.__t0 = null; window.__from = null;
  document.getElementById('star-bar').addEventListener('pointerdown', () => {
    window.__t0 = performance.now();
    window.__from = document.getElementById('judge').dataset.current;
  }, true);
  document.addEventListener('playing', (e) => {
    const clip = e.target.closest && e.target.closest('section.clip');
    if (window.__t0 !== null && clip && clip.dataset.entryId !== window.__from) {
      window.__samples.push(performance.now() - window.__t0);
      window.__t0 = null;
    }
  }, true);
}
"""
FIRST_FRAME_BYTES = """
() => new Promise((resolve) => {
  const done = () => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    const bytes = (nav ? nav.transferSize : 0) + res.reduce((n, r) => n + (r.transferSize || 0), 0);
    const kinds = {};
    res.forEach((r) => {
      kinds[r.initiatorType] = (kinds[r.initiatorType] || 0) + (r.transferSize || 0);
    });
    resolve({bytes, kinds, requests: res.length + 1, ms: performance.now()});
  };
  const playing = document.querySelector('section.clip video');
  if (playing && !playing.paused && playing.currentTime > 0) return done();
  document.addEventListener('playing', done, {capture: true, once: true});
})
"""


def seed(config, extra_clips):
    """The demo site, and more clips in its running round (rows sharing the demo's files)."""
    app = create_app(config)
    apply_migrations(app)
    with app.test_request_context():
        print(demo.seed_demo())
        current = db.session.scalars(
            db.select(Round).where(Round.closed_at.is_(None)).order_by(Round.id)
        ).first()
        models = db.session.scalars(db.select(Entry).where(Entry.round_id == current.id)).all()
        fans = db.session.scalars(db.select(User).where(User.role == "fan")).all()
        for i in range(extra_clips):
            model = models[i % len(models)]
            columns = [c.name for c in Entry.__table__.columns if c.name != "id"]
            copy = {name: getattr(model, name) for name in columns}
            copy.update(title=f"{model.title} #{i + 2}", author_id=fans[i % len(fans)].id)
            copy.update(rating_count=0, rating_sum=0)
            db.session.add(Entry(**copy))
        db.session.commit()
        entry_ids = db.session.scalars(  # in the order of the round page's "new" sort
            db.select(Entry.id)
            .where(Entry.round_id == current.id, Entry.status == "live")
            .order_by(Entry.created_at.desc(), Entry.id.desc())
        ).all()
        return current.slug, entry_ids


def sign_in(page, name):
    page.goto("/login")
    page.fill("#login", name)
    page.fill("#password", demo.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def wait(page, expression, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value:
            return value
        time.sleep(0.02)
    raise RuntimeError(f"timed out: {expression}")


def judge_mode(browser, url, slug, ratings):
    """(tap-to-playing samples ms, first-frame facts, ratings a minute) in judge mode."""
    context = browser.new_context(**phone(), base_url=url)
    page = context.new_page()
    sign_in(page, "moderator")  # rated nothing in the running round
    page.goto(f"/rounds/{slug}/judge")
    first = page.evaluate(FIRST_FRAME_BYTES)
    page.evaluate(HOOKS)
    loads = []
    page.on("request", lambda r: loads.append(r.url) if r.resource_type == "document" else None)
    started = time.monotonic()
    for i in range(ratings):
        page.tap(f"label[for=judge-star-{1 + i % 5}]")
        wait(page, f"window.__samples.length >= {i + 1}")
    elapsed = time.monotonic() - started
    samples = page.evaluate("window.__samples")
    wait(page, "Object.keys(window.gingaJudge.unsaved).length === 0")
    context.close()
    return samples, first, ratings * 60 / elapsed, len(loads)


def page_by_page(browser, url, slug, entry_ids, ratings):
    """Ratings a minute the old way: the round page, a card, the stars, back."""
    context = browser.new_context(**phone(), base_url=url)
    page = context.new_page()
    sign_in(page, "la_pulga")
    loads = []
    page.on("request", lambda r: loads.append(r.url) if r.resource_type == "document" else None)
    started, done, taps = time.monotonic(), 0, 0
    for entry_id in entry_ids:
        if done >= ratings:
            break
        page.goto(f"/rounds/{slug}?sort=new&page={1 + entry_ids.index(entry_id) // 12}")
        card = page.locator(f".entry-card > a[href='/entries/{entry_id}']")
        card.scroll_into_view_if_needed()
        with page.expect_navigation():
            card.tap()
        taps += 2  # the card, and back to the round afterwards
        if page.locator("#rate").count() == 0:  # their own clip: nothing to rate
            continue
        page.locator("#rate").scroll_into_view_if_needed()
        page.tap(f"label[for=star-{1 + done % 5}]")
        wait(page, "document.getElementById('rate-message').textContent.startsWith('You gave')")
        taps += 1
        done += 1
    elapsed = time.monotonic() - started
    context.close()
    return done * 60 / elapsed, taps / done, len(loads) / done


def phone():
    return {
        "viewport": {"width": 360, "height": 740},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
        "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
    }


def main():
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", type=int, default=30, help="extra clips in the running round")
    parser.add_argument("--ratings", type=int, default=20, help="ratings cast in each way")
    args = parser.parse_args()
    if not shutil.which(CHROMIUM):
        sys.exit(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    config, tmp = bench_config()
    slug, entry_ids = seed(config, args.clips)
    log = open(tmp / "gunicorn.log", "ab")
    server, url = gunicorn("wsgi:app", server_env(config, tmp), "gthread", 16, log)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            samples, first, judge_rate, judge_loads = judge_mode(browser, url, slug, args.ratings)
            old_rate, old_taps, old_loads = page_by_page(
                browser, url, slug, entry_ids, min(args.ratings, len(entry_ids) - 3)
            )
            browser.close()
    finally:
        stop(server)
        log.close()
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    print(f"\nJudge mode, {len(samples)} ratings, Chromium at 360x740, {len(entry_ids)} clips")
    p50 = statistics.median(samples)
    print(f"star tap -> next clip playing: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    kinds = ", ".join(f"{k} {v / 1024:.1f}" for k, v in sorted(first["kinds"].items()))
    print(
        f"before the first frame: {first['bytes'] / 1024:.1f} KB in {first['requests']} requests "
        f"({first['ms']:.0f} ms after navigation; KB by kind: {kinds})"
    )
    print(f"judge mode:   {judge_rate:5.1f} ratings/min, 1 tap and {judge_loads} page loads in all")
    print(
        f"page by page: {old_rate:5.1f} ratings/min, {old_taps:.1f} taps and {old_loads:.1f} "
        "page loads per rating (plus scrolling)"
    )


if __name__ == "__main__":
    main()
