"""small renditions: each clip's 540p copy for slow networks, and the fan's Data saver setting

Revision ID: 6a7b8c9d0e1f
Revises: 5e1d2c3b4a70
Create Date: 2026-12-08 01:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '6a7b8c9d0e1f'
down_revision = '5e1d2c3b4a70'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('entries', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('small_key', sa.String(length=300), nullable=True))
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.add_column(
            sa.Column('data_saver', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('data_saver')
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_column('small_key')
