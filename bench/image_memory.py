"""Memory one picture upload costs: the peak resident size while a picture is checked, shrunk
and re-encoded, above what the process held before (the upload's bytes already read).

python bench/image_memory.py

Each case runs in a fresh process; its peak is reset (/proc/self/clear_refs) once the
picture's bytes are in memory, so the figure is the decoding and re-encoding alone.
"""

import io
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "png-4096-rgba": ("PNG", 4096, 4096, "RGBA"),
    "png-4096-rgb": ("PNG", 4096, 4096, "RGB"),
    "jpeg-4096": ("JPEG", 4096, 4096, "RGB"),
    "webp-2048": ("WEBP", 2048, 2048, "RGB"),
    "webp-4096-refused": ("WEBP", 4096, 4096, "RGB"),
    "gif-4096": ("GIF", 4096, 4096, "P"),
    "gif-2048": ("GIF", 2048, 2048, "P"),
    "png-6320-refused": ("PNG", 6320, 6320, "RGB"),
}


def _kib(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def one(name):
    sys.path.insert(0, str(ROOT))
    from PIL import Image

    from contest.entries.images import fitted_picture
    from contest.errors import ContestError

    kind, width, height, mode = CASES[name]
    # smooth noise: a picture with detail that still fits the 5 MB limit
    image = Image.effect_noise((width // 64, height // 64), 64).resize((width, height))
    image = image.convert(mode)
    out = io.BytesIO()
    image.save(out, kind)
    data = out.getvalue()
    del image
    before = _kib("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # peak resident size starts again from now
    try:
        fitted_picture(data, (1280, 720))
        result = "stored"
    except ContestError as error:
        result = f"refused: {error.code}"
    peak = _kib("VmHWM")
    print(
        f"{name:18} {len(data) / 1e6:6.1f} MB file  {(peak - before) / 1024:6.1f} MB peak  {result}"
    )


def main():
    if len(sys.argv) > 1:
        return one(sys.argv[1])
    print("case               file size       memory above the bytes")
    for name in CASES:
        subprocess.run([sys.executable, __file__, name], check=True)


if __name__ == "__main__":
    main()
