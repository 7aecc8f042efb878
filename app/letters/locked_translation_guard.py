"""A database guard for translations, like the original's (locked_text_guard.py): once a
translation is locked (with its letter, or published after it), its title, text, version, status
and hash never change again, and no version is added to it, whatever code runs against the
database. A translation left out of the lock is not guarded: it may still be finished, approved
and published (app.review.late_translations).

The same statements are used by the Alembic migration and by `create_all` (tests).
"""

from __future__ import annotations

from app.letters.translation_models import TranslationRevision
from app.shared.trigger_guards import TriggerGuard

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION undersigned_guard_locked_translation() RETURNS trigger AS $$
    BEGIN
      IF OLD.status = 'locked' AND (
           NEW.text IS DISTINCT FROM OLD.text OR NEW.title IS DISTINCT FROM OLD.title
           OR NEW.revision IS DISTINCT FROM OLD.revision OR NEW.status IS DISTINCT FROM OLD.status
           OR NEW.content_hash IS DISTINCT FROM OLD.content_hash) THEN
        RAISE EXCEPTION 'translation % is locked: it can never change', OLD.id;
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER letter_translations_locked_guard BEFORE UPDATE ON letter_translations
    FOR EACH ROW EXECUTE FUNCTION undersigned_guard_locked_translation()
    """,
    """
    CREATE OR REPLACE FUNCTION undersigned_guard_locked_translation_revision() RETURNS trigger AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM letter_translations WHERE id = NEW.translation_id
                 AND status = 'locked') THEN
        RAISE EXCEPTION 'translation % is locked: no version may be added or changed', NEW.translation_id;
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER translation_revisions_locked_guard BEFORE INSERT OR UPDATE ON translation_revisions
    FOR EACH ROW EXECUTE FUNCTION undersigned_guard_locked_translation_revision()
    """,
]

SQLITE = [
    """
    CREATE TRIGGER letter_translations_locked_guard BEFORE UPDATE ON letter_translations
    WHEN OLD.status = 'locked' AND (
      NEW.text IS NOT OLD.text OR NEW.title IS NOT OLD.title OR NEW.revision IS NOT OLD.revision
      OR NEW.status IS NOT OLD.status OR NEW.content_hash IS NOT OLD.content_hash)
    BEGIN SELECT RAISE(ABORT, 'translation is locked: it can never change'); END
    """,
    """
    CREATE TRIGGER translation_revisions_locked_guard BEFORE INSERT ON translation_revisions
    WHEN (SELECT status FROM letter_translations WHERE id = NEW.translation_id) = 'locked'
    BEGIN SELECT RAISE(ABORT, 'translation is locked: no version may be added'); END
    """,
    """
    CREATE TRIGGER translation_revisions_locked_update_guard BEFORE UPDATE ON translation_revisions
    WHEN (SELECT status FROM letter_translations WHERE id = NEW.translation_id) = 'locked'
    BEGIN SELECT RAISE(ABORT, 'translation is locked: no version may be changed'); END
    """,
]

DROP_POSTGRESQL = [
    "DROP TRIGGER IF EXISTS translation_revisions_locked_guard ON translation_revisions",
    "DROP FUNCTION IF EXISTS undersigned_guard_locked_translation_revision()",
    "DROP TRIGGER IF EXISTS letter_translations_locked_guard ON letter_translations",
    "DROP FUNCTION IF EXISTS undersigned_guard_locked_translation()",
]
DROP_SQLITE = [
    "DROP TRIGGER IF EXISTS translation_revisions_locked_update_guard",
    "DROP TRIGGER IF EXISTS translation_revisions_locked_guard",
    "DROP TRIGGER IF EXISTS letter_translations_locked_guard",
]


GUARD = TriggerGuard(
    {"postgresql": POSTGRESQL, "sqlite": SQLITE},
    {"postgresql": DROP_POSTGRESQL, "sqlite": DROP_SQLITE},
)
statements_for = GUARD.statements_for
drop_statements_for = GUARD.drop_statements_for
GUARD.add_after_create(TranslationRevision.__table__)
