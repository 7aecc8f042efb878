"""outgoing mail rendered by the sender: template, locale and JSON context

A hot path (confirming a signature) queues its mail without rendering it; the background sender
renders it just before sending.

Revision ID: a7c3e91d2b40
Revises: fe7505eca5d0
Create Date: 2026-12-07 15:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e91d2b40'
down_revision = 'fe7505eca5d0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('locale', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('context', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_column('context')
        batch_op.drop_column('locale')
        batch_op.drop_column('template')
