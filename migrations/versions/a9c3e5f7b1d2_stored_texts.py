"""stored texts: notifications, status reasons and flag evidence kept translatable

Notifications, entries' status reasons and integrity flags' evidence keep their sentence as msgid + values (JSON) next to
the English rendering, so each reader sees them in their own language. Rows written before
have no JSON and are shown as they were stored.

Revision ID: a9c3e5f7b1d2
Revises: f4a1c9d27e30
Create Date: 2026-11-29 04:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a9c3e5f7b1d2'
down_revision = 'f4a1c9d27e30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.JSON(), nullable=True))
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_message', sa.JSON(), nullable=True))
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_message', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_column('evidence_message')
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_column('status_message')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('message')
