"""Run the app as a real server for tests: python tests/live_server.py PORT (config in env)."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from contest import create_app  # noqa: E402
from contest.extensions import socketio  # noqa: E402


class RequestLog:
    """WSGI middleware writing method, path and body bytes read of every request to a file."""

    def __init__(self, wsgi_app, path):
        self.wsgi_app, self.path = wsgi_app, path

    def __call__(self, environ, start_response):
        counted = {"bytes": 0}
        stream = environ["wsgi.input"]

        class Counting:
            def read(self, *args):
                data = stream.read(*args)
                counted["bytes"] += len(data)
                return data

            def readline(self, *args):
                data = stream.readline(*args)
                counted["bytes"] += len(data)
                return data

            def __iter__(self):
                return iter(self.readline, b"")

        environ["wsgi.input"] = Counting()
        try:
            return self.wsgi_app(environ, start_response)
        finally:
            with open(self.path, "a") as log:
                log.write(
                    json.dumps(
                        {
                            "method": environ["REQUEST_METHOD"],
                            "path": environ.get("PATH_INFO", ""),
                            "bytes": counted["bytes"],
                        }
                    )
                    + "\n"
                )


if __name__ == "__main__":
    app = create_app(json.loads(os.environ["GINGA_TEST_CONFIG"]))
    if os.environ.get("GINGA_REQUEST_LOG"):
        app.wsgi_app = RequestLog(app.wsgi_app, os.environ["GINGA_REQUEST_LOG"])
    socketio.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        allow_unsafe_werkzeug=True,
        use_reloader=False,
        log_output=False,
    )
