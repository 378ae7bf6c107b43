"""Upload throughput and the server's memory while a large file arrives in parts.

python bench/upload.py [--mb 256]
The file is random bytes (the processing job then rejects it as not a video): this measures
the part path, which must stream to disk and never hold a whole file in memory.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from ratings import PASSWORD, prepare  # noqa: E402
from servers import Server  # noqa: E402

from contest.config import database_url  # noqa: E402


def rss_peak_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=256)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.db")
    config = {
        "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": url,
        "AUTO_MIGRATE": False,
        "UPLOAD_DIR": tmp + "/uploads",
        "RATELIMIT_ENABLED": False,
        "SCHEDULER_INTERVAL": 0,
        "REDIS_URL": None,
        "MAX_VIDEO_BYTES": 2**31,
    }
    prepare(config, users=1, entries=0)
    path = Path(tmp) / "big.mp4"
    with open(path, "wb") as out:
        for _ in range(args.mb):
            out.write(os.urandom(1024 * 1024))
    server = Server(config, Path(tmp) / "server.log")
    try:
        s = server.session("fan000", password=PASSWORD)
        baseline = rss_peak_mb(server.process.pid)

        round_id = 1
        start = s.post(
            f"{server.url}/api/v1/uploads",
            json={
                "round_id": round_id,
                "title": "big",
                "filename": "big.mp4",
                "size": path.stat().st_size,
                "content_type": "video/mp4",
            },
        ).json()
        t0 = time.perf_counter()
        with open(path, "rb") as f:
            for part in start["parts"]:
                r = s.put(
                    server.url + part["url"],
                    data=f.read(start["part_size"]),
                    headers={"Content-Type": "application/octet-stream"},
                )
                assert r.status_code == 200, r.text
        sent = time.perf_counter() - t0
        t0 = time.perf_counter()
        r = s.post(f"{server.url}/api/v1/uploads/{start['upload_id']}/complete", json={})
        assert r.status_code == 202, r.text
        joined = time.perf_counter() - t0
        peak = rss_peak_mb(server.process.pid)
        print(
            f"{args.mb} MB in {len(start['parts'])} parts of {start['part_size'] >> 20} MiB: "
            f"{sent:.1f}s = {args.mb / sent:.0f} MB/s; joining parts {joined * 1000:.0f} ms"
        )
        print(f"server peak RSS: {baseline:.0f} MB before, {peak:.0f} MB after")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
