"""A living demo site: fans, a moderator, a current round, a past published round."""

import random
import tempfile
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from contest.accounts import users as accounts
from contest.entries import clips
from contest.entries.processing import process_entry
from contest.entries.storage import get_storage, new_video_key
from contest.errors import Conflict
from contest.extensions import db
from contest.models import Entry, Rating, User, utcnow
from contest.rounds import editing, rating_hours, results
from contest.rounds import phases as rounds

FANS = [
    "ronaldinha",
    "kaka_kid",
    "elastico",
    "rainbow_flick",
    "la_pulga",
    "cruyff_turn",
    "marta_magic",
    "sole_roller",
]
COLORS = [
    (250, 250, 250),
    (255, 200, 0),
    (255, 80, 80),
    (90, 160, 255),
    (240, 140, 255),
    (255, 255, 120),
    (120, 255, 170),
    (255, 150, 90),
]
# every clip's title is its own, across rounds: a trick and where it was filmed
TRICKS = [
    "Elastico",
    "Rainbow flick",
    "Keepy-uppy x100",
    "Nutmeg",
    "Rabona",
    "Around-the-world",
    "Sole roll",
    "Scorpion kick",
    "Cruyff turn",
    "Step-over chain",
    "Hocus pocus",
    "Bicycle kick",
    "Heel flick",
    "Akka 3000",
]
PLACES = ["at the park", "in the rain", "on the beach", "in the hallway", "at dusk", "on the roof"]
RUNNING_CLIPS = 22
PAST_CLIPS = 5
# most phone clips are filmed upright: two in three here, the rest wide
UPRIGHT, WIDE = (360, 640), (640, 360)
PASSWORD = "ginga-demo"


def _titles(count):
    """count titles, none repeated: each trick in turn, at each place in turn."""
    return [
        f"{TRICKS[i % len(TRICKS)]} {PLACES[(i + i // len(TRICKS)) % len(PLACES)]}"
        for i in range(count)
    ]


def _add_entry(round_, author, title, color, tmp, shape=WIDE):
    path = Path(tmp) / f"{round_.slug}-{len(list(Path(tmp).iterdir()))}.mp4"
    clips.write_clip(path, seconds=3, color=color, width=shape[0], height=shape[1])
    return add_entry_from_file(round_.id, author.id, title, path)


def add_entry_from_file(round_id, author_id, title, path):
    """Store an MP4 file and make it an entry as an upload does: checked, with a poster, live."""
    path = Path(path)
    key = new_video_key(round_id, path.name)
    get_storage().put_file(key, str(path), "video/mp4")
    entry = Entry(
        round_id=round_id,
        author_id=author_id,
        title=title,
        status="processing",
        video_key=key,
        original_filename=path.name,
        content_type="video/mp4",
        size_bytes=path.stat().st_size,
        processing_started_at=utcnow(),
    )
    db.session.add(entry)
    db.session.commit()
    process_entry(entry.id)
    return db.session.get(Entry, entry.id)


def _rate_everything(entries, fans, rng):
    for entry in entries:
        for fan in fans:
            if fan.id != entry.author_id and rng.random() < 0.8:
                stars = max(1, min(5, round(rng.gauss(3.6, 1.0))))
                db.session.add(Rating(user_id=fan.id, entry_id=entry.id, stars=stars))
                entry.rating_count += 1
                entry.rating_sum += stars
    db.session.flush()
    rating_hours.recount([entry.id for entry in entries])  # rows written beneath the writer
    db.session.commit()


def _rate_in_order(entries, fans):
    """Every fan but the author rates every clip, the first clip best: one fewer five-star
    rating for each next clip, so the places differ in their scores, not by a tie-break."""
    for place, entry in enumerate(entries):
        raters = [fan for fan in fans if fan.id != entry.author_id]
        for i, fan in enumerate(raters):
            stars = 5 if i < len(raters) - place - 1 else 3
            db.session.add(Rating(user_id=fan.id, entry_id=entry.id, stars=stars))
            entry.rating_count += 1
            entry.rating_sum += stars
    db.session.flush()
    rating_hours.recount([entry.id for entry in entries])
    db.session.commit()


def is_empty():
    """True when nobody has signed up yet."""
    return not db.session.scalar(sa.select(sa.func.count(User.id)))


def _people():
    """The moderator and the fans, long-standing accounts: their ratings count (young
    accounts' ratings wait a day)."""
    moderator = accounts.register_user(
        "moderator", "moderator@example.com", PASSWORD, role="moderator", verified=True
    )
    fans = [accounts.register_user(n, f"{n}@example.com", PASSWORD, verified=True) for n in FANS]
    now = utcnow()
    for i, person in enumerate([moderator, *fans]):
        person.created_at = now - timedelta(days=90 - i)
    db.session.commit()
    return moderator, fans


def seed_demo():
    """Fill an empty database; refuse to touch one that has users."""
    if not is_empty():
        raise Conflict(
            "The database already has users; demo data goes only into an empty one.",
            code="not_empty",
        )
    rng = random.Random(2006)
    moderator, fans = _people()
    now = utcnow()
    current = editing.create_round(
        moderator,
        {
            "title": "Skill of the month",
            "brief": "One clip, up to two minutes: your best trick with a ball.",
            "submissions_open_at": now - timedelta(days=5),
            "submissions_close_at": now + timedelta(days=20),
            "voting_close_at": now + timedelta(days=25),
        },
    )
    editing.create_monthly_round(moderator=moderator)
    past = editing.create_round(
        moderator,
        {
            "title": "Street skills classic",
            "brief": "Your best trick on concrete.",
            "submissions_open_at": now - timedelta(days=60),
            "submissions_close_at": now - timedelta(days=36),
            "voting_close_at": now - timedelta(days=30),
        },
    )
    titles = _titles(PAST_CLIPS + RUNNING_CLIPS)
    with tempfile.TemporaryDirectory() as tmp:
        past_entries = [
            _add_entry(past, fan, titles[i], COLORS[i], tmp, UPRIGHT if i % 3 else WIDE)
            for i, fan in enumerate(fans[:PAST_CLIPS])
        ]
        _rate_in_order(past_entries, fans + [moderator])
        results.close_round(past.id, moderator)
        results.publish_round(past.id, moderator)
        current_entries = [
            _add_entry(
                current,
                fans[i % len(fans)],
                titles[PAST_CLIPS + i],
                COLORS[i % len(COLORS)],
                tmp,
                UPRIGHT if i % 3 else WIDE,
            )
            for i in range(RUNNING_CLIPS)
        ]
        if rounds.accepts_votes(current):
            # half the clips have ratings; the rest wait for votes ("New: needs votes")
            _rate_everything(current_entries[: len(current_entries) // 2], fans[:3], rng)
    return (
        f"Seeded {len(fans)} fans and a moderator (password '{PASSWORD}'), "
        f"round {current.slug} with {len(current_entries)} entries, "
        f"and published round {past.slug} with {len(past_entries)} entries."
    )
