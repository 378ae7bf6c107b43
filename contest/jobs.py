"""Background work: in-process threads by default, RQ workers (`flask worker`) with JOB_QUEUE=rq.

Jobs are named by their function and get plain arguments (ids), so the same call runs on a
thread of the app process or in an RQ worker on another machine. Timed work (closing due rounds,
finals shortlists, the stale-job sweeper, digests, anomaly checks, storage gc) runs every
SCHEDULER_INTERVAL seconds (APScheduler): in each app process by default, or, with RQ, as a job
that one worker enqueues per interval (a Redis lock picks which).
"""

import importlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker

from contest import events, links, mail, metrics, push_delivery
from contest.accounts.invites import credit_matured as credit_matured_invites
from contest.community.notifications import send_digests
from contest.entries.gc import collect_garbage
from contest.entries.processing import process_entry, sweep_stale_processing
from contest.entries.renditions import make_small_rendition
from contest.events import MailQueued, ProcessingWanted, SmallRenditionWanted
from contest.extensions import db, socketio
from contest.moderation.insight_snapshots import refresh_due as refresh_insights
from contest.moderation.integrity import check_open_rounds
from contest.rounds.finals import shortlist_due_rounds
from contest.rounds.ratings import mature_ratings
from contest.rounds.results import close_due_rounds
from contest.themes.proposals import mature_votes

log = logging.getLogger(__name__)
_worker_app = None  # the app of a `flask worker` process, for the jobs it runs


def job_name(func):
    return f"{func.__module__}:{func.__qualname__}"


def _resolve(name):
    module, _, attr = name.partition(":")
    return getattr(importlib.import_module(module), attr)


def run_in_app(app, func, args):
    """Run one job in an app context of its own (jobs need no request), with its own session."""
    with app.app_context():
        try:
            done = func(*args)
            metrics.JOBS.labels(func.__name__, "done").inc()
            return done
        except Exception:
            log.exception("job %s%r failed", job_name(func), tuple(args))
            metrics.JOBS.labels(func.__name__, "failed").inc()
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def run(name, args):
    """What an RQ worker executes: the named job, inside the worker's app."""
    app = _worker_app or current_app._get_current_object()
    return run_in_app(app, _resolve(name), args)


class ThreadRunner:
    """Runs jobs on a small thread pool; each process also runs the timed work itself."""

    def __init__(self, app):
        self.app = app
        self._pool = None
        self._lock = threading.Lock()
        self._scheduler = None
        self._timers = set()
        self._stop = threading.Event()

    def enqueue(self, func, *args, delay=0):
        if delay > 0:
            timer = threading.Timer(delay, self._delayed, (func, args))
            timer.daemon = True
            with self._lock:
                self._timers.add(timer)
            timer.start()
            return timer
        with self._lock:
            if self._pool is None:
                workers = self.app.config["JOB_WORKERS"]
                self._pool = ThreadPoolExecutor(workers, thread_name_prefix="ginga-job")
            return self._pool.submit(run_in_app, self.app, func, args)

    def _delayed(self, func, args):
        with self._lock:
            self._timers = {t for t in self._timers if t.is_alive()}
        if not self._stop.is_set():
            self.enqueue(func, *args)

    def start_scheduler(self):
        """Start the timed work once per process (APScheduler, every SCHEDULER_INTERVAL s)."""
        with self._lock:
            if self._scheduler is None:
                self._scheduler = every(
                    self.app.config["SCHEDULER_INTERVAL"], self.run_scheduled_once
                )

    def run_scheduled_once(self):
        try:
            run_in_app(self.app, scheduled_work, ())
        except Exception:
            pass  # logged by run_in_app; the next tick tries again

    def shutdown(self, wait=True):
        self._stop.set()
        with self._lock:
            pool, self._pool = self._pool, None
            if self._scheduler:
                self._scheduler.shutdown(wait=False)
            timers, self._timers = self._timers, set()
        for timer in timers:
            timer.cancel()
        if pool is not None:
            pool.shutdown(wait=wait)


class RQRunner:
    """Puts jobs on an RQ queue in Redis; `flask worker` processes run them."""

    def __init__(self, app):
        self.app = app
        self.redis = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
        )
        self.queue = Queue(app.config["JOB_QUEUE_NAME"], connection=self.redis)

    def enqueue(self, func, *args, delay=0):
        """Queue a job; if Redis is away, log it: the sweeper re-queues stale work later."""
        options = {"job_timeout": self.app.config["JOB_TIMEOUT"], "failure_ttl": 7 * 86400}
        try:
            if delay > 0:
                return self.queue.enqueue_in(
                    timedelta(seconds=delay), run, job_name(func), list(args), **options
                )
            return self.queue.enqueue(run, job_name(func), list(args), **options)
        except RedisError:
            log.warning("could not queue %s%r: Redis unavailable", job_name(func), args)
            return None

    def start_scheduler(self):
        """App processes do not tick with RQ: the workers do (see run_worker)."""

    def run_scheduled_once(self):
        run_in_app(self.app, scheduled_work, ())

    def shutdown(self, wait=True):
        self.redis.close()


def scheduled_work():
    """One tick of timed work; each step commits on its own, one failing does not stop the rest."""
    steps = (
        mature_ratings,
        mature_votes,
        credit_matured_invites,
        shortlist_due_rounds,
        close_due_rounds,
        lambda: sweep_stale_processing(current_app.config["PROCESSING_TIMEOUT"]),
        lambda: send_digests(unsubscribe_link=links.unsubscribe_link),
        check_open_rounds,
        collect_garbage,
        push_delivery.remind_closing,
        refresh_insights,
    )
    for step in steps:
        try:
            step()
        except Exception:
            log.exception("scheduled step failed")
            db.session.rollback()


def run_worker(app, burst=False):
    """`flask worker`: run queued jobs; one worker per interval also queues the timed work."""
    global _worker_app
    _worker_app = app
    runner = app.extensions["jobs"]
    if not isinstance(runner, RQRunner):
        raise RuntimeError("flask worker needs REDIS_URL (and JOB_QUEUE=rq, the default then).")
    interval = app.config["SCHEDULER_INTERVAL"]
    ticker = every(interval, _queue_tick, runner, interval)
    worker = SimpleWorker([runner.queue], connection=runner.redis)
    try:
        worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    finally:
        if ticker:
            ticker.shutdown(wait=False)


def every(seconds, func, *args):
    """Run func(*args) every `seconds` on a background APScheduler; None when seconds <= 0.

    One run at a time (a slow tick is never doubled) and late runs collapse into one.
    """
    if seconds <= 0:
        return None
    scheduler = BackgroundScheduler(
        daemon=True,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": seconds},
    )
    scheduler.add_job(func, "interval", seconds=seconds, args=args, id="ginga-tick")
    scheduler.start()
    return scheduler


def _queue_tick(runner, interval):
    """One tick per interval across every worker: whoever takes the Redis lock queues it."""
    try:
        lock = f"{runner.queue.name}:tick"
        if runner.redis.set(lock, "1", nx=True, ex=max(interval - 1, 1)):
            runner.queue.enqueue(run, job_name(scheduled_work), [])
    except RedisError:
        log.warning("scheduler tick skipped: Redis unavailable")


def _on_gevent():
    return socketio.async_mode == "gevent"


def init_app(app):
    kind = app.config.get("JOB_QUEUE") or ("rq" if app.config.get("REDIS_URL") else "threads")
    if kind not in ("rq", "threads"):
        raise RuntimeError(f"JOB_QUEUE must be rq or threads, not {kind!r}.")
    if kind == "rq" and not app.config.get("REDIS_URL"):
        raise RuntimeError("JOB_QUEUE=rq needs REDIS_URL.")
    if kind == "threads" and _on_gevent() and not app.config.get("JOB_QUEUE"):
        # PyAV decodes and encodes in C: on the event loop a transcode would freeze every
        # connection of the process for seconds
        raise RuntimeError(
            "gunicorn -k gevent needs REDIS_URL so videos are processed by `flask worker` "
            "processes, not on the event loop (or set JOB_QUEUE=threads to accept that)."
        )
    app.config["JOB_QUEUE"] = kind
    runner = RQRunner(app) if kind == "rq" else ThreadRunner(app)
    app.extensions["jobs"] = runner

    events.subscribe(app, ProcessingWanted, _on_processing_wanted)
    events.subscribe(app, MailQueued, _on_mail_queued)
    events.subscribe(app, SmallRenditionWanted, _on_small_rendition_wanted)

    @app.before_request
    def _start_scheduler():
        runner.start_scheduler()


def _on_processing_wanted(event):
    enqueue(process_entry, event.entry_id, delay=event.delay)


def _on_small_rendition_wanted(event):
    enqueue(make_small_rendition, event.entry_id)


def _on_mail_queued(event):
    enqueue(mail.deliver, event.mail_id, delay=event.delay)


def enqueue(func, *args, delay=0):
    """Run func(*args) in the background (after delay seconds)."""
    metrics.JOBS.labels(func.__name__, "queued").inc()
    return current_app.extensions["jobs"].enqueue(func, *args, delay=delay)
