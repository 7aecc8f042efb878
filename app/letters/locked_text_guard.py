"""A database guard: once a letter is locked, its text, revision and hash never change again,
and no revision is added to it, whatever code runs against the database.

The same statements are used by the Alembic migration and by `create_all` (tests).
"""

from __future__ import annotations

from app.letters.models import Revision
from app.shared.trigger_guards import TriggerGuard

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION undersigned_guard_locked_letter() RETURNS trigger AS $$
    BEGIN
      IF OLD.status = 'locked' AND (
           NEW.text IS DISTINCT FROM OLD.text OR NEW.revision IS DISTINCT FROM OLD.revision
           OR NEW.status IS DISTINCT FROM OLD.status OR NEW.content_hash IS DISTINCT FROM OLD.content_hash) THEN
        RAISE EXCEPTION 'letter % is locked: its text can never change', OLD.id;
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER letters_locked_guard BEFORE UPDATE ON letters
    FOR EACH ROW EXECUTE FUNCTION undersigned_guard_locked_letter()
    """,
    """
    CREATE OR REPLACE FUNCTION undersigned_guard_locked_revision() RETURNS trigger AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM letters WHERE id = NEW.letter_id AND status = 'locked') THEN
        RAISE EXCEPTION 'letter % is locked: no revision may be added or changed', NEW.letter_id;
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER revisions_locked_guard BEFORE INSERT OR UPDATE ON revisions
    FOR EACH ROW EXECUTE FUNCTION undersigned_guard_locked_revision()
    """,
]

SQLITE = [
    """
    CREATE TRIGGER letters_locked_guard BEFORE UPDATE ON letters
    WHEN OLD.status = 'locked' AND (
      NEW.text IS NOT OLD.text OR NEW.revision IS NOT OLD.revision
      OR NEW.status IS NOT OLD.status OR NEW.content_hash IS NOT OLD.content_hash)
    BEGIN SELECT RAISE(ABORT, 'letter is locked: its text can never change'); END
    """,
    """
    CREATE TRIGGER revisions_locked_guard BEFORE INSERT ON revisions
    WHEN (SELECT status FROM letters WHERE id = NEW.letter_id) = 'locked'
    BEGIN SELECT RAISE(ABORT, 'letter is locked: no revision may be added'); END
    """,
    """
    CREATE TRIGGER revisions_locked_update_guard BEFORE UPDATE ON revisions
    WHEN (SELECT status FROM letters WHERE id = NEW.letter_id) = 'locked'
    BEGIN SELECT RAISE(ABORT, 'letter is locked: no revision may be changed'); END
    """,
]

DROP_POSTGRESQL = [
    "DROP TRIGGER IF EXISTS revisions_locked_guard ON revisions",
    "DROP FUNCTION IF EXISTS undersigned_guard_locked_revision()",
    "DROP TRIGGER IF EXISTS letters_locked_guard ON letters",
    "DROP FUNCTION IF EXISTS undersigned_guard_locked_letter()",
]
DROP_SQLITE = [
    "DROP TRIGGER IF EXISTS revisions_locked_update_guard",
    "DROP TRIGGER IF EXISTS revisions_locked_guard",
    "DROP TRIGGER IF EXISTS letters_locked_guard",
]


GUARD = TriggerGuard(
    {"postgresql": POSTGRESQL, "sqlite": SQLITE},
    {"postgresql": DROP_POSTGRESQL, "sqlite": DROP_SQLITE},
)
statements_for = GUARD.statements_for
drop_statements_for = GUARD.drop_statements_for
GUARD.add_after_create(Revision.__table__)
