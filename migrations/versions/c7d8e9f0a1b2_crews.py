"""crews, their members (one crew per fan at a time), and crew results per round

Revision ID: c7d8e9f0a1b2
Revises: b1c2d3e4f5a6
Create Date: 2026-12-03 16:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c7d8e9f0a1b2'
down_revision = 'b1c2d3e4f5a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'crews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=60), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('name_key', sa.String(length=60), nullable=False),
        sa.Column('home', sa.String(length=80), nullable=False),
        sa.Column('open', sa.Boolean(), nullable=False),
        sa.Column('badge_key', sa.String(length=300), nullable=True),
        sa.Column('captain_id', sa.Integer(), nullable=False),
        sa.Column('hidden', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['captain_id'], ['users.id'], name=op.f('fk_crews_captain_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_crews')),
        sa.UniqueConstraint('name_key', name=op.f('uq_crews_name_key')),
        sa.UniqueConstraint('slug', name=op.f('uq_crews_slug')),
    )
    with op.batch_alter_table('crews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crews_captain_id'), ['captain_id'], unique=False)
    op.create_table(
        'crew_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('crew_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('joined_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("status in ('member', 'pending')", name=op.f('ck_crew_members_status')),
        sa.ForeignKeyConstraint(
            ['crew_id'], ['crews.id'], name=op.f('fk_crew_members_crew_id_crews'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_crew_members_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_crew_members')),
        sa.UniqueConstraint('crew_id', 'user_id', name='uq_crew_members_crew_user'),
    )
    with op.batch_alter_table('crew_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crew_members_crew_id'), ['crew_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_crew_members_user_id'), ['user_id'], unique=False)
        batch_op.create_index(
            'uq_crew_members_one_crew', ['user_id'], unique=True,
            sqlite_where=sa.text("status = 'member'"),
            postgresql_where=sa.text("status = 'member'"),
        )
    op.create_table(
        'crew_results',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('crew_id', sa.Integer(), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('counted', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['crew_id'], ['crews.id'], name=op.f('fk_crew_results_crew_id_crews')),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_crew_results_round_id_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_crew_results')),
    )
    with op.batch_alter_table('crew_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crew_results_round_id'), ['round_id'], unique=False)


def downgrade():
    with op.batch_alter_table('crew_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crew_results_round_id'))
    op.drop_table('crew_results')
    with op.batch_alter_table('crew_members', schema=None) as batch_op:
        batch_op.drop_index('uq_crew_members_one_crew')
        batch_op.drop_index(batch_op.f('ix_crew_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_crew_members_crew_id'))
    op.drop_table('crew_members')
    with op.batch_alter_table('crews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crews_captain_id'))
    op.drop_table('crews')
