"""Short football-ish clips made with PyAV, for the demo site and the tests (nothing downloaded)."""

from fractions import Fraction

import av
from PIL import Image, ImageDraw

PITCH = (34, 139, 34)


def write_clip(
    path,
    seconds=3.0,
    width=640,
    height=360,
    fps=25,
    color=(240, 240, 240),
    audio=True,
    codec="libx264",
    container_options=None,
    rotation=0,
    noise=False,
    dark_until=0.0,
):
    """Write a clip of a ball bouncing across a pitch (MP4 or MOV, by the path)."""
    frames = max(1, int(seconds * fps))
    options = {"movflags": "faststart"} if container_options is None else container_options
    with av.open(str(path), "w", options=options) as out:
        video = out.add_stream(codec, rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        if rotation:
            video.set_display_rotation(rotation)  # as phones record portrait
        video.time_base = Fraction(1, fps)
        if codec in ("libx264", "libx265"):
            video.options = {"preset": "ultrafast"}
        if codec == "libx265":
            video.options["x265-params"] = "log-level=error"
            video.codec_context.codec_tag = "hvc1"  # the tag Apple devices write
        sound = out.add_stream("aac", rate=44100) if audio else None
        for i in range(frames):
            dark = i < dark_until * frames  # a dark opening, as phones record before the trick
            if dark:
                image = Image.new("RGB", (width, height), (4, 4, 4))
            elif noise:  # grain that does not compress: makes big files quickly
                image = Image.effect_noise((width, height), 60).convert("RGB")
            else:
                image = Image.new("RGB", (width, height), PITCH)
            if not dark:
                _draw_pitch(image, i, frames, color)
            frame = av.VideoFrame.from_image(image)
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        if sound is not None:
            _write_silence(out, sound, seconds)
    return path


def _draw_pitch(image, i, frames, color):
    """The halfway line, a corner flag and the ball where it is at frame i."""
    width, height = image.size
    r = max(4, height // 12)
    draw = ImageDraw.Draw(image)
    draw.line([(width // 2, 0), (width // 2, height)], fill=(255, 255, 255), width=2)
    # a yellow corner flag top-left: tests read it back to check orientation
    draw.rectangle([0, 0, width // 8, height // 8], fill=(255, 230, 0))
    x = int((i / frames) * (width - 2 * r)) + r
    y = int(height - r - abs(((i * 7) % (2 * (height - 2 * r))) - (height - 2 * r)))
    draw.ellipse([x - r, y - r, x + r, y + r], fill=color, outline=(0, 0, 0))


def _write_silence(out, sound, seconds):
    samples_per_frame = sound.codec_context.frame_size or 1024
    total = int(seconds * 44100)
    pts = 0
    while pts < total:
        frame = av.AudioFrame(format="fltp", layout="stereo", samples=samples_per_frame)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate, frame.pts, frame.time_base = 44100, pts, Fraction(1, 44100)
        pts += samples_per_frame
        for packet in sound.encode(frame):
            out.mux(packet)
    for packet in sound.encode():
        out.mux(packet)
