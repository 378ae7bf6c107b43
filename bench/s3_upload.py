"""Presigned multipart upload through the app's API vs boto3.upload_file, on one SeaweedFS.

python bench/s3_upload.py [--mb 200]
"""

import argparse
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

import requests  # noqa: E402
from boto3.s3.transfer import TransferConfig  # noqa: E402
from ratings import PASSWORD, prepare  # noqa: E402
from seaweed import ACCESS_KEY, SECRET_KEY, SeaweedFS  # noqa: E402
from servers import Server  # noqa: E402

from contest.entries.storage import get_storage  # noqa: E402

PARALLEL = 3  # what the upload page uses


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    os.environ.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY)
    seaweed = SeaweedFS(tmp / "seaweed").start()
    server = None
    try:
        config = {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.db",
            "AUTO_MIGRATE": False,
            "RATELIMIT_ENABLED": False,
            "SCHEDULER_INTERVAL": 0,
            "REDIS_URL": None,
            "STORAGE": "s3",
            "S3_BUCKET": f"bench-{uuid.uuid4().hex[:8]}",
            "S3_ENDPOINT_URL": seaweed.url,
            "MAX_VIDEO_BYTES": 2**31,
            "UPLOAD_PART_SIZE": 8 * 1024 * 1024,
            "UPLOAD_DIR": str(tmp),
        }
        app, _ = prepare(config, users=1, entries=0)
        with app.app_context():
            get_storage().setup(["http://127.0.0.1"])
        path = tmp / "big.mp4"
        with open(path, "wb") as out:
            for _ in range(args.mb):
                out.write(os.urandom(1024 * 1024))
        size = path.stat().st_size
        server = Server(config, tmp / "server.log")
        s = server.session("fan000", PASSWORD)

        t0 = time.perf_counter()
        started = s.post(
            f"{server.url}/api/v1/uploads",
            json={
                "round_id": 1,
                "title": "bench",
                "filename": "big.mp4",
                "size": size,
                "content_type": "video/mp4",
            },
        ).json()
        part_size = started["part_size"]

        def send(part):
            with open(path, "rb") as f:
                f.seek((part["number"] - 1) * part_size)
                r = requests.put(part["url"], data=f.read(part_size), timeout=120)
            r.raise_for_status()
            return {"number": part["number"], "etag": r.headers["ETag"]}

        with ThreadPoolExecutor(PARALLEL) as pool:
            etags = list(pool.map(send, started["parts"]))
        done = s.post(
            f"{server.url}/api/v1/uploads/{started['upload_id']}/complete", json={"parts": etags}
        )
        assert done.status_code == 202, done.text
        presigned = time.perf_counter() - t0

        client = seaweed.client()
        t0 = time.perf_counter()
        client.upload_file(
            str(path),
            config["S3_BUCKET"],
            "plain/big.mp4",
            Config=TransferConfig(multipart_chunksize=part_size, max_concurrency=PARALLEL),
        )
        plain = time.perf_counter() - t0
        mb = size / 1e6
        print(f"{mb:.0f} MB, parts of {part_size >> 20} MiB, {PARALLEL} at a time")
        print(
            f"presigned multipart via the app's API: {presigned:.2f}s = {mb / presigned:.0f} MB/s"
        )
        print(f"boto3.upload_file:                     {plain:.2f}s = {mb / plain:.0f} MB/s")
        print(f"ratio: {plain / presigned * 100:.0f}% of boto3's throughput")
    finally:
        if server:
            server.stop()
        seaweed.stop()


if __name__ == "__main__":
    main()
