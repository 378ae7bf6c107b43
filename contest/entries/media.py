"""Checking uploaded files by content with PyAV, and making poster frames."""

from dataclasses import dataclass

import av
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageStat

from contest.errors import NotAVideo
from contest.texts import Text

IMAGE_FORMATS = {"image2", "jpeg_pipe", "png_pipe", "gif", "webp_pipe", "bmp_pipe", "tiff_pipe"}
IMAGE_CODECS = {"mjpeg", "png", "gif", "bmp", "webp", "tiff", "jpegls", "jpeg2000"}
# The demuxers FFmpeg may use on an upload: phones' containers, and still images (opened only to
# say so). Never a playlist (hls), a concat script, or anything else that opens other files or
# network addresses: a playlist naming a local file made FFmpeg read another fan's clip.
CONTAINERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm"
IMAGE_DEMUXERS = "jpeg_pipe,png_pipe,webp_pipe,gif,bmp_pipe,tiff_pipe"
VIDEO_CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "h263"}
AUDIO_CODECS = {"aac", "opus", "vorbis", "mp3", "ac3", "eac3", "alac", "flac", "amr_nb", "amr_wb"}
MIN_SECONDS = 1.0
MIN_SIDE, MAX_SIDE = 64, 4096
POSTER_WIDTH = 720


@dataclass
class VideoFacts:
    duration: float
    width: int
    height: int
    codec: str
    audio_codec: str | None
    container: str
    rotation: int = 0
    pix_fmt: str = "yuv420p"
    brand: str = ""
    bit_rate: int = 0  # bits a second, all tracks: what a player must download to keep up


def _minutes(seconds):
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def open_upload(source):
    """Open an upload (a path, or the bucket's signed https URL) with only the allowed demuxers
    and protocols: the file itself, never anything it names."""
    remote = "://" in source
    return av.open(
        source,
        metadata_errors="ignore",
        container_options={
            "format_whitelist": f"{CONTAINERS},{IMAGE_DEMUXERS}",
            "protocol_whitelist": "https,http,tls,tcp" if remote else "file",
        },
    )


def probe_video(source, max_seconds):
    """Open a file and prove it is a whole, playable video within limits; raise NotAVideo if not."""
    try:
        container = open_upload(source)
    except MemoryError:  # out of memory (MEDIA_MEMORY_MB): a failed try, not a bad file
        raise
    except (av.FFmpegError, OSError, UnicodeDecodeError, ValueError):
        raise NotAVideo(_l("This file is not a video we can read."), code="not_a_video") from None
    with container:
        stream, audio = _check_tracks(container)
        width, height = stream.codec_context.width, stream.codec_context.height
        declared = container.duration / av.time_base if container.duration else None
        _check_length(declared, max_seconds)
        covered, rotation = _decode_through(container, stream)
        duration = declared or covered
        if duration < MIN_SECONDS:
            raise NotAVideo(_l("The video is shorter than one second."), code="too_short")
        _check_length(duration, max_seconds)
        if declared and covered < declared * 0.9 - 0.5:
            raise NotAVideo(
                _l("The file is cut off before the end of the video. Please upload it again."),
                code="truncated",
            )
        return VideoFacts(
            duration=round(duration, 3),
            width=width,
            height=height,
            codec=stream.codec_context.name,
            audio_codec=audio,
            container=container.format.name,
            rotation=rotation,
            pix_fmt=stream.codec_context.pix_fmt or "",
            brand=(container.metadata.get("major_brand") or "").ljust(4)[:4]
            if container.metadata.get("major_brand")
            else "",
            bit_rate=int(container.bit_rate or 0),
        )


def _check_tracks(container):
    """(the video stream, the audio codec or None) of a real video in codecs we take, at a
    size we take; NotAVideo otherwise."""
    if container.format.name in IMAGE_FORMATS:
        raise NotAVideo(_l("This is a still image, not a video."), code="not_a_video")
    if not container.streams.video:
        raise NotAVideo(_l("The file has no video track."), code="no_video_track")
    stream = container.streams.video[0]
    codec = stream.codec_context.name
    if codec in IMAGE_CODECS and (stream.frames or 0) <= 1:
        raise NotAVideo(_l("This is a still image, not a video."), code="not_a_video")
    if codec not in VIDEO_CODECS:
        raise NotAVideo(
            Text("The video is coded as %(codec)s, which we do not take.", codec=codec),
            code="unsupported_codec",
        )
    audio = container.streams.audio[0].codec_context.name if container.streams.audio else None
    if audio is not None and audio not in AUDIO_CODECS and not audio.startswith("pcm_"):
        raise NotAVideo(
            Text("The sound is coded as %(codec)s, which we do not take.", codec=audio),
            code="unsupported_codec",
        )
    width, height = stream.codec_context.width, stream.codec_context.height
    if not width or not height:
        raise NotAVideo(_l("The video track has no picture size."), code="not_a_video")
    if min(width, height) < MIN_SIDE or max(width, height) > MAX_SIDE:
        raise NotAVideo(
            Text(
                "The picture is %(size)s; we take %(min)s to %(max)s pixels a side.",
                size="×".join((str(width), str(height))),
                min=str(MIN_SIDE),
                max=str(MAX_SIDE),
            ),
            code="bad_resolution",
        )
    return stream, audio


def _check_length(seconds, max_seconds):
    if seconds and seconds > max_seconds + 0.5:
        raise NotAVideo(
            Text(
                "The video is %(length)s long; the limit is %(limit)s.",
                length=_minutes(seconds),
                limit=_minutes(max_seconds),
            ),
            code="too_long",
        )


def _decode_through(container, stream):
    """Read every video packet (decoding the first frames); return (seconds covered, rotation)."""
    decoded = 0
    last_end = 0.0
    rotation = 0
    try:
        for packet in container.demux(stream):
            if packet.pts is not None and packet.time_base is not None:
                end = float((packet.pts + (packet.duration or 0)) * packet.time_base)
                start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
                last_end = max(last_end, end - start)
            if decoded < 3:
                for frame in packet.decode():
                    decoded += 1
                    rotation = int(round(frame.rotation or 0)) % 360
    except MemoryError:
        raise
    except av.FFmpegError:
        raise NotAVideo(
            _l("The video data is damaged and cannot be played."), code="damaged"
        ) from None
    if decoded == 0:
        raise NotAVideo(_l("No picture could be decoded from this file."), code="not_a_video")
    return last_end, rotation


POSTER_SPOTS = (0.2, 0.35, 0.5, 0.65, 0.8)  # where in the clip poster candidates are taken


def make_poster(source, out_path, spots=POSTER_SPOTS):
    """Write a JPEG poster from the clip's most telling frame: several candidates, the one with
    the most detail wins, and near-black or blown-out frames (a fade-in, a hand over the lens)
    lose to any real picture."""
    best, best_score = None, -1.0
    with open_upload(source) as container:
        stream = container.streams.video[0]
        duration = container.duration / av.time_base if container.duration else 0
        for target in sorted({round(duration * spot, 3) for spot in spots} or {0.0}):
            image = _frame_at(container, stream, target)
            if image is None:
                continue
            score = _interest(image)
            if score > best_score:
                best, best_score = image, score
    if best is None:
        raise NotAVideo(_l("No picture could be decoded from this file."), code="not_a_video")
    if best.width > POSTER_WIDTH:
        height = round(best.height * POSTER_WIDTH / best.width)
        best = best.resize((POSTER_WIDTH, height), Image.LANCZOS)
    best.convert("RGB").save(out_path, "JPEG", quality=82, optimize=True, progressive=True)
    return out_path


def _frame_at(container, stream, target):
    """The first frame at or after target seconds (upright, as the phone showed it), or None."""
    if target > 0 and stream.time_base:
        container.seek(int(target / stream.time_base), stream=stream, backward=True)
    image = None
    try:
        for frame in container.decode(stream):
            image = frame.to_image()
            if frame.rotation:  # counter-clockwise, like PIL's rotate
                image = image.rotate(frame.rotation, expand=True)
            if frame.time is None or frame.time >= target:
                break
    except MemoryError:
        raise
    except av.FFmpegError:
        pass  # a damaged stretch: the other candidates decide
    return image


def _interest(image):
    """How much a frame shows: its contrast, far less for a near-black or near-white frame."""
    gray = ImageStat.Stat(image.convert("L").resize((64, 64)))
    mean, spread = gray.mean[0], gray.stddev[0]
    if mean < 24 or mean > 235:
        return spread * 0.1
    return spread
