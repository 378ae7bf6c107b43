"""Time and memory of checking a video by content and making its poster.

python bench/media.py [--seconds 60] [--width 1920 --height 1080]
"""

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contest.entries import (
    clips,
    media,  # noqa: E402
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.mp4"
        t0 = time.perf_counter()
        clips.write_clip(path, seconds=args.seconds, width=args.width, height=args.height, fps=30)
        made = time.perf_counter() - t0
        size = path.stat().st_size
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        facts = media.probe_video(str(path), max_seconds=600)
        probed = time.perf_counter() - t0
        t0 = time.perf_counter()
        media.make_poster(str(path), str(Path(tmp) / "poster.jpg"))
        postered = time.perf_counter() - t0
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"clip: {args.seconds:.0f}s {args.width}x{args.height} H.264, {size / 1e6:.1f} MB "
        f"(generated in {made:.1f}s)"
    )
    print(
        f"probe (reads every packet, decodes the first frames): {probed * 1000:.0f} ms -> {facts}"
    )
    print(f"poster JPEG: {postered * 1000:.0f} ms")
    print(
        f"peak RSS grew by {(rss_after - rss_before) / 1024:.1f} MB while checking a "
        f"{size / 1e6:.1f} MB file"
    )


if __name__ == "__main__":
    main()
