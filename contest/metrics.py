"""What operators watch, in Prometheus' terms (prometheus_client).

Every process counts into the metrics below. With several processes on one machine (gunicorns,
`flask worker`s) set PROMETHEUS_MULTIPROC_DIR to an empty folder they all share, before they
start: each then writes its numbers into files there and `/metrics` of any of them answers the
sum over all (gauges of open websockets add up the live processes). Without it, each process
answers its own numbers. This module knows nothing of Flask: rules, jobs and faces count here.
"""

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

REQUESTS = Counter(
    "ginga_http_requests_total", "HTTP requests answered", ["endpoint", "method", "status"]
)
LATENCY = Histogram(
    "ginga_http_request_seconds",
    "Time to answer an HTTP request",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RATINGS = Counter("ginga_ratings_committed_total", "Ratings committed by the rating writer")
RATING_BATCH = Histogram(
    "ginga_rating_batch_size",
    "Ratings committed per transaction of the rating writer",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)
LIVE_EVENTS = Counter("ginga_live_events_total", "Socket.IO events sent to rooms", ["event"])
LIVE_DELIVERIES = Counter(
    "ginga_live_deliveries_total",
    "Room events handed to viewers under gevent: framed once and written straight to the "
    "socket (direct), or through the viewer's engine.io queue (queued: busy or slow viewer)",
    ["path"],
)
WEBSOCKETS = Gauge(
    "ginga_open_websockets", "Socket.IO connections open now", multiprocess_mode="livesum"
)
JOBS = Counter("ginga_jobs_total", "Background jobs by what happened to them", ["job", "outcome"])
UPLOAD_BYTES = Counter("ginga_upload_bytes_total", "Bytes of video in completed uploads")
VIDEOS = Counter("ginga_videos_total", "Uploaded videos checked", ["outcome"])


def multiprocess_dir():
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")


def exposition():
    """(body, content type) of every metric, summed over processes in multiprocess mode."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = DEFAULT_REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST


def process_exited(pid):
    """Forget the live gauges of a process that ended (gunicorn's child_exit hook)."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)
