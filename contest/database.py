"""Engine set-up per database kind, and applying migrations."""

from pathlib import Path

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from flask_migrate import upgrade

from contest.extensions import db

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")
_MIGRATION_LOCK = 726_104_220  # any constant: the PostgreSQL advisory lock id for upgrades
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def reads_only(view):
    """Mark a view whose own transaction only reads (its writes go through the rating writer,
    whose batch writes in an app context of its own: read_write_context)."""
    view.sqlite_begin = "BEGIN"
    return view


def writes(view):
    """Mark a GET view that writes: on SQLite it takes the write lock when it begins."""
    view.sqlite_begin = "BEGIN IMMEDIATE"
    return view


def read_only_context():
    """Say that this app context only reads (e.g. the live broadcaster): never take the lock."""
    g.sqlite_begin = "BEGIN"


def read_write_context():
    """Say that this app context writes, even inside a read-only view (the rating batch)."""
    g.sqlite_begin = "BEGIN IMMEDIATE"


def sqlite_begin_statement():
    """How a SQLite transaction begins here.

    Reads (GET pages, API reads) begin DEFERRED so they run side by side in WAL mode. Anything
    that may read and then write begins IMMEDIATE: a deferred transaction that read before
    writing fails at once with SQLITE_BUSY under concurrent writers instead of waiting.
    Outside a request (jobs, CLI, the rating writer) transactions write: IMMEDIATE, unless the
    app context said it only reads (read_only_context).
    """
    if g and g.get("sqlite_begin"):
        return g.sqlite_begin
    if not has_request_context():
        return "BEGIN IMMEDIATE"  # jobs, CLI commands, the rating writer
    view = current_app.view_functions.get(request.endpoint)
    marked = getattr(view, "sqlite_begin", None)
    if marked:
        return marked
    return "BEGIN" if request.method in SAFE_METHODS else "BEGIN IMMEDIATE"


def configure_engine(app):
    """Make SQLite safe for threads and concurrent writers; leave other engines alone."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(sqlite_begin_statement())


def apply_migrations(app):
    """Bring the schema to the newest migration; safe when several processes start at once."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as lock:
                lock.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
                try:
                    upgrade(directory=MIGRATIONS_DIR)
                finally:
                    lock.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
                    lock.commit()
        else:
            upgrade(directory=MIGRATIONS_DIR)
