"""app.shared.bulk_insert: rows inserted as one statement (in chunks) on PostgreSQL, by the
driver's executemany on SQLite, with the same result, ON CONFLICT clauses included."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.mail.models import OutgoingMail
from app.mail.queue import deferred_mail
from app.shared import bulk_insert
from app.shared.bulk_insert import insert_rows


def test_more_rows_than_one_statement_takes_are_all_inserted_in_order(app, monkeypatch):
    monkeypatch.setattr(bulk_insert, "ROWS_PER_STATEMENT", 7)  # several chunks and a partial one
    rows = [deferred_mail(f"r{i}@example.org", "signature_receipt", "en", {"i": i}) for i in range(30)]
    with db.engine.begin() as connection:
        insert_rows(connection, OutgoingMail.__table__, rows)
        insert_rows(connection, OutgoingMail.__table__, [])  # nothing to do
    stored = db.session.scalars(select(OutgoingMail.recipient).order_by(OutgoingMail.id)).all()
    assert stored == [f"r{i}@example.org" for i in range(30)]


def test_an_on_conflict_clause_applies_to_every_row(app):
    table = OutgoingMail.__table__
    first = [{**deferred_mail(f"r{i}@example.org", "t", "en", {}), "id": i + 1} for i in range(5)]
    with db.engine.begin() as connection:
        insert_rows(connection, table, first)
    again = [{**row, "subject": "again"} for row in first[2:]] + [
        {**deferred_mail("new@example.org", "t", "en", {}), "id": 6, "subject": "again"}
    ]
    with db.engine.begin() as connection:
        insert_rows(
            connection,
            table,
            again,
            on_conflict=lambda s: s.on_conflict_do_update(index_elements=[table.c.id], set_={"subject": "updated"}),
        )
    subjects = dict(db.session.execute(select(OutgoingMail.id, OutgoingMail.subject)).all())
    assert subjects == {1: "", 2: "", 3: "updated", 4: "updated", 5: "updated", 6: "again"}
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 6
