"""Words for the codes pages show (statuses, report reasons, audit actions, flag kinds).

The API keeps the codes; pages show `code|label("entry_status")` in the reader's language.
A code without a label shows as itself, underscores as spaces.
"""

from flask_babel import lazy_gettext as _l

from contest.models.reports import REPORT_REASONS

LABELS = {
    "entry_status": {
        "uploading": _l("uploading"),
        "processing": _l("processing"),
        "pending_review": _l("waiting for approval"),
        "live": _l("live"),
        "rejected": _l("not accepted"),
        "hidden": _l("hidden"),
        "disqualified": _l("disqualified"),
    },
    "report_reason": {
        "spam": _l("Spam or advertising"),
        "abuse": _l("Abuse, hate or harassment"),
        "not_football": _l("Not a football skill"),
        "copyright": _l("Someone else's video"),
        "other": _l("Something else"),
    },
    "flag_kind": {
        "new_accounts": _l("new accounts"),
        "single_purpose": _l("single-purpose raters"),
        "burst": _l("burst of ratings"),
    },
    "audit_action": {
        "approve": _l("Approval"),
        "reject": _l("Rejection"),
        "hide": _l("Hiding"),
        "restore": _l("Restoring"),
        "disqualify": _l("Disqualification"),
        "dismiss_flags": _l("Flags dismissed"),
        "auto_hide": _l("Hidden automatically"),
        "delete_comment": _l("Deletion"),
        "hide_comment": _l("Hiding"),
        "restore_comment": _l("Restoring"),
        "ban": _l("Ban"),
        "unban": _l("Ban lifted"),
        "trust": _l("Trusted"),
        "untrust": _l("Trust withdrawn"),
        "create_round": _l("Round created"),
        "edit_round": _l("Round edited"),
        "set_cover": _l("Cover set"),
        "close_round": _l("Round closed"),
        "publish_round": _l("Results published"),
        "shortlist": _l("Finalists shortlisted"),
        "staff_pick": _l("Picked by staff"),
        "unpick": _l("Staff pick withdrawn"),
        "select_theme": _l("Theme selected"),
        "hide_theme": _l("Theme hidden"),
        "restore_theme": _l("Theme restored"),
        "open_proposals": _l("Proposal window set"),
        "set_sponsor_logo": _l("Sponsor logo set"),
    },
    "audit_target": {
        "entry": _l("entry"),
        "comment": _l("comment"),
        "user": _l("fan"),
        "round": _l("round"),
        "theme": _l("theme"),
        "month": _l("month"),
    },
    # reasons the system writes in the audit log; a moderator's own words show as written
    "audit_reason": {
        "report threshold reached": _l("report threshold reached"),
        "automatic after approved entries": _l("automatic after approved entries"),
        "forced": _l("closed early"),
    },
}


def label(code, group):
    words = LABELS[group].get(code)
    if words is not None:
        return str(words)
    return code.replace("_", " ") if group != "audit_reason" else code


def init_app(app):
    app.jinja_env.filters["label"] = label
    app.jinja_env.globals["REPORT_REASONS"] = REPORT_REASONS
