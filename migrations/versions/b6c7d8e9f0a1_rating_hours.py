"""rating hours: each entry's ratings per clock hour, kept by the rating writer

The anomaly check grouped every rating by (entry, clock hour) to find bursts: seconds at a
million ratings. The writer now keeps the latest hour's count and the busiest hour's count on
the entry; this fills them from the ratings already stored.

Revision ID: b6c7d8e9f0a1
Revises: a4b5c6d7e8f9
Create Date: 2026-12-03 20:30:00

"""
from datetime import datetime

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b6c7d8e9f0a1'
down_revision = 'a4b5c6d7e8f9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rating_hour', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('rating_hour_count', sa.Integer(), nullable=False, server_default='0')
        )
        batch_op.add_column(
            sa.Column('busiest_hour_ratings', sa.Integer(), nullable=False, server_default='0')
        )
    conn = op.get_bind()
    ratings = sa.table('ratings', sa.column('entry_id'), sa.column('updated_at', sa.DateTime()))
    entries = sa.table(
        'entries',
        sa.column('id'),
        sa.column('rating_hour', sa.DateTime()),
        sa.column('rating_hour_count'),
        sa.column('busiest_hour_ratings'),
    )
    if conn.dialect.name == 'postgresql':
        hour = sa.func.date_trunc('hour', ratings.c.updated_at)
    else:
        hour = sa.func.strftime('%Y-%m-%d %H:00:00', ratings.c.updated_at)
    found = {}
    rows = conn.execute(
        sa.select(ratings.c.entry_id, hour.label('hour'), sa.func.count()).group_by(
            ratings.c.entry_id, hour
        )
    )
    for entry_id, at, n in rows:
        if isinstance(at, str):
            at = datetime.strptime(at, '%Y-%m-%d %H:%M:%S')
        latest, latest_n, busiest = found.get(entry_id, (None, 0, 0))
        if latest is None or at > latest:
            latest, latest_n = at, n
        found[entry_id] = (latest, latest_n, max(busiest, n))
    if found:
        conn.execute(
            entries.update()
            .where(entries.c.id == sa.bindparam('entry_id'))
            .values(
                rating_hour=sa.bindparam('hour'),
                rating_hour_count=sa.bindparam('latest_n'),
                busiest_hour_ratings=sa.bindparam('busiest'),
            ),
            [
                {'entry_id': e, 'hour': h, 'latest_n': n, 'busiest': b}
                for e, (h, n, b) in found.items()
            ],
        )


def downgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_column('busiest_hour_ratings')
        batch_op.drop_column('rating_hour_count')
        batch_op.drop_column('rating_hour')
