"""Lighthouse budgets: home, round and entry pages of a seeded site on a phone.

python bench/lighthouse.py [--runs 1]

Seeds the demo site (real generated clips and posters) into SQLite in a temp folder, serves
it with gunicorn (gunicorn.conf.py) on 127.0.0.1, and runs Lighthouse from node_modules/
(`npm ci` at the project root; pinned in package.json) with Debian's Chromium, mobile form
factor (Lighthouse's default Moto G power throttling). Prints the category scores, the total
transfer and the first load before video (every request except media). Goals: performance,
accessibility and best practices >= 95, first load <= 150 KB before video.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

from common import ROOT, bench_config, server_env
from ingest import gunicorn, stop

from contest import create_app, demo
from contest.database import apply_migrations
from contest.extensions import db
from contest.models import Entry, Round

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices")


def lighthouse(url, out):
    subprocess.run(
        [str(LIGHTHOUSE), url, "--form-factor=mobile", "--output=json", f"--output-path={out}",
         "--only-categories=" + ",".join(CATEGORIES), "--quiet",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu "
         "--disable-background-networking --disable-component-update --no-first-run"],
        env={**os.environ, "CHROME_PATH": CHROMIUM}, check=True, timeout=180,
    )  # fmt: skip
    report = json.loads(out.read_text())
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    requests = report["audits"]["network-requests"]["details"]["items"]
    total = sum(r.get("transferSize", 0) for r in requests)
    before_video = sum(
        r.get("transferSize", 0) for r in requests if r.get("resourceType") != "Media"
    )
    metrics = report["audits"]
    return {
        **scores,
        "total_kb": total / 1024,
        "before_video_kb": before_video / 1024,
        "fcp_ms": metrics["first-contentful-paint"]["numericValue"],
        "lcp_ms": metrics["largest-contentful-paint"]["numericValue"],
        "cls": metrics["cumulative-layout-shift"]["numericValue"],
        "failed": [
            a["title"]
            for a in report["audits"].values()
            if a.get("score") is not None
            and a["score"] < 0.9
            and a.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
        ][:8],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1, help="runs per page (the median is shown)")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("needs Lighthouse: run `npm ci` in the project root")
    if not shutil.which(CHROMIUM):
        sys.exit(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    config, tmp = bench_config()
    app = create_app(config)
    apply_migrations(app)
    with app.test_request_context():  # seeding builds notification links
        print(demo.seed_demo())
        current = db.session.scalars(
            db.select(Round).where(Round.closed_at.is_(None)).order_by(Round.id)
        ).first()
        entry = db.session.scalars(db.select(Entry).where(Entry.round_id == current.id)).first()
        pages = {
            "home": "/",
            "round": f"/rounds/{current.slug}",
            "entry": f"/entries/{entry.id}",
            "judge": f"/rounds/{current.slug}/judge",
        }
    env = server_env(config, tmp)
    log = open(tmp / "gunicorn.log", "ab")
    server, url = gunicorn("wsgi:app", env, "gthread", 16, log)
    rows = {}
    try:
        for name, path in pages.items():
            runs = [lighthouse(url + path, tmp / f"{name}-{i}.json") for i in range(args.runs)]
            runs.sort(key=lambda r: r["performance"])
            rows[name] = runs[len(runs) // 2]
    finally:
        stop(server)
        log.close()
    print(f"\nLighthouse (mobile), {args.runs} run(s) per page, median by performance")
    print(f"{'page':<6} {'perf':>4} {'a11y':>4} {'best':>4} {'FCP ms':>7} {'LCP ms':>7} "
          f"{'CLS':>5} {'total KB':>9} {'before video KB':>15}")  # fmt: skip
    for name, r in rows.items():
        print(
            f"{name:<6} {r['performance']:>4} {r['accessibility']:>4} {r['best-practices']:>4} "
            f"{r['fcp_ms']:>7.0f} {r['lcp_ms']:>7.0f} {r['cls']:>5.2f} {r['total_kb']:>9.1f} "
            f"{r['before_video_kb']:>15.1f}"
        )
        if r["failed"]:
            print(f"       below 90: {'; '.join(r['failed'])}")
    first = statistics.median(r["before_video_kb"] for r in rows.values())
    print(f"median first load before video: {first:.1f} KB")


if __name__ == "__main__":
    main()
