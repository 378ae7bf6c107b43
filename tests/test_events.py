"""Events after commit: rules record what happened; subscribers hear it only once it is stored."""

import pytest

from contest import events
from contest.community import comments
from contest.events import CommentAdded, EntryStatusChanged, Notified, RatingChanged
from contest.extensions import db
from contest.models import Entry, User
from contest.moderation import actions


@pytest.fixture
def heard(app):
    """Every event the app's subscribers are handed, in order."""
    seen = []
    for kind in (RatingChanged, EntryStatusChanged, CommentAdded, Notified):
        events.subscribe(app, kind, seen.append)
    return seen


def test_a_comment_is_heard_after_its_commit_with_the_authors_notification(
    app, heard, make_user, make_round, make_entry
):
    author, fan = make_user("author"), make_user("fan")
    entry = make_entry(make_round("voting").id, author.id)
    with app.test_request_context("/", method="POST"):
        comment = comments.post_comment(db.session.get(User, fan.id), entry.id, "Lovely touch")
        comment_id = comment.id
    kinds = [type(e) for e in heard]
    assert kinds == [Notified, CommentAdded]
    assert heard[0].user_id == author.id and heard[0].payload["kind"] == "comment"
    assert heard[1] == CommentAdded(comment_id, entry.id)


def test_a_rolled_back_transaction_is_never_heard(app, heard, make_user, make_round, make_entry):
    entry = make_entry(make_round("voting").id, make_user("author").id)
    with app.app_context():
        events.record(RatingChanged(entry.id, 1))
        db.session.rollback()
        db.session.commit()  # a later transaction does not carry the dropped event
    assert heard == []


def test_nothing_is_heard_before_the_commit(app, heard, make_user, make_round, make_entry):
    entry = make_entry(make_round("voting").id, make_user("author").id)
    with app.app_context():
        events.record(EntryStatusChanged(entry.id))
        db.session.flush()
        assert heard == []
        db.session.commit()
        assert heard == [EntryStatusChanged(entry.id)]


def test_a_failing_subscriber_neither_stops_the_others_nor_undoes_the_change(
    app, heard, make_user, make_round, make_entry
):
    def broken(event):
        raise RuntimeError("the socket server is away")

    events.subscribe(app, RatingChanged, broken)
    events.subscribe(app, RatingChanged, heard.append)
    moderator = make_user("mod", role="moderator")
    entry = make_entry(make_round("voting").id, make_user("author").id)
    with app.test_request_context("/", method="POST"):
        actions.moderate_entry(db.session.get(User, moderator.id), entry.id, "hide", "spam")
    assert RatingChanged(entry.id, entry.round_id) in heard
    with app.app_context():
        assert db.session.get(Entry, entry.id).status == "hidden"


def test_the_rules_import_neither_live_updates_nor_the_job_queue():
    import contest.community.comments
    import contest.entries.processing
    import contest.entries.uploads
    import contest.moderation.actions
    import contest.rounds.finals
    import contest.rounds.ratings

    for module in (
        contest.community.comments,
        contest.entries.processing,
        contest.entries.uploads,
        contest.moderation.actions,
        contest.rounds.finals,
        contest.rounds.ratings,
    ):
        names = set(vars(module))
        assert not {"live", "jobs", "socketio", "safe_emit", "enqueue"} & names, module
