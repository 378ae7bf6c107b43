"""Production server: `gunicorn -c gunicorn.conf.py wsgi:app` (one process per port).

Flask-SocketIO runs in threading mode with simple-websocket, which gunicorn's `gthread`
worker supports: every request and every open websocket holds one thread, so `threads` bounds
the connections a process serves at once. Socket.IO needs sticky sessions and gunicorn cannot
balance stickily between its own workers, so each gunicorn runs exactly one worker; scale out by
starting one gunicorn per core on its own port (BIND=127.0.0.1:8001, :8002, ...) with the same
DATABASE_URL / REDIS_URL / STORAGE=s3, behind nginx (deploy/nginx.conf), plus `flask worker`
processes for background jobs.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = 1  # see above: never more than one per gunicorn
# gthread (default): one thread per request or open websocket, so THREADS bounds connections.
# WORKER_CLASS=gevent: one greenlet per connection (CONNECTIONS of them), for many live viewers;
# the app then runs Socket.IO in gevent mode by itself (see contest._async_mode).
worker_class = os.environ.get("WORKER_CLASS", "gthread")
threads = int(os.environ.get("THREADS", "100"))
worker_connections = int(os.environ.get("CONNECTIONS", "5000"))
# Uploads go straight to S3 in production; on local storage one part is 8 MiB at most.
timeout = int(os.environ.get("WORKER_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 75  # keep idle keep-alive connections a little longer than nginx does
accesslog = os.environ.get("ACCESS_LOG", "-") or None  # ACCESS_LOG= (empty) turns it off
errorlog = "-"
# Behind nginx set PROXY_HOPS=1 so the app trusts exactly one X-Forwarded-* hop.
