"""notification targets: what a notification points at, not its URL

Rules store a target ("entry:12#c5", "user:alice", "round:<slug>", "results:<slug>"); pages,
the API, live updates and mail build the link. Rows written before keep their stored url.

Revision ID: c1d2e3f4a5b6
Revises: b7e2c4d9a1f3
Create Date: 2026-12-03 12:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = 'c1d2e3f4a5b6'
down_revision = 'b7e2c4d9a1f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('target', sa.String(length=160), nullable=False, server_default='')
        )


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('target')
