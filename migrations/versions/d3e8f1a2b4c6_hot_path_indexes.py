"""hot path indexes: a round's live entries; an entry's ratings by stage

Revision ID: d3e8f1a2b4c6
Revises: c7d2a9e41b5f
Create Date: 2026-11-28 23:55:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd3e8f1a2b4c6'
down_revision = 'c7d2a9e41b5f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.create_index('ix_entries_round_status', ['round_id', 'status'], unique=False)

    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index('ix_ratings_entry_stage_stars', ['entry_id', 'stage', 'stars'], unique=False)
        batch_op.drop_index('ix_ratings_entry_id')


def downgrade():
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index('ix_ratings_entry_id', ['entry_id'], unique=False)
        batch_op.drop_index('ix_ratings_entry_stage_stars')

    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_index('ix_entries_round_status')
