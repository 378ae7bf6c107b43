"""Time to make the playback rendition of a phone-like clip: 60 s 1080p HEVC .mov, rotated.

python bench/transcode.py [--seconds 60] [--noise]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contest.entries import (
    clips,
    media,
    transcode,  # noqa: E402
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--noise", action="store_true", help="grain on every frame: worst case")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "IMG_0001.mov"
        t0 = time.perf_counter()
        clips.write_clip(
            source,
            seconds=args.seconds,
            width=1920,
            height=1080,
            fps=30,
            codec="libx265",
            rotation=90,
            container_options={},
            noise=args.noise,
        )
        print(
            f"made the source in {time.perf_counter() - t0:.0f}s: "
            f"{source.stat().st_size / 1e6:.1f} MB"
        )
        facts = media.probe_video(str(source), max_seconds=600)
        print(
            f"source: {facts.codec} {facts.width}x{facts.height} rotation {facts.rotation}, "
            f"needs a rendition because: {', '.join(transcode.reasons_to_transcode(facts))}"
        )
        out = Path(tmp) / "playback.mp4"
        t0 = time.perf_counter()
        size = transcode.make_rendition(str(source), out, facts.rotation)
        took = time.perf_counter() - t0
        print(
            f"rendition {size[0]}x{size[1]} H.264/AAC: {took:.1f}s for {args.seconds:.0f}s of "
            f"video ({args.seconds / took:.2f}x real time), {out.stat().st_size / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
