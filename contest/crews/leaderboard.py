"""The crew leaderboard of a round: a crew's score is the sum of its best three members' entry
scores (each member's best entry), counting only members who joined before voting opened and
only entries with counted ratings. Live from the live ranking during voting; frozen with the
round's results at close (crew_results)."""

import sqlalchemy as sa

from contest.extensions import db
from contest.models import Crew, CrewMember, CrewResult, Entry, Result
from contest.rounds import phases as rounds
from contest.rounds.ratings import bayesian, contenders, round_prior

COUNTED_MEMBERS = 3


def _eligible(round_):
    """{fan: crew id} of every member who joined a visible crew before voting opened."""
    return dict(
        db.session.execute(
            sa.select(CrewMember.user_id, CrewMember.crew_id)
            .join(Crew, Crew.id == CrewMember.crew_id)
            .where(
                CrewMember.status == "member",
                CrewMember.joined_at < round_.voting_open_at,
                Crew.hidden.is_(False),
            )
        ).all()
    )


def _rank(round_, scores, eligible=None):
    """scores: [(entry_id, author_id, score)] -> [{rank, crew, score, counted}]; eligible:
    {author: crew id} of the members who count (read here when not given)."""
    eligible = eligible if eligible is not None else _eligible(round_)

    best = {}  # author -> (score, entry_id): one entry per member, their best
    for entry_id, author_id, score in scores:
        if author_id in eligible and (author_id not in best or score > best[author_id][0]):
            best[author_id] = (score, entry_id)
    by_crew = {}
    for author_id, (score, entry_id) in best.items():
        by_crew.setdefault(eligible[author_id], []).append((score, entry_id))
    crews = {c.id: c for c in db.session.scalars(sa.select(Crew).where(Crew.id.in_(by_crew)))}
    table = []
    for crew_id, rows in by_crew.items():
        top = sorted(rows, key=lambda r: (-r[0], r[1]))[:COUNTED_MEMBERS]
        table.append(
            {
                "crew": crews[crew_id],
                "score": round(sum(s for s, _ in top), 6),
                "counted": [entry_id for _, entry_id in top],
            }
        )
    table.sort(key=lambda r: (-r["score"], r["crew"].name_key))
    for i, row in enumerate(table, start=1):
        row["rank"] = i
    return table


def live_crews(round_id):
    """The live crew board from the rated clips of crew members only (in SQL), scored with the
    round's prior as the live ranking scores them: not from every clip of the round."""
    round_ = rounds.get_round(round_id)
    m, c = round_prior(round_id)
    query = (
        sa.select(
            Entry.id, Entry.author_id, Entry.rating_count, Entry.rating_sum, CrewMember.crew_id
        )
        .join(CrewMember, CrewMember.user_id == Entry.author_id)
        .join(Crew, Crew.id == CrewMember.crew_id)
        .where(
            *contenders(round_id),
            Entry.rating_count > 0,
            CrewMember.status == "member",
            CrewMember.joined_at < round_.voting_open_at,
            Crew.hidden.is_(False),
        )
    )
    rows = db.session.execute(query).all()
    scores = [(i, author, bayesian(total, n, m, c)) for i, author, n, total, _crew in rows]
    return _rank(round_, scores, {author: crew for _i, author, _n, _t, crew in rows})


def frozen_scores(round_):
    return db.session.execute(
        sa.select(Result.entry_id, Entry.author_id, Result.score)
        .join(Entry, Entry.id == Result.entry_id)
        .where(Result.round_id == round_.id, Result.count > 0)
    ).all()


def freeze_crews(round_):
    """(Re)write a closed round's crew results from its frozen results (called with them)."""
    db.session.execute(sa.delete(CrewResult).where(CrewResult.round_id == round_.id))
    for row in _rank(round_, frozen_scores(round_)):
        db.session.add(
            CrewResult(
                round_id=round_.id,
                crew_id=row["crew"].id,
                rank=row["rank"],
                score=row["score"],
                counted=row["counted"],
            )
        )


def crew_standings(round_id):
    """The round's crew leaderboard: frozen once closed, live before."""
    round_ = rounds.get_round(round_id)
    if round_.closed_at is None:
        return live_crews(round_id)
    return [
        {"rank": r.rank, "crew": r.crew, "score": r.score, "counted": list(r.counted)}
        for r in db.session.scalars(
            sa.select(CrewResult).where(CrewResult.round_id == round_id).order_by(CrewResult.rank)
        )
        if not r.crew.hidden
    ]


def why_absent(round_, crew, table):
    """Why a crew is not on the round's board (table: its crew_standings), or None if it is:
    "hidden"; "joined_late" when none of its members joined before voting opened (the crew
    competes from the next round); "no_rated_clip" when those who did have no rated clip yet."""
    if any(row["crew"].id == crew.id for row in table):
        return None
    if crew.hidden:
        return "hidden"
    early = db.session.scalar(
        sa.select(sa.func.count(CrewMember.id)).where(
            CrewMember.crew_id == crew.id,
            CrewMember.status == "member",
            CrewMember.joined_at < round_.voting_open_at,
        )
    )
    return "no_rated_clip" if early else "joined_late"
