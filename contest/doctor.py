"""`flask doctor`: what a real deployment needs, checked before fans find out.

`check(app, processes, worker_class, environ)` returns Findings: each names a part, says in
plain words what is wrong (or fine) and whether it is a problem. The command prints them and
exits 1 if any is a problem.
"""

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from redis import Redis

from contest import mail
from contest.entries import renditions
from contest.extensions import db

WEAK_KEYS = {"dev", "test", "secret", "changeme", "bench", "ginga"}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass(frozen=True)
class Finding:
    part: str
    text: str
    problem: bool = True


def _secret_key(config, environ, several):
    key = environ.get("SECRET_KEY") or ""
    if not key:
        if several:
            return Finding(
                "SECRET_KEY",
                "SECRET_KEY is not set, so each machine makes its own key in instance/: "
                "a fan signed in on one process is signed out on another. Set the same long "
                "random SECRET_KEY for every process (python -c 'import secrets; "
                "print(secrets.token_hex(32))').",
            )
        return Finding("SECRET_KEY", "kept in instance/secret_key (one process only)", False)
    if len(key) < 32 or key.lower() in WEAK_KEYS:
        return Finding(
            "SECRET_KEY",
            "SECRET_KEY is short or a well-known word: anyone could forge sessions. "
            "Use at least 32 random characters.",
        )
    return Finding("SECRET_KEY", "set", False)


def _redis(config, several, worker_class):
    url = config.get("REDIS_URL")
    if not url:
        if worker_class == "gevent" or several:
            why = "gevent workers" if worker_class == "gevent" else "several processes"
            return Finding(
                "REDIS_URL",
                f"REDIS_URL is not set but {why} run: live updates reach only the fans of "
                "one process, rate limits are per process and jobs run in threads. "
                "Set REDIS_URL=redis://host:6379/0.",
            )
        return Finding("REDIS_URL", "not set (one process: in-process websockets)", False)
    try:
        Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping()
    except Exception as error:
        return Finding("REDIS_URL", f"Redis at {_host(url)} does not answer ({error}).")
    return Finding("REDIS_URL", f"Redis at {_host(url)} answers", False)


def _host(url):
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def _database(config, several):
    url = config["SQLALCHEMY_DATABASE_URI"]
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception as error:
        return Finding("DATABASE_URL", f"the database does not answer ({type(error).__name__}).")
    finally:
        db.session.remove()
    if url.startswith("sqlite") and several:
        return Finding(
            "DATABASE_URL",
            "SQLite is one file on one machine: with several processes set DATABASE_URL to "
            "PostgreSQL (postgresql://user:password@host/db).",
        )
    return Finding("DATABASE_URL", f"{url.split(':', 1)[0]} answers", False)


def _renditions(config):
    """Clips still without their small rendition (older than it): storage gc makes them."""
    try:
        missing = renditions.count_missing()
    except Exception:
        db.session.rollback()
        return Finding("RENDITIONS", "not counted: the database does not answer", False)
    finally:
        db.session.remove()
    if not missing:
        return Finding("RENDITIONS", "every clip has its small rendition for slow networks", False)
    return Finding(
        "RENDITIONS",
        f"{missing} clip(s) have no small rendition yet, so fans on slow networks get the "
        f"full file: storage gc makes {config['RENDITION_BATCH']} per scheduler run "
        "(RENDITION_BATCH).",
        False,
    )


def _storage(app, config):
    if config["STORAGE"] != "s3":
        return [Finding("STORAGE", f"local files under {config['UPLOAD_DIR']}", False)]
    storage = app.extensions["storage"]
    try:
        storage.ping()
    except Exception as error:
        return [
            Finding(
                "S3_BUCKET",
                f"the bucket {config['S3_BUCKET']!r} does not answer ({type(error).__name__}): "
                "check S3_ENDPOINT_URL, the credentials, or run `flask storage setup`.",
            )
        ]
    origins = site_origins(config)
    try:
        problems = storage.cors_problems(origins)
    except Exception as error:
        problems = [f"its CORS rules cannot be read ({type(error).__name__})"]
    if problems:
        return [
            Finding("S3_BUCKET", f"{p}; `flask storage setup` sets the rule.") for p in problems
        ]
    return [Finding("S3_BUCKET", f"{config['S3_BUCKET']} answers; CORS lets the site PUT", False)]


def site_origins(config):
    return [o.strip().rstrip("/") for o in config["SITE_URL"].split(",") if o.strip()]


def _site(config, public):
    found = []
    origins = site_origins(config)
    local = all(urlsplit(o).hostname in LOCAL_HOSTS for o in origins)
    if public and local:
        found.append(
            Finding(
                "SITE_URL",
                f"SITE_URL is {config['SITE_URL']}, a laptop address: links in mails, share "
                "cards and the bucket's CORS rule would point there. Set the public https:// "
                "address.",
            )
        )
    https = any(o.startswith("https://") for o in origins)
    if public and not local and not https:
        found.append(Finding("SITE_URL", "SITE_URL is not https://: serve the site over HTTPS."))
    if https and not config.get("SESSION_COOKIE_SECURE"):
        found.append(
            Finding(
                "SESSION_COOKIE_SECURE",
                "the site is served over HTTPS but SESSION_COOKIE_SECURE is off: session "
                "cookies could leak over plain http. Set SESSION_COOKIE_SECURE=1.",
            )
        )
    if https and not config.get("PROXY_HOPS"):
        found.append(
            Finding(
                "PROXY_HOPS",
                "behind an HTTPS proxy set PROXY_HOPS=1, or every fan shares the proxy's "
                "address in rate limits and the app thinks it is served over http.",
            )
        )
    if not found:
        found.append(Finding("SITE_URL", config["SITE_URL"], False))
    return found


def _mail(config, public):
    if not config.get("MAIL_SERVER"):
        if not public:
            return Finding("MAIL_SERVER", "not set: mails are written to the log", False)
        return Finding(
            "MAIL_SERVER",
            "MAIL_SERVER is not set: mails are only written to the log, so fans cannot "
            "confirm their email or reset a password.",
        )
    sender = config.get("MAIL_DEFAULT_SENDER") or ""
    if sender.endswith("@localhost>") or sender.endswith("@localhost"):
        return Finding(
            "MAIL_DEFAULT_SENDER",
            f"mail is sent from {sender}: most providers reject it. Use the site's domain.",
        )
    ok, words = mail.check_server(config)
    return Finding("MAIL_SERVER", f"SMTP at {config['MAIL_SERVER']}: {words}", not ok)


def _push_targets(config):
    if config.get("PUSH_ALLOW_PRIVATE") and not config.get("TESTING"):
        return Finding(
            "PUSH_ALLOW_PRIVATE",
            "PUSH_ALLOW_PRIVATE is set: pushes may go to plain http and to addresses inside "
            "your network, where anyone who subscribes can aim them. It is for tests only: "
            "unset it.",
        )
    return Finding("PUSH_HOSTS", config.get("PUSH_HOSTS") or "any public host", False)


def _push(config):
    public, private = config.get("VAPID_PUBLIC_KEY"), config.get("VAPID_PRIVATE_KEY")
    if not public and not private:
        return Finding("VAPID", "push is off (no VAPID keys)", False)
    if not (public and private):
        missing = "VAPID_PRIVATE_KEY" if public else "VAPID_PUBLIC_KEY"
        return Finding(
            "VAPID", f"push is half set up: {missing} is missing. `flask push keys` makes a pair."
        )
    subject = config.get("VAPID_SUBJECT") or ""
    if not subject.startswith(("mailto:", "https://")) or subject.endswith("@localhost"):
        return Finding(
            "VAPID_SUBJECT",
            f"VAPID_SUBJECT is {subject!r}: push services want a real mailto: or https: contact.",
        )
    return Finding("VAPID", "push keys set", False)


def check(app, processes=1, worker_class="gthread", environ=None):
    """Every finding for this app's configuration (see the module's text)."""
    environ = os.environ if environ is None else environ
    config = app.config
    several = processes > 1
    public = several or bool(config.get("REDIS_URL")) or config["STORAGE"] == "s3"
    with app.app_context():
        found = [
            _secret_key(config, environ, several),
            _database(config, several),
            _redis(config, several, worker_class),
            *_storage(app, config),
            _renditions(config),
            *_site(config, public),
            _mail(config, public),
            _push(config),
            _push_targets(config),
        ]
    return found
