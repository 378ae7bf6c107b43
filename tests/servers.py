"""Start and stop real app server processes on 127.0.0.1 for tests."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(process, timeout=10):
    """Ask a process to stop; kill it if it has not within `timeout` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Server:
    def __init__(self, config, log_path, request_log=None, env=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_path)
        env = dict(os.environ, **(env or {}), GINGA_TEST_CONFIG=json.dumps(config))
        if request_log:
            env["GINGA_REQUEST_LOG"] = str(request_log)
        self.log = open(log_path, "wb")
        command = self.command(env)
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_until_up(log_path)

    def command(self, env):
        return [sys.executable, str(HERE / "live_server.py"), str(self.port)]

    def wait_until_up(self, log_path):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {Path(log_path).read_text()[-2000:]}")
            try:
                requests.get(self.url + "/api/v1/csrf", timeout=1)
                return
            except requests.RequestException:  # not listening yet, or slow to answer the first
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not start in 30 s")

    def session(self, username=None, password="correct horse"):
        """A requests session with the CSRF header set, signed in if a username is given."""
        s = requests.Session()
        token = s.get(self.url + "/api/v1/csrf", timeout=5).json()["csrf_token"]
        s.headers["X-CSRFToken"] = token
        if username:
            r = s.post(
                self.url + "/api/v1/auth/login",
                json={"login": username, "password": password},
                timeout=5,
            )
            assert r.status_code == 200, r.text
        return s

    def stop(self):
        stop_process(self.process)
        self.log.close()


class Gunicorn(Server):
    """The production server (gunicorn.conf.py, one gthread worker) on the test's app."""

    def command(self, env):
        env["BIND"] = f"127.0.0.1:{self.port}"  # gunicorn.conf.py adds METRICS_BIND if set
        return [
            sys.executable, "-m", "gunicorn", "-c", str(HERE.parent / "gunicorn.conf.py"),
            "--threads", "32", "--pythonpath", str(HERE), "gunicorn_app:app",
        ]  # fmt: skip
