"""theme proposals and votes, proposal windows, a selected theme's round, a round's sponsor

Revision ID: b1c2d3e4f5a6
Revises: a9b8c7d6e5f4
Create Date: 2026-12-03 15:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b1c2d3e4f5a6'
down_revision = 'a9b8c7d6e5f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'themes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('proposer_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=80), nullable=False),
        sa.Column('brief', sa.String(length=500), nullable=False),
        sa.Column('example_entry_id', sa.Integer(), nullable=True),
        sa.Column('round_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('votes', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('selected_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status in ('proposed', 'selected', 'hidden')", name=op.f('ck_themes_status')
        ),
        sa.CheckConstraint('votes >= 0', name=op.f('ck_themes_votes')),
        sa.ForeignKeyConstraint(
            ['example_entry_id'], ['entries.id'], name=op.f('fk_themes_example_entry_id_entries')
        ),
        sa.ForeignKeyConstraint(
            ['proposer_id'], ['users.id'], name=op.f('fk_themes_proposer_id_users')
        ),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_themes_round_id_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_themes')),
    )
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_themes_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_themes_proposer_id'), ['proposer_id'], unique=False)
    op.create_table(
        'theme_votes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('theme_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['theme_id'], ['themes.id'], name=op.f('fk_theme_votes_theme_id_themes'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_theme_votes_user_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_votes')),
        sa.UniqueConstraint('theme_id', 'user_id', name='uq_theme_votes_voter'),
    )
    with op.batch_alter_table('theme_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_votes_user_id'), ['user_id'], unique=False)
    op.create_table(
        'proposal_windows',
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('opens_at', sa.DateTime(), nullable=False),
        sa.Column('closes_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('month', name=op.f('pk_proposal_windows')),
    )
    # plain ADD COLUMNs: a batch copy of rounds would fail on SQLite with rows referencing it
    with op.batch_alter_table('rounds', schema=None, recreate='never') as batch_op:
        batch_op.add_column(
            sa.Column('sponsor_name', sa.String(length=80), nullable=False, server_default='')
        )
        batch_op.add_column(
            sa.Column('sponsor_url', sa.String(length=300), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('sponsor_logo_key', sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column('sponsor_pick', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('sponsor_pick')
        batch_op.drop_column('sponsor_logo_key')
        batch_op.drop_column('sponsor_url')
        batch_op.drop_column('sponsor_name')
    op.drop_table('proposal_windows')
    with op.batch_alter_table('theme_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_votes_user_id'))
    op.drop_table('theme_votes')
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_themes_proposer_id'))
        batch_op.drop_index(batch_op.f('ix_themes_month'))
    op.drop_table('themes')
