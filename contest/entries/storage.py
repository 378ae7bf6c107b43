"""Where video files live: one interface, a backend per kind chosen by STORAGE."""

import hashlib
import os
import secrets
import shutil
from pathlib import Path

from flask import current_app, send_file
from flask_babel import lazy_gettext as _l

from contest.entries.storage_s3 import S3Storage
from contest.errors import BadInput, Conflict, NotFound
from contest.texts import Text

CHUNK = 256 * 1024
# the endings a stored upload keeps (phones' video containers); anything else is stored as .bin
# and still read by its content: a playlist (.m3u8) or a script never keeps its own ending
VIDEO_EXT = {".mp4", ".mov", ".m4v", ".webm", ".mkv", ".3gp", ".3g2"}


def new_video_key(round_id, filename):
    """A server-chosen, unguessable key under the round's prefix."""
    ext = os.path.splitext(filename or "")[1].lower()
    ext = ext if ext in VIDEO_EXT else ".bin"
    return f"rounds/{round_id}/{secrets.token_urlsafe(18)}/original{ext}"


class LocalStorage:
    """Files under UPLOAD_DIR; parts are sent to the app's own part endpoint."""

    kind = "local"
    direct_parts = False

    def part_size_for(self, size, preferred):
        return preferred

    def media_url(self, key, content_type=None):
        """None: the app serves local files itself (see entries.video)."""
        return None

    def __init__(self, root):
        self.root = Path(root).resolve()
        self.parts_root = self.root / ".parts"

    def path(self, key):
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise NotFound(_l("No such file."), code="file_not_found")
        return path

    def _part_dir(self, upload):
        return self.parts_root / upload.id

    def start_upload(self, upload):
        """Prepare a multipart upload; returns the backend's upload id (none for local)."""
        self._part_dir(upload).mkdir(parents=True, exist_ok=True)
        return None

    def part_targets(self, upload, numbers):
        return [
            {
                "number": n,
                "url": None,  # the app's own part endpoint: the API face fills it in
                "method": "PUT",
            }
            for n in numbers
        ]

    def write_part(self, upload, number, stream, length):
        """Stream one part to disk (never whole in memory); returns its MD5 ETag."""
        part_dir = self._part_dir(upload)
        part_dir.mkdir(parents=True, exist_ok=True)
        tmp = part_dir / f"{number}.{secrets.token_hex(4)}.tmp"
        digest, written = hashlib.md5(), 0
        try:
            with open(tmp, "wb") as out:
                while written < length:
                    chunk = stream.read(min(CHUNK, length - written))
                    if not chunk:
                        break
                    out.write(chunk)
                    digest.update(chunk)
                    written += len(chunk)
            if written != length or stream.read(1):
                raise BadInput(
                    Text(
                        "Part %(number)s must be exactly %(size)s bytes.",
                        number=number,
                        size=length,
                    ),
                    code="wrong_part_size",
                )
            os.replace(tmp, part_dir / f"{number}.part")
        finally:
            tmp.unlink(missing_ok=True)
        etag = digest.hexdigest()
        (part_dir / f"{number}.etag").write_text(etag)
        return etag

    def list_parts(self, upload):
        """The parts stored so far: [{number, size, etag}]."""
        part_dir = self._part_dir(upload)
        if not part_dir.exists():
            return []
        parts = []
        for path in part_dir.glob("*.part"):
            number = int(path.stem)
            etag_file = part_dir / f"{number}.etag"
            etag = etag_file.read_text() if etag_file.exists() else ""
            parts.append({"number": number, "size": path.stat().st_size, "etag": etag})
        return sorted(parts, key=lambda p: p["number"])

    def complete_upload(self, upload, parts=None):
        """Join the parts into the final file in order; returns its size."""
        part_dir = self._part_dir(upload)
        target = self.path(upload.key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".joining")
        with open(tmp, "wb") as out:
            for number in range(1, upload.part_count + 1):
                with open(part_dir / f"{number}.part", "rb") as part:
                    shutil.copyfileobj(part, out, CHUNK)
        os.replace(tmp, target)
        shutil.rmtree(part_dir, ignore_errors=True)
        return target.stat().st_size

    def abort_upload(self, upload):
        shutil.rmtree(self._part_dir(upload), ignore_errors=True)

    def sweep_stray_parts(self, known_ids, older_than):
        """Remove part folders of uploads the database no longer knows; returns how many."""
        removed = 0
        if not self.parts_root.is_dir():
            return 0
        cutoff = older_than.timestamp()
        for folder in self.parts_root.iterdir():
            if folder.name not in known_ids and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed

    def exists(self, key):
        return self.path(key).exists()

    def ping(self):
        """Raise unless files can be stored (the readiness check)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not (self.root.is_dir() and os.access(self.root, os.W_OK | os.X_OK)):
            raise OSError(f"{self.root} is not a writable folder")

    def local_source(self, key):
        """Something PyAV can open: here, the file's path."""
        path = self.path(key)
        if not path.exists():
            raise Conflict(_l("The uploaded file is missing."), code="file_missing")
        return str(path)

    def read(self, key):
        """A small object's bytes (a poster), or None when it is not there."""
        path = self.path(key)
        return path.read_bytes() if path.exists() else None

    def put_file(self, key, source_path, content_type):
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_path, target)

    def delete(self, key):
        if key:
            self.path(key).unlink(missing_ok=True)

    def serve(self, key, content_type):
        """A response streaming the file, with Range support so phones can seek."""
        path = self.path(key)
        if not path.exists():
            raise NotFound(_l("That file is gone."), code="file_not_found")
        return send_file(path, mimetype=content_type, conditional=True, max_age=3600)


def _s3(app):
    c = app.config
    return S3Storage(
        c["S3_BUCKET"],
        endpoint_url=c["S3_ENDPOINT_URL"],
        region=c["S3_REGION"],
        url_expires=c["S3_URL_EXPIRES"],
        media_base_url=c["MEDIA_BASE_URL"],
        addressing_style=c["S3_ADDRESSING_STYLE"],
    )


BACKENDS = {"local": lambda app: LocalStorage(app.config["UPLOAD_DIR"]), "s3": _s3}


def init_app(app):
    kind = app.config["STORAGE"]
    if kind not in BACKENDS:
        raise RuntimeError(f"STORAGE={kind!r} is not supported; use one of {sorted(BACKENDS)}")
    app.extensions["storage"] = BACKENDS[kind](app)


def get_storage():
    return current_app.extensions["storage"]
