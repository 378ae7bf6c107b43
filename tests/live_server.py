"""Run the app as a real server for tests: python tests/live_server.py PORT (config in env)."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from contest import create_app  # noqa: E402
from contest.extensions import socketio  # noqa: E402

if __name__ == "__main__":
    app = create_app(json.loads(os.environ["GINGA_TEST_CONFIG"]))
    socketio.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        allow_unsafe_werkzeug=True,
        use_reloader=False,
        log_output=False,
    )
