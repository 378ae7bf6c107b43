"""The organiser's insights page: charts of what the community does and wants, and CSV."""

import io

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _

from contest.accounts.permissions import permission_required
from contest.models import utcnow
from contest.moderation import insight_snapshots
from contest.pages.moderation import charts
from contest.pages.moderation.blueprint import bp
from contest.rounds import phases as rounds
from contest.spreadsheet import SafeWriter


def _chosen_round():
    everything = rounds.all_rounds()
    wanted = request.args.get("round_id", type=int)
    chosen = next((r for r in everything if r.id == wanted), None)
    if chosen is None:  # the newest round whose voting has begun, else the newest
        started = [r for r in everything if r.voting_open_at <= utcnow()]
        chosen = (started or everything or [None])[0]
    return everything, chosen


@bp.get("/insights")
@permission_required("moderator")
def insights_page():
    everything, chosen = _chosen_round()
    shown = insight_snapshots.figures(chosen)
    numbers, across, months, places = (shown[k] for k in ("round", "across", "themes", "places"))
    figures = {}
    if numbers:
        figures["ratings"] = charts.bars(_("Ratings per day"), numbers["ratings_per_day"])
        figures["uploads"] = charts.bars(_("Uploads per day"), numbers["uploads_per_day"])
    figures["fans"] = charts.bars(
        _("New and returning fans per round"),
        [(r["slug"], {"new": r["new_fans"], "returning": r["returning_fans"]}) for r in across],
        stacked_keys=("new", "returning"),
    )
    figures["themes"] = charts.bars(
        _("Votes on theme proposals per month"), [(m["month"], m["votes"]) for m in months]
    )
    figures["countries"] = charts.hbars(_("Countries"), places["countries"])
    figures["clubs"] = charts.hbars(_("Clubs"), places["clubs"])
    return render_template(
        "moderation/insights.html",
        rounds=everything,
        chosen=chosen,
        numbers=numbers,
        across=across,
        figures=figures,
        as_of=shown["as_of"],
        every_minutes=current_app.config["INSIGHTS_MAX_AGE"] // 60,
    )


@bp.get("/insights.csv")
@permission_required("moderator")
def insights_csv():
    _, chosen = _chosen_round()
    shown = insight_snapshots.figures(chosen)
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(["section", "key", "value"])
    writer.writerow(["as of", "", shown["as_of"].isoformat()])
    if chosen:
        numbers = shown["round"]
        for key in (
            "entries",
            "live_entries",
            "judges",
            "ratings",
            "clips_at_target",
            "clips_at_target_share",
            "judging_completion",
        ):
            writer.writerow([f"round {chosen.slug}", key, numbers[key]])
        for day, n in numbers["ratings_per_day"]:
            writer.writerow(["ratings per day", day, n])
        for day, n in numbers["uploads_per_day"]:
            writer.writerow(["uploads per day", day, n])
    for row in shown["across"]:
        for key in ("fans", "new_fans", "returning_fans", "theme_proposals", "theme_votes"):
            writer.writerow([f"round {row['slug']}", key, row[key]])
    places = shown["places"]
    for kind in ("countries", "clubs"):
        for name, n in places[kind]:
            writer.writerow([kind, name, n])
    name = f"ginga-insights-{chosen.slug if chosen else 'all'}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
