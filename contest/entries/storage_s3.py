"""S3 storage with boto3: the browser sends parts straight to the bucket on presigned URLs."""

import logging
from functools import wraps

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError
from flask import redirect
from flask_babel import lazy_gettext as _l

from contest.entries import bucket_setup
from contest.errors import ContestError, NotFound
from contest.texts import Text

log = logging.getLogger(__name__)
MIN_PART = 5 * 1024 * 1024  # S3's smallest part, except the last
MAX_PARTS = 10_000


class StorageUnavailable(ContestError):
    status, code = 503, "storage_unavailable"
    default_message = _l("Video storage is not answering right now. Please try again in a minute.")


def _guarded(method):
    """Turn boto3 failures into a 503 a person understands (missing uploads into 404)."""

    @wraps(method)
    def wrapped(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchUpload", "NoSuchKey", "404"):
                raise NotFound(
                    _l("The uploaded data is gone; start the upload again."), code="upload_gone"
                ) from None
            log.warning("S3 %s failed: %s", method.__name__, error)
            raise StorageUnavailable() from None
        except BotoCoreError as error:
            log.warning("S3 %s failed: %s", method.__name__, error)
            raise StorageUnavailable() from None

    return wrapped


class S3Storage:
    """Objects in one bucket; the app only signs, checks and records."""

    kind = "s3"
    direct_parts = True

    def __init__(
        self,
        bucket,
        endpoint_url=None,
        region=None,
        url_expires=3600,
        media_base_url=None,
        addressing_style=None,
        timeout=10,
    ):
        if not bucket:
            raise RuntimeError("STORAGE=s3 needs S3_BUCKET")
        self.bucket = bucket
        self.url_expires = url_expires
        self.media_base_url = (media_base_url or "").rstrip("/") or None
        style = addressing_style or ("path" if endpoint_url else "auto")

        def client(connect, read, attempts):
            return boto3.client(
                "s3",
                endpoint_url=endpoint_url or None,
                region_name=region or "us-east-1",
                config=BotoConfig(
                    signature_version="s3v4",
                    s3={"addressing_style": style},
                    connect_timeout=connect,
                    read_timeout=read,
                    retries={"max_attempts": attempts, "mode": "standard"},
                ),
            )

        self.client = client(timeout, timeout * 3, 3)
        # the readiness check asks once and quickly: a load balancer calls it every second
        self.probe = client(1, 2, 1)

    def part_size_for(self, size, preferred):
        """A part size S3 accepts: at least 5 MiB, and few enough parts."""
        part = max(preferred, MIN_PART)
        while size > part * MAX_PARTS:
            part *= 2
        return part

    @_guarded
    def start_upload(self, upload):
        answer = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=upload.key, ContentType=upload.content_type
        )
        return answer["UploadId"]

    def part_targets(self, upload, numbers):
        return [
            {
                "number": n,
                "url": self.client.generate_presigned_url(
                    "upload_part",
                    Params={
                        "Bucket": self.bucket,
                        "Key": upload.key,
                        "UploadId": upload.storage_upload_id,
                        "PartNumber": n,
                    },
                    ExpiresIn=self.url_expires,
                ),
                "method": "PUT",
            }
            for n in numbers
        ]

    def write_part(self, upload, number, stream, length):
        raise ContestError(
            _l("In this setup parts go straight to storage, not to the app."),
            code="parts_go_to_storage",
            status=409,
        )

    @_guarded
    def list_parts(self, upload):
        parts, marker = [], 0
        while True:
            answer = self.client.list_parts(
                Bucket=self.bucket,
                Key=upload.key,
                UploadId=upload.storage_upload_id,
                PartNumberMarker=marker,
            )
            parts += [
                {"number": p["PartNumber"], "size": p["Size"], "etag": p["ETag"].strip('"')}
                for p in answer.get("Parts", [])
            ]
            if not answer.get("IsTruncated"):
                return parts
            marker = answer["NextPartNumberMarker"]

    @_guarded
    def complete_upload(self, upload, parts=None):
        """Complete with the stored parts (checked against the browser's ETags); returns size."""
        stored = self.list_parts(upload)
        given = {
            p.get("number"): str(p.get("etag") or "").strip('"')
            for p in parts or []
            if isinstance(p, dict)
        }
        for part in stored:
            if given.get(part["number"]) and given[part["number"]] != part["etag"]:
                raise ContestError(
                    Text(
                        "Part %(number)s changed since you sent it; send it again.",
                        number=part["number"],
                    ),
                    code="etag_mismatch",
                    status=409,
                    missing=[part["number"]],
                )
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=upload.key,
            UploadId=upload.storage_upload_id,
            MultipartUpload={
                "Parts": [{"PartNumber": p["number"], "ETag": f'"{p["etag"]}"'} for p in stored]
            },
        )
        return self.client.head_object(Bucket=self.bucket, Key=upload.key)["ContentLength"]

    @_guarded
    def abort_upload(self, upload):
        if upload.storage_upload_id:
            try:
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=upload.key, UploadId=upload.storage_upload_id
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "NoSuchUpload":
                    raise

    @_guarded
    def sweep_stray_parts(self, known_ids, older_than):
        """Abort multipart uploads under rounds/ that no upload row knows; returns how many."""
        removed = 0
        paginator = self.client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix="rounds/"):
            for item in page.get("Uploads", []):
                if item["UploadId"] in known_ids or item["Initiated"] >= older_than:
                    continue
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=item["Key"], UploadId=item["UploadId"]
                )
                removed += 1
        return removed

    @_guarded
    def exists(self, key):
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def local_source(self, key):
        """A presigned GET URL: PyAV reads the object over HTTP with ranges, never all at once."""
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=self.url_expires
        )

    @_guarded
    def read(self, key):
        """A small object's bytes (a poster), or None when it is not there."""
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    @_guarded
    def put_file(self, key, source_path, content_type):
        self.client.upload_file(
            source_path, self.bucket, key, ExtraArgs={"ContentType": content_type}
        )

    @_guarded
    def delete(self, key):
        if key:
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def media_url(self, key, content_type=None):
        """Where a player fetches the object: the CDN, or a presigned GET valid for a while."""
        if self.media_base_url:
            return f"{self.media_base_url}/{key}"
        params = {"Bucket": self.bucket, "Key": key}
        if content_type:
            params["ResponseContentType"] = content_type
        return self.client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=self.url_expires
        )

    def serve(self, key, content_type):
        return redirect(self.media_url(key, content_type), code=302)

    def ping(self):
        """Raise unless the bucket answers (the readiness check)."""
        self.probe.head_bucket(Bucket=self.bucket)

    def cors_problems(self, site_origins):
        """What the bucket's CORS rules lack for browsers to PUT parts and read ETags."""
        return bucket_setup.cors_problems(self.client, self.bucket, site_origins)

    @_guarded
    def setup(self, site_origins):
        """Create the bucket if missing; CORS for browser PUTs and ETags; expire stale uploads."""
        return bucket_setup.setup(self.client, self.bucket, site_origins)
