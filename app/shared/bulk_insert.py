"""Rows inserted together as one statement.

The driver's executemany sends, on PostgreSQL (psycopg's pipeline), one bind, one execute and one
result per row, each handled in Python and, under gevent, each a wait on the socket; one
multi-row `INSERT ... VALUES (...), (...)` is one message and one result for the lot. SQLite's
executemany runs in C within the process, and stays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

# PostgreSQL takes at most 65,535 parameters per statement: rows go in chunks well under it.
ROWS_PER_STATEMENT = 1000


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    on_conflict: Callable[[Any], Any] | None = None,
) -> None:
    """Insert `rows` (dicts with the same keys) into `table`. `on_conflict` completes the dialect's
    INSERT with its ON CONFLICT clause (`insert.excluded` names the row that conflicted)."""
    if not rows:
        return
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert

    def statement(values=None):
        built = dialect_insert(table) if values is None else dialect_insert(table).values(values)
        return on_conflict(built) if on_conflict else built

    if connection.dialect.name != "postgresql":
        connection.execute(statement(), list(rows))
        return
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        connection.execute(statement(list(rows[start : start + ROWS_PER_STATEMENT])))
