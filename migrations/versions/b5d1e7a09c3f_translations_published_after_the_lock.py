"""translations published after the lock, comments on translations, version hashes in the log, mail headers

A translation left out of the lock may be finished, approved and published later (`locked_at`; the
guard now freezes locked translations only); comments may be on a translation (`translation_id`);
signature log entries carry the signature's version hashes (`versions`, hashed with the entry when
present); outgoing mail may carry extra headers (List-Unsubscribe).

Revision ID: b5d1e7a09c3f
Revises: cd2de19a6fcd
Create Date: 2026-12-07 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.shared.db_types  # noqa: F401  (custom column types used below)
from app.letters import locked_translation_guard


# revision identifiers, used by Alembic.
revision = 'b5d1e7a09c3f'
down_revision = 'cd2de19a6fcd'
branch_labels = None
depends_on = None

# The guard as cd2de19a6fcd made it (locked and left-out translations frozen), for the downgrade.
PREVIOUS_GUARD = {
    "postgresql": [
        """
        CREATE OR REPLACE FUNCTION undersigned_guard_locked_translation() RETURNS trigger AS $$
        BEGIN
          IF OLD.status IN ('locked', 'left_out') AND (
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
                     AND status IN ('locked', 'left_out')) THEN
            RAISE EXCEPTION 'translation % is locked: no version may be added or changed', NEW.translation_id;
          END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER translation_revisions_locked_guard BEFORE INSERT OR UPDATE ON translation_revisions
        FOR EACH ROW EXECUTE FUNCTION undersigned_guard_locked_translation_revision()
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER letter_translations_locked_guard BEFORE UPDATE ON letter_translations
        WHEN OLD.status IN ('locked', 'left_out') AND (
          NEW.text IS NOT OLD.text OR NEW.title IS NOT OLD.title OR NEW.revision IS NOT OLD.revision
          OR NEW.status IS NOT OLD.status OR NEW.content_hash IS NOT OLD.content_hash)
        BEGIN SELECT RAISE(ABORT, 'translation is locked: it can never change'); END
        """,
        """
        CREATE TRIGGER translation_revisions_locked_guard BEFORE INSERT ON translation_revisions
        WHEN (SELECT status FROM letter_translations WHERE id = NEW.translation_id) IN ('locked', 'left_out')
        BEGIN SELECT RAISE(ABORT, 'translation is locked: no version may be added'); END
        """,
        """
        CREATE TRIGGER translation_revisions_locked_update_guard BEFORE UPDATE ON translation_revisions
        WHEN (SELECT status FROM letter_translations WHERE id = NEW.translation_id) IN ('locked', 'left_out')
        BEGIN SELECT RAISE(ABORT, 'translation is locked: no version may be changed'); END
        """,
    ],
}


def _drop_guard():
    for statement in locked_translation_guard.drop_statements_for(op.get_bind().dialect.name):
        op.execute(statement)


def _create_guard(statements):
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade():
    _drop_guard()  # SQLite cannot rebuild a table that a trigger names
    with op.batch_alter_table('letter_translations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_at', app.shared.db_types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_comments_translation_id'), ['translation_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_comments_translation_id_letter_translations'),
            'letter_translations', ['translation_id'], ['id'], ondelete='CASCADE',
        )
    with op.batch_alter_table('signature_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('versions', sa.JSON(), nullable=True))
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headers', sa.Text(), nullable=True))
    # Translations locked with their letter before this migration were locked with it.
    op.execute(
        "UPDATE letter_translations SET locked_at = (SELECT locked_at FROM letters WHERE letters.id = "
        "letter_translations.letter_id) WHERE status = 'locked'"
    )
    _create_guard(locked_translation_guard.GUARD.create)


def downgrade():
    _drop_guard()
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_column('headers')
    with op.batch_alter_table('signature_log', schema=None) as batch_op:
        batch_op.drop_column('versions')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comments_translation_id_letter_translations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_comments_translation_id'))
        batch_op.drop_column('translation_id')
    with op.batch_alter_table('letter_translations', schema=None) as batch_op:
        batch_op.drop_column('locked_at')
    _create_guard(PREVIOUS_GUARD)
