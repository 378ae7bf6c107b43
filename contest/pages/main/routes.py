import secrets

import sqlalchemy as sa
from flask import abort, g, render_template, request, session
from flask_babel import gettext
from flask_login import current_user

from contest import links
from contest.community import notifications
from contest.crews import leaderboard as crew_board
from contest.crews import membership as crew_members
from contest.entries import cards
from contest.entries.storage import get_storage
from contest.extensions import csrf, db
from contest.models import Entry
from contest.pages.main.blueprint import bp
from contest.rounds import browse, ratings, results
from contest.rounds import phases as rounds
from contest.rounds import standings as ranking

bp.add_app_template_global(rounds.phase, "phase_of")
bp.add_app_template_global(rounds.is_blind, "blind_finish")
bp.add_app_template_global(rounds.next_change, "next_change")
bp.add_app_template_global(browse.live_count, "clip_count")


@bp.app_context_processor
def judging_now():
    """The round fans can judge now, for the tab bar's Judge tab."""
    if g.get("database_unavailable"):  # the 503 page is drawn without the database
        return {"judge_round": None}
    return {"judge_round": _judge_round()}


def _current_rounds():
    """The running rounds, read once per request (the page and its tab bar both want them)."""
    if "current_rounds" not in g:
        g.current_rounds = rounds.current_rounds()
    return g.current_rounds


def _judge_round():
    """The first running round whose voting is open, or None."""
    return next((r for r in _current_rounds() if rounds.accepts_votes(r)), None)


@bp.get("/")
def home():
    current = _current_rounds()
    featured = _judge_round()
    clips = []
    if featured is not None:
        sort = "shuffle" if rounds.is_blind(featured) else "needs_votes"
        clips, _ = browse.round_entries(featured, sort, 1, _shuffle_seed())
    return render_template(
        "main/home.html",
        current=current,
        featured=featured,
        clips=clips,
        past=results.hall_of_fame(podium=1, latest=3),
    )


def _shuffle_seed():
    """A viewer's own shuffled order: the fan's id, or a visitor's seed kept in the session."""
    if current_user.is_authenticated:
        return str(current_user.id)
    return session.setdefault("shuffle_seed", secrets.token_hex(8))


@bp.get("/rounds/<slug>")
def round_page(slug):
    round_ = rounds.round_by_slug(slug)
    live = not round_.closed_at  # the top ten, not the whole round: a round may hold 10,000
    standings = ranking.top_standings(round_.id) if live else []
    mine = []
    if current_user.is_authenticated:
        mine = db.session.scalars(
            sa.select(Entry)
            .where(Entry.round_id == round_.id, Entry.author_id == current_user.id)
            .order_by(Entry.created_at.desc())
        ).all()
    show_results = results.results_visible(round_, current_user)
    sort = request.args.get("sort") or browse.default_sort(round_)
    allowed = [s for s in browse.SORTS if not (rounds.is_blind(round_) and s in browse.SCORE_SORTS)]
    if sort not in allowed:
        sort = browse.default_sort(round_)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entries, more = browse.round_entries(round_, sort, page, _shuffle_seed())
    return render_template(
        "main/round.html",
        entries=entries,
        sort=sort,
        sorts=allowed,
        page=page,
        more=more,
        round=round_,
        phase=rounds.phase(round_),
        standings=standings,
        ranked=ranking.contender_count(round_.id) if live else 0,
        mine=mine,
        results=results.frozen_results(round_, limit=RESULTS_SHOWN) if show_results else [],
        excluded=round_.excluded_ratings if show_results else 0,
        show_results=show_results,
        prior=ratings.round_prior(round_.id),
        blind=rounds.is_blind(round_),
    )


RESULTS_SHOWN = 100  # the rest: the round page, sorted by the frozen ranking, a page at a time


@bp.get("/rounds/<slug>/results")
def results_page(slug):
    round_ = rounds.round_by_slug(slug)
    if not results.results_visible(round_, current_user):
        abort(404, gettext("The results of this round are not public yet."))
    return render_template(
        "main/results.html",
        round=round_,
        results=results.frozen_results(round_, limit=RESULTS_SHOWN),
        places=results.result_count(round_),
        picks=results.staff_picks(round_),
    )


@bp.get("/rounds/<slug>/results/card.jpg")
def results_card(slug):
    """The results' share picture: the winner's poster and the podium."""
    round_ = rounds.round_by_slug(slug)
    if not results.results_visible(round_, current_user):
        abort(404, gettext("The results of this round are not public yet."))
    podium = results.frozen_results(round_, limit=3)
    lines = [f"{r.rank}. {r.entry.title} · @{links.fan_name(r.entry.author)}" for r in podium]
    poster = podium[0].entry.poster_key if podium else None
    title = gettext("Results: %(title)s", title=round_.title)
    key = cards.share_card("results", round_.id, poster, title, lines)
    return get_storage().serve(key, "image/jpeg")


@bp.get("/rounds/<slug>/cover.jpg")
def round_cover(slug):
    round_ = rounds.round_by_slug(slug)
    if not round_.cover_key:
        abort(404, gettext("This round has no cover."))
    return get_storage().serve(round_.cover_key, "image/jpeg")


CREWS_SHOWN = 50  # the board's top; a fan's own crew is shown below it wherever it stands


@bp.get("/rounds/<slug>/crews")
def round_crews(slug):
    round_ = rounds.round_by_slug(slug)
    if rounds.is_blind(round_):  # a blind finish hides the crews' scores too
        table = []
    else:
        table = crew_board.crew_standings(round_.id)
    my_crew = my_absence = None
    if current_user.is_authenticated and not rounds.is_blind(round_):
        my_crew = crew_members.crew_of(current_user.id)
        if my_crew is not None:
            my_absence = crew_board.why_absent(round_, my_crew, table)
    return render_template(
        "main/round_crews.html",
        round=round_,
        table=table[:CREWS_SHOWN],
        crews_ranked=len(table),
        my_row=next(
            (r for r in table[CREWS_SHOWN:] if my_crew and r["crew"].id == my_crew.id), None
        ),
        blind=rounds.is_blind(round_),
        my_crew=my_crew,
        my_absence=my_absence,
    )


@bp.get("/rounds/<slug>/sponsor.jpg")
def sponsor_logo(slug):
    round_ = rounds.round_by_slug(slug)
    if not round_.sponsor_logo_key:
        abort(404, gettext("This round has no sponsor logo."))
    return get_storage().serve(round_.sponsor_logo_key, "image/jpeg")


@bp.get("/how-scores-work")
def how_scores_work():
    return render_template("main/how_scores_work.html")


@bp.get("/rounds/<slug>/judge")
def judge_page(slug):
    round_ = rounds.round_by_slug(slug)
    return render_template(
        "main/judge.html",
        round=round_,
        phase=rounds.phase(round_),
        open=rounds.accepts_votes(round_),
        blind=rounds.is_blind(round_),
        start=request.args.get("entry", type=int),
    )


@bp.get("/hall-of-fame")
def hall_of_fame():
    return render_template("main/hall_of_fame.html", rounds=results.hall_of_fame())


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client posts it, with no cookie and no token
def unsubscribe(token):
    """A digest's unsubscribe link: GET asks (mail scanners follow links), POST stops them."""
    if request.method == "GET":
        return render_template("main/unsubscribe.html", token=token)
    user = notifications.unsubscribe(token)
    if user is None:
        return render_template(
            "error.html", status=400, message=gettext("This link is not valid.")
        ), 400
    return render_template("main/unsubscribe.html", done=True)
