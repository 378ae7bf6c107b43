"""insight snapshots: the organiser's insights, stored so the page reads rows, not ratings

Revision ID: 7b8c9d0e1f2a
Revises: 6a7b8c9d0e1f
Create Date: 2026-12-08 01:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '7b8c9d0e1f2a'
down_revision = '6a7b8c9d0e1f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'insight_snapshots',
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('round_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'round_id', name=op.f('pk_insight_snapshots')),
    )


def downgrade():
    op.drop_table('insight_snapshots')
