"""Database triggers that guard rows (e.g. a locked letter's text), per SQL dialect: the
statements a migration runs to add or drop them, and the hook that adds them when the tables
are made with `create_all` (the tests)."""

from __future__ import annotations

from sqlalchemy import DDL, Table, event


class TriggerGuard:
    """The CREATE and DROP statements of one guard, by dialect name."""

    def __init__(self, create: dict[str, list[str]], drop: dict[str, list[str]]) -> None:
        self.create = create
        self.drop = drop

    def statements_for(self, dialect: str) -> list[str]:
        return self.create.get(dialect, [])

    def drop_statements_for(self, dialect: str) -> list[str]:
        return self.drop.get(dialect, [])

    def add_after_create(self, table: Table) -> None:
        """With create_all, add the guard once `table` (the later of the guarded ones) exists."""
        for dialect, statements in self.create.items():
            for statement in statements:
                ddl = DDL(statement.replace("%", "%%"))  # DDL formats its text with %
                event.listen(table, "after_create", ddl.execute_if(dialect=dialect))
