"""ratings count live only once their account is old enough

A rating cast by an account younger than MIN_ACCOUNT_AGE_HOURS is stored with counted = false:
it shows apart ("+3 from new accounts") and joins the live aggregate, the histogram and the
frozen result once the account is old enough. Rows written before counted as they were.

Revision ID: b7e2c4d9a1f3
Revises: a9c3e5f7b1d2
Create Date: 2026-12-03 08:30:00

"""
import sqlalchemy as sa
from alembic import op


revision = 'b7e2c4d9a1f3'
down_revision = 'a9c3e5f7b1d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('counted', sa.Boolean(), nullable=False, server_default=sa.true())
        )
    # the maturing step finds the few pending rows by account without reading the counted ones
    op.create_index(
        'ix_ratings_pending_user',
        'ratings',
        ['user_id'],
        sqlite_where=sa.text('counted = 0'),
        postgresql_where=sa.text('NOT counted'),
    )


def downgrade():
    op.drop_index('ix_ratings_pending_user', table_name='ratings')
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_column('counted')
