"""SQLite, the embedded default, tuned for a server, and made to forget deleted personal data."""

from __future__ import annotations

import threading

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

BUSY_TIMEOUT_MS = 10_000
_truncation_requested = threading.Event()


def tune_sqlite(engine: Engine) -> None:
    """Write-ahead logging (readers never wait for the writer, one fsync per checkpoint rather
    than per commit) and a busy timeout instead of instant errors. `secure_delete` overwrites
    deleted rows and freed pages with zeros, so that a deleted address leaves no copy in the
    database file. Other databases are left alone."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(connection, _record) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


def request_wal_truncation() -> None:
    """Personal data was deleted or overwritten: its old versions may still sit in the write-ahead
    log (the -wal file). The background mail sender empties it at its next round."""
    _truncation_requested.set()


def truncate_wal_if_requested(engine: Engine) -> bool:
    """On SQLite, when asked: copy the write-ahead log into the database and truncate it to zero
    bytes, so that no old version of a deleted row stays on disk. Never waits for a reader (a
    server process must not stall): if one is active, the request stays for the next round.
    Returns True when nothing is left to do."""
    if engine.dialect.name != "sqlite" or not _truncation_requested.is_set():
        return True
    _truncation_requested.clear()
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA busy_timeout=0")
        try:
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()[0]
        except OperationalError:  # the database is locked right now
            busy = 1
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if busy:
        _truncation_requested.set()
    return not busy
