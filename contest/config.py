"""Settings read from environment variables, with safe defaults for a laptop."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _bool(name, default):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def database_url(url):
    """Normalise a DATABASE_URL so SQLAlchemy uses the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
# Web Push services: Chrome (FCM, and GCM's older host), Firefox (Mozilla autopush), Safari
# (Apple) and Edge (WNS); a leading dot allows the subdomains
DEFAULT_PUSH_HOSTS = (
    "fcm.googleapis.com,android.googleapis.com,updates.push.services.mozilla.com,"
    ".push.apple.com,.notify.windows.com"
)


def trusted_hosts(site_url, more=""):
    """The Host headers the site answers (Flask's TRUSTED_HOSTS; others get 400): the hosts of
    SITE_URL's origins, the extra ones named in `more`, and on a laptop address every loopback
    name (a browser may say localhost where SITE_URL says 127.0.0.1)."""
    hosts = []
    for origin in [*site_url.split(","), *more.split(",")]:
        origin = origin.strip()
        if not origin:
            continue
        host = urlsplit(origin if "//" in origin else f"//{origin}").hostname or ""
        host = f"[{host}]" if ":" in host else host
        hosts += LOOPBACK if host in LOOPBACK else [host]
    return sorted(set(hosts))


class Config:
    """Every setting of the app; each one can be overridden by an environment variable."""

    SECRET_KEY = os.environ.get("SECRET_KEY") or None  # filled from the instance folder
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL", "sqlite:///contest.db"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    AUTO_MIGRATE = _bool("AUTO_MIGRATE", True)

    STORAGE = os.environ.get("STORAGE", "local")
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(PROJECT_DIR / "uploads"))
    UPLOAD_PART_SIZE = _int("UPLOAD_PART_SIZE", 8 * 1024 * 1024)
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None
    S3_REGION = os.environ.get("S3_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    S3_ADDRESSING_STYLE = os.environ.get("S3_ADDRESSING_STYLE") or None
    S3_URL_EXPIRES = _int("S3_URL_EXPIRES", 6 * 3600)  # seconds a signed part/playback URL lives
    MEDIA_BASE_URL = os.environ.get("MEDIA_BASE_URL") or None  # a CDN in front of the bucket
    # The public origin(s): every absolute link (mails, share buttons) is built on the first,
    # never on the request's Host; bucket CORS allows each. Required outside a laptop.
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")
    # Host headers answered besides SITE_URL's (comma-separated, e.g. a health checker's);
    # any other Host gets 400. TRUSTED_HOSTS itself is derived at start (config.trusted_hosts).
    MORE_TRUSTED_HOSTS = os.environ.get("TRUSTED_HOSTS", "")
    MAX_VIDEO_BYTES = _int("MAX_VIDEO_BYTES", 500 * 1024 * 1024)
    MAX_VIDEO_SECONDS = _int("MAX_VIDEO_SECONDS", 120)
    MAX_ENTRIES_PER_ROUND = _int("MAX_ENTRIES_PER_ROUND", 3)
    REPORT_THRESHOLD = _int("REPORT_THRESHOLD", 3)  # distinct reporters that auto-hide
    TRUST_AFTER_APPROVALS = _int("TRUST_AFTER_APPROVALS", 3)  # approved entries make a fan trusted
    MIN_ACCOUNT_AGE_HOURS = _int("MIN_ACCOUNT_AGE_HOURS", 24)  # younger raters do not count
    # theme proposals for a month's round: in the month before, from this day to the end of that
    # one (moderators can open other windows); proposals per fan per month
    THEME_WINDOW_OPENS_DAY = _int("THEME_WINDOW_OPENS_DAY", 1)
    THEME_WINDOW_CLOSES_DAY = _int("THEME_WINDOW_CLOSES_DAY", 20)
    MAX_PROPOSALS_PER_MONTH = _int("MAX_PROPOSALS_PER_MONTH", 3)
    STAFF_PICKS = _int("STAFF_PICKS", 1)  # staff picks allowed per round
    FINALISTS = _int("FINALISTS", 5)  # default shortlist size for a round with finals
    PRIOR_WEIGHT = _int("PRIOR_WEIGHT", 0)  # 0: the round's median rating count, at least 5

    # Mail (contest/mail.py): recorded in the request, delivered by a job; no server: logged
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 0)  # 0: 465 with MAIL_USE_SSL, else 25
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)  # STARTTLS on a plain connection (587)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)  # implicit TLS from the first byte (465)
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)  # seconds each SMTP step may take
    MAIL_RETRY_DELAYS = os.environ.get("MAIL_RETRY_DELAYS", "60,300,1800,7200")  # then failed
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Ginga <ginga@localhost>")

    # Web Push: `flask push keys` prints a pair; the subject is a mailto: or https: contact
    # how long a process keeps the "most followed" fans it suggests before counting again
    MOST_FOLLOWED_SECONDS = _int("MOST_FOLLOWED_SECONDS", 60)
    VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY") or None
    VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY") or None
    VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:ginga@localhost")
    # where pushes may go (community/push_endpoints.py): push services' hosts, ".x" = subdomains
    PUSH_HOSTS = os.environ.get("PUSH_HOSTS", DEFAULT_PUSH_HOSTS)
    PUSH_ALLOW_PRIVATE = _bool("PUSH_ALLOW_PRIVATE", False)  # tests against a local service only
    PUSH_DEADLINE = _int("PUSH_DEADLINE", 10)  # seconds one push may take, all of it

    REDIS_URL = os.environ.get("REDIS_URL") or None
    # Redis pub/sub channel of the Socket.IO message queue: every app and worker process of one
    # site must share it; two sites on one Redis must not.
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL", "ginga")
    # Socket.IO async mode: empty picks gevent under `gunicorn -k gevent`, else threading.
    ASYNC_MODE = os.environ.get("ASYNC_MODE") or None
    # The rating writer commits at most this many ratings per transaction; a fan waits at most
    # RATING_TIMEOUT seconds for theirs before a 503.
    RATING_BATCH = _int("RATING_BATCH", 64)
    RATING_TIMEOUT = _int("RATING_TIMEOUT", 20)
    # once a rating waits, the writer lets others gather this long before it commits them
    RATING_GATHER_MS = float(os.environ.get("RATING_GATHER_MS", "2"))
    JOB_WORKERS = _int("JOB_WORKERS", 2)
    SCHEDULER_INTERVAL = _int("SCHEDULER_INTERVAL", 30)  # seconds; 0 turns it off
    PROCESSING_TIMEOUT = _int("PROCESSING_TIMEOUT", 900)  # seconds before a stuck job is redone
    # "threads" (in-process pool) or "rq" (Redis queue run by `flask worker`); empty: rq when
    # REDIS_URL is set, else threads.
    JOB_QUEUE = os.environ.get("JOB_QUEUE", "")
    JOB_QUEUE_NAME = os.environ.get("JOB_QUEUE_NAME", "ginga")
    JOB_TIMEOUT = _int("JOB_TIMEOUT", 600)  # seconds one job may run in an RQ worker
    JOB_MAX_ATTEMPTS = _int("JOB_MAX_ATTEMPTS", 3)  # tries at processing one video
    # one try at reading a video runs in a child process: killed after MEDIA_TIMEOUT seconds
    # (below JOB_TIMEOUT), its address space capped at MEDIA_MEMORY_MB (entries/media_box.py)
    MEDIA_TIMEOUT = _int("MEDIA_TIMEOUT", 420)
    MEDIA_MEMORY_MB = _int("MEDIA_MEMORY_MB", 2048)
    # the organiser's insights are stored and recomputed once older than this (0: every read)
    INSIGHTS_MAX_AGE = _int("INSIGHTS_MAX_AGE", 3600)
    # storage gc queues the small rendition of this many older clips per run
    RENDITION_BATCH = _int("RENDITION_BATCH", 4)
    IMAGE_WORKERS = _int("IMAGE_WORKERS", 2)  # pictures decoded at once in one process
    JOB_RETRY_DELAYS = os.environ.get("JOB_RETRY_DELAYS", "15,120")  # seconds before tries 2, 3..
    UPLOAD_GC_HOURS = _int("UPLOAD_GC_HOURS", 24)  # unfinished uploads are dropped after this
    # every process closes sockets whose sessions ended (elsewhere) within this many seconds
    SOCKET_SWEEP_SECONDS = _int("SOCKET_SWEEP_SECONDS", 5)
    LIVE_INTERVAL = float(os.environ.get("LIVE_INTERVAL", "0.25"))
    # pages share one count of a round's prior (m, C) for this long (0: every request counts)
    PRIOR_SECONDS = float(os.environ.get("PRIOR_SECONDS", "1"))

    # argon2id cost of password hashes (RFC 9106's second choice: 3 passes over 64 MiB); older
    # or cheaper hashes are upgraded at the fan's next sign-in
    PASSWORD_HASH_TIME_COST = _int("PASSWORD_HASH_TIME_COST", 3)
    PASSWORD_HASH_MEMORY_KIB = _int("PASSWORD_HASH_MEMORY_KIB", 64 * 1024)
    # A session (and its remember-me cookie) lasts at most this many days on the server.
    SESSION_DAYS = _int("SESSION_DAYS", 30)
    # how long a process may keep a signed-in fan's row between changes (0: no cache); every
    # change (ban, role, profile, ended session) reaches every process at once through REDIS_URL
    SESSION_CACHE_SECONDS = _int("SESSION_CACHE_SECONDS", 60)
    REMEMBER_COOKIE_DURATION = timedelta(days=SESSION_DAYS)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_HEADERS = ["X-CSRFToken", "X-CSRF-Token"]
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    # Secure cookies whenever the site is served over HTTPS.
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", SITE_URL.startswith("https://"))
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # live connections (websockets, long-polls) one client holds at once in one process;
    # one more is a 429 (contest/connection_limits.py); 0 lifts the cap
    SOCKETS_PER_ADDRESS = _int("SOCKETS_PER_ADDRESS", 10)
    SOCKETS_PER_SESSION = _int("SOCKETS_PER_SESSION", 3)
    PROXY_HOPS = _int("PROXY_HOPS", 0)  # proxies in front whose X-Forwarded-* headers to trust
    # operations: LOG_FORMAT=json writes JSON lines; /metrics answers with this bearer token
    # and/or, without one, on requests that arrived on METRICS_BIND (gunicorn listens there too)
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
    METRICS_BIND = os.environ.get("METRICS_BIND") or None
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    # With Redis away, limits fall back to per-process memory instead of failing requests.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True


VAPID_FILE = "vapid_keys"  # in the instance folder: the pair `demo seed` made for this site


def load_vapid_keys(instance_path):
    """(public, private) Web Push keys kept in the instance folder, or (None, None)."""
    path = Path(instance_path) / VAPID_FILE
    try:
        public, private = path.read_text().split()
    except (OSError, ValueError):
        return None, None
    return public, private


def save_vapid_keys(instance_path, public, private):
    path = Path(instance_path) / VAPID_FILE
    path.write_text(f"{public}\n{private}\n")
    path.chmod(0o600)


def load_secret_key(instance_path):
    """Return SECRET_KEY from the environment or a random key kept in the instance folder."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
