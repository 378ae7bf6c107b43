"""The ceiling for bench/ingest.py: a hello-world Flask app under the same gunicorn config."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello():
    return "Hello, world!"
