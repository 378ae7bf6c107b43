"""Links: only faces build URLs. Rules name what a link points at (a target such as
"entry:12#c5", "user:alice", "round:may-2026", "results:may-2026"); pages, the API, live
updates and mail turn it into a URL here. Works in a request, in a job and in a CLI command.
"""

import json
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Response, current_app, has_request_context, request, url_for
from flask_babel import gettext
from markupsafe import Markup, escape

from contest.accounts.users import verification_token
from contest.community.comments import MENTION_RE
from contest.entries.storage import get_storage
from contest.extensions import db
from contest.models import User

TARGETS = {
    "entry": ("entries.entry_page", "entry_id", int),
    "user": ("community.profile", "username", str),
    "round": ("main.round_page", "slug", str),
    "results": ("main.results_page", "slug", str),
    "crew": ("community.crew_page", "slug", str),
}


def target(kind, key, anchor=""):
    """The target a rule stores: what a notification points at, not its URL."""
    return f"{kind}:{key}" + (f"#{anchor}" if anchor else "")


def url(endpoint, **values):
    """A path in a request; an absolute link on SITE_URL anywhere else (jobs, CLI, mail)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return site_url(endpoint, **values)


def site_url(endpoint, **values):
    """An absolute link on SITE_URL: the only way Ginga builds one, in a request or not.

    Never from the request's Host or X-Forwarded-* headers: a mailed reset link built from
    them would carry its token to whatever host the sender named."""
    site = urlsplit(current_app.config.get("SITE_URL", "http://127.0.0.1:5000").split(",")[0])
    adapter = current_app.url_map.bind(
        site.netloc, script_name=site.path or "/", url_scheme=site.scheme or "http"
    )
    anchor = values.pop("_anchor", None)
    link = adapter.build(endpoint, values, force_external=True)
    return f"{link}#{anchor}" if anchor else link


def is_local(target):
    """Whether a redirect target from a form or query is a path on this site.

    Other hosts ("//evil", "\\evil", "https://..."), and control characters (CR/LF would
    split the Location header) are not.
    """
    return (
        isinstance(target, str)
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
        and not urlsplit(target).netloc
    )


def local_path(target, default="main.home"):
    """A redirect target from a form or query: a path on this site, or the default page."""
    return target if is_local(target) else url_for(default)


def reset_link(token):
    """The link in the mail that sets a new password."""
    return site_url("auth.reset_password", token=token)


def verification_link(user, next_path=None):
    """The link in the mail that confirms a fan's email address; next_path (a path on this
    site, such as the clip they were judging) is where it carries them."""
    if is_local(next_path) and next_path != "/":
        return site_url("auth.verify_email", token=verification_token(user), next=next_path)
    return site_url("auth.verify_email", token=verification_token(user))


def target_url(value):
    """The URL of a stored target; "" when it names nothing this site knows."""
    kind, _, rest = (value or "").partition(":")
    key, _, anchor = rest.partition("#")
    if kind not in TARGETS or not key:
        return ""
    endpoint, name, kind_of = TARGETS[kind]
    if kind_of is int and not key.isdigit():
        return ""
    return url(endpoint, **{name: kind_of(key)}) + (f"#{anchor}" if anchor else "")


def notification_url(note):
    """Where a notification leads (older rows stored their URL itself)."""
    return note.url or target_url(note.target)


def avatar_url(user):
    """A fan's avatar: a signed bucket URL with S3, the app's own route on local disk."""
    if not user.avatar_key:
        return None
    return get_storage().media_url(user.avatar_key, "image/jpeg") or url(
        "community.avatar", username=user.username
    )


def render_comment(body):
    """A comment as HTML: everything escaped, @mentions of real fans linked to their profile."""
    names = {m.group(1).lower() for m in MENTION_RE.finditer(body)}
    known = (
        set(db.session.scalars(sa.select(User.username).where(User.username.in_(names))))
        if names
        else set()
    )
    out, last = [], 0
    for match in MENTION_RE.finditer(body):
        name = match.group(1).lower()
        if name not in known:
            continue
        out.append(escape(body[last : match.start()]))
        out.append(
            Markup('<a href="{}">@{}</a>').format(url("community.profile", username=name), name)
        )
        last = match.end()
    out.append(escape(body[last:]))
    return Markup("").join(out)


def export_with_links(data):
    """A fan's export (accounts.data.export_data) with the links of their entries (in a
    request: the export is always asked for by the fan)."""
    for entry in data["entries"]:
        entry["url"] = site_url("entries.entry_page", entry_id=entry["id"])
    for comment in data["comments"]:
        comment["url"] = site_url(
            "entries.entry_page", entry_id=comment["entry_id"], _anchor=f"c{comment['id']}"
        )
    return data


def export_file(user, data):
    """A fan's export as a JSON attachment, links filled in (the API and the settings page)."""
    body = json.dumps(export_with_links(data), ensure_ascii=False, indent=1)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="ginga-{user.username}.json"',
            "Cache-Control": "private, no-store",
        },
    )


def fan_name(user):
    """The name shown for a fan: "deleted fan" once the account is closed."""
    return gettext("deleted fan") if user.deleted_at is not None else user.username


class PageUrls:
    """`url_for` for templates, remembered: a round page builds ~150 links (each clip's page,
    poster and author), and werkzeug's builder costs ~25 µs a link.

    A link is a pure function of the endpoint, its values and where the site is mounted: the
    app has no URL defaults or preprocessors. Absolute links (`_external=True`: share buttons,
    og: tags) are built on SITE_URL, never on the request's host. At most `size` links are
    kept; then the memory starts over.
    """

    def __init__(self, size=50_000):
        self.size = size
        self.links = {}

    def __call__(self, endpoint, **values):
        build = site_url if values.pop("_external", False) else url_for
        try:
            key = (endpoint, build is site_url or request.script_root, *sorted(values.items()))
            link = self.links.get(key)
        except TypeError:  # a value that cannot be a key (a list of query values)
            return build(endpoint, **values)
        if link is None:
            link = build(endpoint, **values)
            if len(self.links) >= self.size:
                self.links.clear()
            self.links[key] = link
        return link


def init_app(app):
    """Templates build links with the same helpers."""
    app.jinja_env.globals.update(
        notification_url=notification_url, avatar_url=avatar_url, url_for=PageUrls()
    )
    app.jinja_env.filters["fan_name"] = fan_name


def signin_link(token):
    """The link in the mail that signs the owner of an account under attack in, once."""
    return site_url("auth.signin_link", token=token)


def unsubscribe_link(token):
    """The one-click link that stops a fan's email digests (List-Unsubscribe, RFC 8058)."""
    return site_url("main.unsubscribe", token=token)
