"""The app for a gunicorn started by a test: `gunicorn_app:app` (config in GINGA_TEST_CONFIG)."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from contest import create_app  # noqa: E402

app = create_app(json.loads(os.environ["GINGA_TEST_CONFIG"]))
