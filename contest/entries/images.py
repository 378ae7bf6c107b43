"""Pictures fans and moderators upload: checked by content, re-encoded, never stored as sent."""

import io
import tempfile

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from contest.entries.storage import get_storage
from contest.errors import Invalid, TooLarge, UnsupportedType

MAX_BYTES = 5 * 1024 * 1024
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MAX_PIXELS = 40_000_000


def reencode_image(stream, key, size):
    """Read a picture (refusing anything else), crop it to `size` and store it as JPEG at `key`."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooLarge(_l("Pictures are at most 5 MB."), code="image_too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise UnsupportedType(
                    _l("Use a JPEG, PNG, WebP or GIF picture."), code="not_an_image"
                )
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise Invalid(_l("That picture is far too large."), code="image_too_large")
        image = ImageOps.exif_transpose(image.convert("RGB"))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UnsupportedType(
            _l("That file is not a picture we can read."), code="not_an_image"
        ) from None
    fitted = ImageOps.fit(image, size, Image.LANCZOS)
    with tempfile.NamedTemporaryFile(suffix=".jpg") as tmp:
        fitted.save(tmp, "JPEG", quality=85, optimize=True, progressive=True)
        tmp.flush()
        get_storage().put_file(key, tmp.name, "image/jpeg")
    return key
