"""finals stage: finals window, finalists, rating and result stages

Revision ID: b41f0e7c2d19
Revises: e5a5b200036f
Create Date: 2026-11-28 23:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b41f0e7c2d19'
down_revision = 'e5a5b200036f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('finals_open_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('finals_close_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('finalists_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('finalist', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=10), server_default='main', nullable=False))
        batch_op.drop_constraint('uq_ratings_user_entry', type_='unique')
        batch_op.create_unique_constraint('uq_ratings_user_entry_stage', ['user_id', 'entry_id', 'stage'])

    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=10), server_default='main', nullable=False))


def downgrade():
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_column('stage')

    op.execute("DELETE FROM ratings WHERE stage <> 'main'")
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_constraint('uq_ratings_user_entry_stage', type_='unique')
        batch_op.create_unique_constraint('uq_ratings_user_entry', ['user_id', 'entry_id'])
        batch_op.drop_column('stage')

    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_column('finalist')

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('finalists_at')
        batch_op.drop_column('finals_close_at')
        batch_op.drop_column('finals_open_at')
