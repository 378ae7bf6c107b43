"""Renditions: H.264 + AAC MP4, upright, `faststart` (they play while they download).

PLAYBACK (at most 720p, at most 2.5 Mbit/s) is made when the upload itself would not play on
every phone or would not stream on a 4G one (over 5 Mbit/s). SMALL (at most 540p, at most about
0.7 Mbit/s) is made for every clip, for fans on a slow network or with Data saver on: a 15 s
clip is at most about 1.3 MB.
"""

from dataclasses import dataclass, field
from fractions import Fraction

import av

from contest.entries.media import open_upload

SAFE_PIX_FMTS = ("yuv420p", "yuvj420p")
# above this, an upload would stall on a 4G phone (about 9 Mbit/s shared with the page):
# phones record 1080p at 12-17 Mbit/s, so most clips play from their 720p rendition
MAX_PLAYBACK_BIT_RATE = 5_000_000
QUICKTIME_BRAND = "qt  "


@dataclass(frozen=True)
class Profile:
    short_side: int
    long_side: int
    audio_bit_rate: int
    video_options: dict = field(default_factory=dict)


PLAYBACK = Profile(
    720,
    1280,
    128_000,
    {
        "preset": "veryfast",
        "crf": "23",
        "maxrate": "2500k",
        "bufsize": "5000k",
        "profile": "high",
        "level": "4.0",
    },
)
# 600k video + 64k audio at the cap: 15 s is about 1.25 MB; most clips land well below it
SMALL = Profile(
    540,
    960,
    64_000,
    {
        "preset": "veryfast",
        "crf": "27",
        "maxrate": "600k",
        "bufsize": "1200k",
        "profile": "main",
        "level": "3.1",
    },
)
MAX_SHORT_SIDE, MAX_LONG_SIDE = PLAYBACK.short_side, PLAYBACK.long_side


def reasons_to_transcode(facts):
    """Why this video would not play everywhere as it is (empty: it is browser-safe)."""
    reasons = []
    if facts.codec != "h264":
        reasons.append(f"{facts.codec} video")
    if facts.audio_codec not in (None, "aac"):
        reasons.append(f"{facts.audio_codec} audio")
    if facts.rotation:
        reasons.append("rotated")
    if facts.pix_fmt not in SAFE_PIX_FMTS:
        reasons.append(f"{facts.pix_fmt} pixels (10-bit or HDR)")
    if max(facts.width, facts.height) > 1920 or min(facts.width, facts.height) > 1080:
        reasons.append("larger than 1080p")
    if facts.brand == QUICKTIME_BRAND:
        reasons.append("QuickTime container")
    if facts.bit_rate > MAX_PLAYBACK_BIT_RATE:
        reasons.append(f"{facts.bit_rate / 1e6:.1f} Mbit/s, more than a 4G phone keeps up with")
    return reasons


def _even(n):
    return max(2, int(n) // 2 * 2)


def output_size(width, height, rotation, profile=PLAYBACK):
    """The upright size, scaled down to fit the profile (720p by default), in even pixels."""
    if rotation in (90, -90, 270, -270):
        width, height = height, width
    scale = min(
        1.0, profile.short_side / min(width, height), profile.long_side / max(width, height)
    )
    return _even(width * scale), _even(height * scale)


def rotation_filters(rotation):
    """ffmpeg filters that turn a frame upright, from its counter-clockwise display rotation."""
    rotation = rotation % 360
    if rotation == 90:
        return [("transpose", "cclock")]
    if rotation == 270:
        return [("transpose", "clock")]
    if rotation == 180:
        return [("hflip", None), ("vflip", None)]
    return []


def _video_graph(stream, rotation, size):
    graph = av.filter.Graph()
    node = graph.add_buffer(template=stream)
    steps = rotation_filters(rotation) + [
        ("scale", f"{size[0]}:{size[1]}"),
        ("format", "yuv420p"),
    ]
    for name, args in steps:
        nxt = graph.add(name, args) if args else graph.add(name)
        node.link_to(nxt)
        node = nxt
    sink = graph.add("buffersink")
    node.link_to(sink)
    graph.configure()
    return graph


def make_rendition(source, out_path, rotation=0, profile=PLAYBACK):
    """Write an H.264/AAC MP4 (faststart, fitted to the profile, rotation applied); returns
    (width, height)."""
    with open_upload(source) as src:
        vin = src.streams.video[0]
        ain = src.streams.audio[0] if src.streams.audio else None
        size = output_size(vin.codec_context.width, vin.codec_context.height, rotation, profile)
        graph = _video_graph(vin, rotation, size)
        rate = vin.average_rate or vin.guessed_rate or Fraction(30)
        with av.open(str(out_path), "w", format="mp4", options={"movflags": "faststart"}) as dst:
            vout = dst.add_stream("libx264", rate=rate)
            vout.width, vout.height, vout.pix_fmt = size[0], size[1], "yuv420p"
            vout.time_base = vin.time_base
            vout.options = dict(profile.video_options)
            aout = resampler = None
            if ain is not None:
                sample_rate = ain.rate if ain.rate in (44100, 48000) else 48000
                aout = dst.add_stream("aac", rate=sample_rate)
                aout.layout = "stereo"
                aout.bit_rate = profile.audio_bit_rate
                resampler = av.AudioResampler(format="fltp", layout="stereo", rate=sample_rate)
            samples = 0
            streams = [s for s in (vin, ain) if s is not None]
            for packet in src.demux(*streams):
                for frame in packet.decode():
                    if packet.stream is vin:
                        graph.push(frame)
                        _drain_video(graph, vout, dst)
                    else:
                        for chunk in resampler.resample(frame):
                            chunk.pts, chunk.time_base = samples, Fraction(1, aout.rate)
                            samples += chunk.samples
                            dst.mux(aout.encode(chunk))
            graph.push(None)
            _drain_video(graph, vout, dst)
            dst.mux(vout.encode(None))
            if aout is not None:
                for chunk in resampler.resample(None):
                    chunk.pts, chunk.time_base = samples, Fraction(1, aout.rate)
                    samples += chunk.samples
                    dst.mux(aout.encode(chunk))
                dst.mux(aout.encode(None))
    return size


def _drain_video(graph, vout, dst):
    while True:
        try:
            frame = graph.pull()
        except (av.BlockingIOError, av.EOFError):
            return
        frame.pict_type = av.video.frame.PictureType.NONE
        dst.mux(vout.encode(frame))
