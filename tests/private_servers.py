"""Private Redis and PostgreSQL servers on free 127.0.0.1 ports, for fault tests to stop and kill.

The machine's shared PostgreSQL (5432) and Redis (6379) are never touched: other tests and CI
use them.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

from servers import free_port


class RedisServer:
    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self, timeout=10):
        if not self.binary:
            raise RuntimeError("no redis-server binary")
        self.log = open(self.workdir / f"redis-{self.port}.log", "ab")
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.workdir),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        if getattr(self, "log", None):
            self.log.close()


def _as_postgres(args, **kwargs):
    """Run a PostgreSQL tool as the postgres user (initdb and postgres refuse to run as root)."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


class PostgresCluster:
    """A throwaway cluster made with initdb and driven with pg_ctl, as the postgres user."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.data = self.workdir / "pgdata"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @staticmethod
    def unavailable_reason():
        if not shutil.which("initdb") or not shutil.which("pg_ctl"):
            return "initdb/pg_ctl are not installed"
        if os.geteuid() != 0:
            import pwd

            if pwd.getpwuid(os.geteuid()).pw_name != "postgres":
                return "a private PostgreSQL cluster needs root (to run as postgres) or postgres"
        return None

    def init(self):
        self.workdir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres")
        _as_postgres(
            ["initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"],
            timeout=120,
        )
        return self

    def start(self):
        options = f"-p {self.port} -h 127.0.0.1 -k {self.workdir} -c fsync=off"
        _as_postgres(
            ["pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.workdir / "pg.log"),
             "-w", "-t", "60", "start"],
            timeout=90,
        )  # fmt: skip
        return self

    def stop(self, mode="fast"):
        if (self.data / "postmaster.pid").exists():
            _as_postgres(
                ["pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"],
                timeout=90,
            )
