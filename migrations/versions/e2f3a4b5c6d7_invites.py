"""invitations: each fan's invite code, who invited a fan, when the invite was credited

Revision ID: e2f3a4b5c6d7
Revises: d1e2f3a4b5c6
Create Date: 2026-12-03 17:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'e2f3a4b5c6d7'
down_revision = 'd1e2f3a4b5c6'
branch_labels = None
depends_on = None


def upgrade():
    # In place (see d1e2f3a4b5c6): SQLite cannot add a constraint to an existing table, so
    # there the key is the rule's; PostgreSQL gets it.
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('invite_code', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('invited_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('invite_credited_at', sa.DateTime(), nullable=True))
        batch_op.create_index('uq_users_invite_code', ['invite_code'], unique=True)
    if op.get_bind().dialect.name != 'sqlite':
        op.create_foreign_key(
            op.f('fk_users_invited_by_id_users'), 'users', 'users', ['invited_by_id'], ['id']
        )


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_users_invited_by_id_users'), 'users', type_='foreignkey')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('uq_users_invite_code')
        batch_op.drop_column('invite_credited_at')
        batch_op.drop_column('invited_by_id')
        batch_op.drop_column('invite_code')
