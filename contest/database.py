"""Engine set-up per database kind, and applying migrations."""

from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from .extensions import db

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")
_MIGRATION_LOCK = 726_104_220  # any constant: the PostgreSQL advisory lock id for upgrades


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
        # A deferred transaction that reads and then writes fails at once with
        # SQLITE_BUSY under concurrent writers instead of waiting; IMMEDIATE waits.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


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
