"""Background work: an in-process thread pool, and a scheduler for timed work."""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import current_app

from .extensions import db

log = logging.getLogger(__name__)


class JobRunner:
    """Runs jobs on a small thread pool, each inside an app context with its own session."""

    def __init__(self, app):
        self.app = app
        self._pool = None
        self._lock = threading.Lock()
        self._scheduler = None
        self._stop = threading.Event()

    def enqueue(self, func, *args):
        with self._lock:
            if self._pool is None:
                workers = self.app.config["JOB_WORKERS"]
                self._pool = ThreadPoolExecutor(workers, thread_name_prefix="ginga-job")
            return self._pool.submit(self._run, func, args)

    def _context(self):
        return site_context(self.app)

    def _run(self, func, args):
        with self._context():
            try:
                return func(*args)
            except Exception:
                log.exception("job %s%r failed", func.__name__, args)
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    def start_scheduler(self):
        """Start the timed loop once per process (closing due rounds, redoing stuck jobs)."""
        interval = self.app.config["SCHEDULER_INTERVAL"]
        with self._lock:
            if self._scheduler is not None or interval <= 0:
                return
            self._scheduler = threading.Thread(
                target=self._schedule, args=(interval,), name="ginga-scheduler", daemon=True
            )
            self._scheduler.start()

    def _schedule(self, interval):
        while not self._stop.wait(interval):
            self.run_scheduled_once()

    def run_scheduled_once(self):
        from .finals import shortlist_due_rounds
        from .integrity import check_open_rounds
        from .notifications import send_digests
        from .results import close_due_rounds
        from .uploads import requeue_stale_processing

        with self._context():
            try:
                shortlist_due_rounds()
                closed = close_due_rounds()
                if closed:
                    log.info("closed rounds %s", closed)
                requeue_stale_processing(self.app.config["PROCESSING_TIMEOUT"])
                send_digests()
                check_open_rounds()
            except Exception:
                log.exception("scheduled work failed")
                db.session.rollback()
            finally:
                db.session.remove()

    def shutdown(self, wait=True):
        self._stop.set()
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait)


def site_context(app=None):
    """A request context on SITE_URL, so jobs and commands build links (url_for) like views do."""
    app = app or current_app._get_current_object()
    site = app.config.get("SITE_URL", "http://127.0.0.1:5000").split(",")[0].strip()
    return app.test_request_context("/", base_url=site)


def init_app(app):
    runner = JobRunner(app)
    app.extensions["jobs"] = runner

    @app.before_request
    def _start_scheduler():
        runner.start_scheduler()


def enqueue(func, *args):
    """Run func(*args) in the background."""
    return current_app.extensions["jobs"].enqueue(func, *args)
