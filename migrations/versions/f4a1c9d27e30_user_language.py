"""user language: the fan's chosen interface language

Revision ID: f4a1c9d27e30
Revises: d3e8f1a2b4c6
Create Date: 2026-11-29 02:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f4a1c9d27e30'
down_revision = 'd3e8f1a2b4c6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sa.String(length=10), nullable=False, server_default='')
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
