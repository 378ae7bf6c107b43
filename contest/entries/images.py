"""Pictures fans and moderators upload: checked by content, re-encoded, never stored as sent.

A picture is judged by its header before a pixel is decoded: a 155 KB PNG can claim 6,320 ×
6,320 pixels and cost 370 MB once decoded. Over MAX_SIDE a side it is refused (413). Within
it, JPEGs decode at a reduced scale (`draft`), everything is shrunk before it is turned
upright and converted, and at most IMAGE_WORKERS pictures are decoded at once per process.
Worst case, a 4096 × 4096 RGBA PNG, peaks at 87 MB above its bytes (bench/image_memory.py).
"""

import io
import tempfile
import threading

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from contest.entries.storage import get_storage
from contest.errors import TooLarge, UnsupportedType

MAX_BYTES = 5 * 1024 * 1024
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MAX_SIDE = 4096
# libwebp decodes into two full-size RGBA canvases before Pillow copies the picture out: a
# 4096-pixel WebP peaked at 250 MB, a 2048-pixel one stays under 70 MB
MAX_SIDE_BY_FORMAT = {"WEBP": 2048}
_slots = {}  # IMAGE_WORKERS -> its semaphore (one per process)
_slots_lock = threading.Lock()


def _slot():
    workers = current_app.config.get("IMAGE_WORKERS", 2) if has_app_context() else 2
    with _slots_lock:
        if workers not in _slots:
            _slots[workers] = threading.BoundedSemaphore(max(1, workers))
        return _slots[workers]


def _reduce(image, factor):
    """The picture made `factor` times smaller by a box average, or itself when factor < 2.

    Pillow reduces RGBA through a premultiplied copy of the whole picture (+64 MB at 4096
    pixels a side); reducing one band at a time costs one band's copy instead."""
    if factor < 2:
        return image
    if image.mode in ("RGBA", "LA"):
        image.load()
        bands = [image.getchannel(band).reduce(factor) for band in image.getbands()]
        return Image.merge(image.mode, bands)
    if image.mode in ("L", "RGB"):
        return image.reduce(factor)
    return image  # palette pictures are small per pixel; thumbnail() converts them


def _cover(have, size):
    """The box a picture shrinks into and still covers `size` whichever way it is turned."""
    side = max(size)
    scale = min(side / min(have), 1.0) if min(have) else 1.0
    return (max(1, round(have[0] * scale)), max(1, round(have[1] * scale)))


def fitted_picture(data, size):
    """The picture in `data`, cropped and scaled to `size`, upright, RGB; refused if it is not
    a picture we take or is larger than MAX_SIDE a side (by its header, before decoding)."""
    if len(data) > MAX_BYTES:
        raise TooLarge(_l("Pictures are at most 5 MB."), code="image_too_large")
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
        if image.format not in FORMATS:
            raise UnsupportedType(_l("Use a JPEG, PNG, WebP or GIF picture."), code="not_an_image")
        if max(image.size) > MAX_SIDE_BY_FORMAT.get(image.format, MAX_SIDE):
            raise TooLarge(
                _l(
                    "Pictures are at most %(side)s pixels a side.",
                    side=MAX_SIDE_BY_FORMAT.get(image.format, MAX_SIDE),
                ),
                code="image_too_large",
            )
        with _slot():
            # JPEG: decode at 1/2, 1/4 or 1/8 scale when that still covers the target
            image.draft("RGB", (max(size), max(size)))
            # shrink first, so the turn, the conversion and the crop work on a small picture:
            # a box reduce by a whole factor (no premultiplied RGBA copy of the full picture),
            # then one resample
            image = _reduce(image, min(image.size) // max(size))
            image.thumbnail(_cover(image.size, size), Image.LANCZOS)
            image = ImageOps.exif_transpose(image).convert("RGB")
            return ImageOps.fit(image, size, Image.LANCZOS)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UnsupportedType(
            _l("That file is not a picture we can read."), code="not_an_image"
        ) from None


def reencode_image(stream, key, size):
    """Read a picture (refusing anything else), crop it to `size` and store it as JPEG at `key`."""
    fitted = fitted_picture(stream.read(MAX_BYTES + 1), size)
    with tempfile.NamedTemporaryFile(suffix=".jpg") as tmp:
        fitted.save(tmp, "JPEG", quality=85, optimize=True, progressive=True)
        tmp.flush()
        get_storage().put_file(key, tmp.name, "image/jpeg")
    return key
