"""Judge mode on a phone network: star tap to the next clip playing, and bytes per judged clip.

python bench/judge.py [--clips 24] [--ratings 12] [--watch 15] [--networks 4g,slow4g,saver]
python bench/judge.py --compare   # also ratings a minute against the page-by-page way

Seeds the demo site, adds phone-like clips (15 s, 1080x1920 upright, grain, about 12 Mbit/s,
as phones record) through the real processing job (poster, small rendition), serves it with
gunicorn on 127.0.0.1 and drives Debian's Chromium (Playwright) at 360x740 with DevTools
network throttling (CDP Network.emulateNetworkConditions):
- 4g:     9 Mbit/s down, 40 ms round trip;
- slow4g: DevTools' "Slow 4G" preset as DevTools applies it (1.6 Mbit/s and 150 ms, times
  its factors: 1.44 Mbit/s, 562.5 ms); slow4g-raw: the bare 1.6 Mbit/s and 150 ms;
- saver:  4g with the fan's Data saver on.
For each it reports, over --ratings ratings, each clip watched --watch seconds before the tap:
- from a star tap to the next clip *playing* (its `playing` event), p50/p95;
- the video bytes fetched per judged clip (CDP dataReceived, cache hits excluded) and which
  rendition played;
- with --compare, ratings a minute in judge mode against the old way (round page -> entry
  page -> star -> back), each driven as fast as the page allows.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
from common import bench_config, server_env
from ingest import gunicorn, stop
from PIL import Image, ImageDraw

from contest import create_app, demo
from contest.database import apply_migrations
from contest.extensions import db
from contest.models import Entry, Round, User

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"]
# "Slow 4G" as DevTools applies its preset (1.6 Mbit/s and 150 ms, times its factors 0.9 and
# 3.75); "slow4g-raw" the bare 1.6 Mbit/s and 150 ms, which NetInfo still calls "4g"
NETWORKS = {
    "4g": {"down": 9.0, "up": 9.0, "rtt": 40, "saver": False},
    "slow4g": {"down": 1.6 * 0.9, "up": 0.75 * 0.9, "rtt": 150 * 3.75, "saver": False},
    "slow4g-raw": {"down": 1.6, "up": 0.75, "rtt": 150, "saver": False},
    "saver": {"down": 9.0, "up": 9.0, "rtt": 40, "saver": True},
    "none": None,
}
HOOKS = """
() => {
  window.__samples = []; window.__t0 = null; window.__from = null; window.__played = [];
  document.getElementById('star-bar').addEventListener('pointerdown', () => {
    window.__t0 = performance.now();
    window.__from = document.getElementById('judge').dataset.current;
  }, true);
  document.addEventListener('playing', (e) => {
    const clip = e.target.closest && e.target.closest('section.clip');
    if (window.__t0 !== null && clip && clip.dataset.entryId !== window.__from) {
      window.__samples.push(performance.now() - window.__t0);
      window.__played.push(e.target.currentSrc);
      window.__t0 = null;
    }
  }, true);
}
"""
PLAYING_FOR = """
(seconds) => {
  const id = document.getElementById('judge').dataset.current;
  const video = document.querySelector(`section.clip[data-entry-id="${id}"] video`);
  return !!video && !video.paused && video.currentTime >= seconds;
}
"""


def phone_clip(path, seconds=15, fps=30, size=(1080, 1920), seed=0):
    """A clip as a phone records it, and hard to compress: upright 1080p, coarse grain that
    survives scaling down (a worst case for the renditions), about 12 Mbit/s H.264 and AAC."""
    width, height = size
    green = Image.new("RGB", (width, height), (40 + seed * 20, 120, 50))
    with av.open(str(path), "w", options={"movflags": "faststart"}) as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.time_base = Fraction(1, fps)
        video.options = {"preset": "ultrafast", "crf": "20", "maxrate": "12M", "bufsize": "24M"}
        sound = out.add_stream("aac", rate=44100)
        frames = int(seconds * fps)
        for i in range(frames):
            grain = Image.effect_noise((width // 4, height // 4), 48).convert("RGB")
            image = Image.blend(green, grain.resize((width, height), Image.NEAREST), 0.35)
            draw = ImageDraw.Draw(image)
            x = int((width - 120) * abs((i / 60) % 2 - 1))
            draw.ellipse((x, height // 2, x + 120, height // 2 + 120), fill=(250, 250, 250))
            frame = av.VideoFrame.from_image(image)
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        samples_per_frame = 1024
        for n in range(int(seconds * 44100 / samples_per_frame)):
            chunk = av.AudioFrame(format="fltp", layout="stereo", samples=samples_per_frame)
            for plane in chunk.planes:
                plane.update(bytes(plane.buffer_size))
            chunk.sample_rate, chunk.pts = 44100, n * samples_per_frame
            chunk.time_base = Fraction(1, 44100)
            for packet in sound.encode(chunk):
                out.mux(packet)
        for stream in (video, sound):
            for packet in stream.encode(None):
                out.mux(packet)
    return path


def seed(config, extra_clips, phone_clips):
    """The demo site, phone-like clips, and more clips in its running round (rows sharing
    the phone clips' files, each under its own URL)."""
    app = create_app(config)
    apply_migrations(app)
    with app.test_request_context():
        print(demo.seed_demo())
        current = db.session.scalars(
            db.select(Round).where(Round.closed_at.is_(None)).order_by(Round.id)
        ).first()
        fans = db.session.scalars(db.select(User).where(User.role == "fan")).all()
        models = []
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(phone_clips):
                started = time.monotonic()
                path = phone_clip(Path(tmp) / f"phone-{i}.mp4", seed=i)
                entry = demo.add_entry_from_file(current.id, fans[i].id, f"Phone clip {i}", path)
                print(
                    f"phone clip {i}: {path.stat().st_size / 1e6:.1f} MB, small rendition "
                    f"{(Path(config['UPLOAD_DIR']) / entry.small_key).stat().st_size / 1e6:.2f}"
                    f" MB, processed in {time.monotonic() - started:.0f} s"
                )
                models.append(entry)
        for entry in db.session.scalars(db.select(Entry).where(Entry.round_id == current.id)):
            if entry.title.startswith("Phone clip"):
                continue
            entry.status = "hidden"  # the demo's 3 s clips: judge only phone-like ones
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
    page.click("button.primary[type=submit]")
    page.wait_for_url("**/")


def wait(page, expression, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value:
            return value
        time.sleep(0.02)
    raise RuntimeError(f"timed out: {expression}")


def throttle(context, page, network):
    """DevTools network throttling on this page, and a counter of the video bytes it fetches."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if network is not None:
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": network["rtt"],
                "downloadThroughput": network["down"] * 1e6 / 8,
                "uploadThroughput": network["up"] * 1e6 / 8,
                "connectionType": "cellular4g",
            },
        )
    media, received = set(), {}

    def on_request(event):
        url = event["request"]["url"]
        if url.endswith((".mp4", "/video")) or "/original." in url:
            media.add(event["requestId"])

    def on_data(event):
        if event["requestId"] in media:
            received[event["requestId"]] = (
                received.get(event["requestId"], 0) + event["encodedDataLength"]
            )

    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.dataReceived", on_data)
    return lambda: sum(received.values())


def judge_mode(browser, url, slug, ratings, network, watch, fan):
    """(tap-to-playing samples ms, video bytes, renditions played, ratings a minute)."""
    context = browser.new_context(**phone(), base_url=url)
    page = context.new_page()
    sign_in(page, fan)  # rated nothing in the running round
    if network and network["saver"]:
        page.evaluate("""() => ginga.api('PATCH', '/me', {data_saver: true})""")
    video_bytes = throttle(context, page, network)
    page.goto(f"/rounds/{slug}/judge")
    page.evaluate(HOOKS)
    started = time.monotonic()
    for i in range(ratings):
        wait(page, f"({PLAYING_FOR})(0.05)", timeout=60)
        time.sleep(watch)  # the fan watches (clips loop, as in judge mode)
        page.tap(f"label[for=judge-star-{1 + i % 5}]")
        wait(page, f"window.__samples.length >= {i + 1}", timeout=60)
    elapsed = time.monotonic() - started
    samples = page.evaluate("window.__samples")
    played = page.evaluate("window.__played")
    wait(page, "Object.keys(window.gingaJudge.unsaved).length === 0")
    total = video_bytes()
    context.close()
    return samples, total / (ratings + 1), played, ratings * 60 / elapsed


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
    parser.add_argument("--clips", type=int, default=24, help="extra clips in the running round")
    parser.add_argument("--phone-clips", type=int, default=3, help="distinct phone-like clips")
    parser.add_argument("--ratings", type=int, default=12, help="ratings cast on each network")
    parser.add_argument("--watch", type=float, default=15, help="seconds watched before a tap")
    parser.add_argument(
        "--networks", default="4g,slow4g,slow4g-raw,saver", help=f"of {', '.join(NETWORKS)}"
    )
    parser.add_argument("--compare", action="store_true", help="also the page-by-page way")
    args = parser.parse_args()
    if not shutil.which(CHROMIUM):
        sys.exit(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    names = [n for n in args.networks.split(",") if n]
    unknown = [n for n in names if n not in NETWORKS]
    if unknown:
        sys.exit(f"unknown network(s) {unknown}: use {', '.join(NETWORKS)}")
    config, tmp = bench_config()
    slug, entry_ids = seed(config, args.clips, args.phone_clips)
    fans = ["moderator", "kaka_kid", "elastico", "ronaldinha", "marta_magic", "sole_roller"]
    log = open(tmp / "gunicorn.log", "ab")
    server, url = gunicorn("wsgi:app", server_env(config, tmp), "gthread", 16, log)
    results = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for i, name in enumerate(names):
                results[name] = judge_mode(
                    browser, url, slug, args.ratings, NETWORKS[name], args.watch, fans[i]
                )
            if args.compare:
                _, _, _, judge_rate = judge_mode(
                    browser, url, slug, args.ratings, None, 0, "cruyff_turn"
                )
                old_rate, old_taps, old_loads = page_by_page(
                    browser, url, slug, entry_ids, min(args.ratings, len(entry_ids) - 3)
                )
            browser.close()
    finally:
        stop(server)
        log.close()
    print(
        f"\nJudge mode, Chromium at 360x740, {len(entry_ids)} clips of 15 s (1080x1920, "
        f"~12 Mbit/s), {args.ratings} ratings per network, each clip watched {args.watch:g} s"
    )
    print(f"{'network':28} {'tap->playing p50':>17} {'p95':>7} {'MB per clip':>12}  played")
    for name, (samples, per_clip, played, _rate) in results.items():
        samples = sorted(samples)
        p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
        small = sum(1 for u in played if u.endswith("small.mp4"))
        label = {
            "4g": "4G (9 Mbit/s, 40 ms)",
            "slow4g": "Slow 4G (DevTools preset)",
            "slow4g-raw": "1.6 Mbit/s, 150 ms",
            "saver": "4G with Data saver",
            "none": "no throttling",
        }[name]
        print(
            f"{label:28} {statistics.median(samples):14.0f} ms {p95:5.0f} ms "
            f"{per_clip / 1e6:12.2f}  {small}/{len(played)} small"
        )
    if args.compare:
        print(f"judge mode:   {judge_rate:5.1f} ratings/min, 1 tap each")
        print(
            f"page by page: {old_rate:5.1f} ratings/min, {old_taps:.1f} taps and "
            f"{old_loads:.1f} page loads per rating (plus scrolling)"
        )


if __name__ == "__main__":
    main()
