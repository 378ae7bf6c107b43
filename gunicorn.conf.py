"""Production server: `gunicorn -c gunicorn.conf.py wsgi:app` (one process per port).

Flask-SocketIO runs in threading mode with simple-websocket, which gunicorn's `gthread`
worker supports: every request and every open websocket holds one thread, so `threads` bounds
the connections a process serves at once. Socket.IO needs sticky sessions and gunicorn cannot
balance stickily between its own workers, so each gunicorn runs exactly one worker; scale out by
starting one gunicorn per core on its own port (BIND=127.0.0.1:8001, :8002, ...) with the same
DATABASE_URL / REDIS_URL / STORAGE=s3, behind nginx (deploy/nginx.conf), plus `flask worker`
processes for background jobs.

SIGTERM stops a process gracefully (contest.shutdown): no new connections, /readyz says 503,
the rating writer commits what it has taken, queued ratings are answered 503, websockets get a
close frame, requests in flight finish (at most GRACEFUL_TIMEOUT seconds).
"""

import os

bind = [os.environ.get("BIND", "127.0.0.1:8000")]
if os.environ.get("METRICS_BIND"):
    # a second address for Prometheus: /metrics answers there without a token (docs/operations.md)
    bind.append(os.environ["METRICS_BIND"])
workers = 1  # see above: never more than one per gunicorn
# gthread (default): one thread per request or open websocket, so THREADS bounds connections.
# WORKER_CLASS=gevent: one greenlet per connection (CONNECTIONS of them), for many live viewers;
# the app then runs Socket.IO in gevent mode by itself (see contest._async_mode).
worker_class = os.environ.get("WORKER_CLASS", "gthread")
threads = int(os.environ.get("THREADS", "100"))
worker_connections = int(os.environ.get("CONNECTIONS", "5000"))
# Uploads go straight to S3 in production; on local storage one part is 8 MiB at most.
timeout = int(os.environ.get("WORKER_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "30"))
# one gunicorn per core on one machine: a shared control socket path would clash between them
control_socket_disable = True
keepalive = 75  # keep idle keep-alive connections a little longer than nginx does
# Request size: above the app's own limits (contest/oversized.py: a URL over 4096 characters
# is 414 and a header over 8 KB 431, as JSON under /api/), so the app, not gunicorn's bare
# page, answers them. Slow clients: gthread reads each request in one of its threads, so a
# client sending its headers or body slowly holds a thread. Run behind nginx (deploy/nginx/):
# it cuts slowloris and slow-body clients after 10 s and reads whole bodies before passing
# them on, so a gunicorn thread only ever waits on the app.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 16380
# The app writes one line per request itself (with its request id; LOG_FORMAT=json for JSON),
# so gunicorn's access log is off unless ACCESS_LOG names a file or "-".
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = "-"
# Behind nginx set PROXY_HOPS=1 so the app trusts exactly one X-Forwarded-* hop.


def post_worker_init(worker):
    """Chain the app's drain to gunicorn's own SIGTERM handler (which stops accepting), and
    set what start-up built aside from the garbage collector.

    The ~200,000 objects of a built app (modules, the ORM's mappers, routes, translations) live
    as long as the process. Each full collection walked them all, stopping every request for
    ~90 ms (measured under load); frozen, a full collection walks what requests left behind
    (~10 ms)."""
    import gc

    from contest import shutdown

    if "rating_writer" in getattr(worker.wsgi, "extensions", {}):  # Ginga (not bench/hello.py)
        shutdown.on_sigterm(worker.wsgi, previous=worker.handle_exit)
    gc.collect()  # what start-up threw away goes now, not frozen forever
    gc.freeze()


def worker_exit(server, worker):
    """The worker's loop has ended: let a drain under way finish before the process exits."""
    from contest import shutdown

    if getattr(worker, "wsgi", None) is not None:
        shutdown.wait_drained(worker.wsgi, timeout=graceful_timeout)


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR, a dead worker's live gauges stop counting."""
    from contest import metrics

    metrics.process_exited(worker.pid)
