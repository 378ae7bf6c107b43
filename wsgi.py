"""Entry point: `flask --app wsgi run` for a laptop, `gunicorn wsgi:app` in production."""

from contest import create_app
from contest.extensions import socketio

app = create_app()

if __name__ == "__main__":
    socketio.run(app, host="127.0.0.1", port=5000, allow_unsafe_werkzeug=True)
