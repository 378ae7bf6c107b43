"""an entry can answer another fan's skill (entries.answers_id)

Revision ID: d1e2f3a4b5c6
Revises: c7d8e9f0a1b2
Create Date: 2026-12-03 16:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd1e2f3a4b5c6'
down_revision = 'c7d8e9f0a1b2'
branch_labels = None
depends_on = None


def upgrade():
    # In place: a batch copy of entries would fail on SQLite while ratings and comments
    # reference its rows, and SQLite cannot add a constraint to an existing table. There the
    # rule (uploads.check_answer) is what keeps the reference right; PostgreSQL gets the key.
    with op.batch_alter_table('entries', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('answers_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_entries_answers_id'), ['answers_id'], unique=False)
    if op.get_bind().dialect.name != 'sqlite':
        op.create_foreign_key(
            op.f('fk_entries_answers_id_entries'), 'entries', 'entries', ['answers_id'], ['id']
        )


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_entries_answers_id_entries'), 'entries', type_='foreignkey')
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entries_answers_id'))
        batch_op.drop_column('answers_id')
