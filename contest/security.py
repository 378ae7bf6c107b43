"""Security headers on every answer: CSP without inline scripts, no sniffing, no framing;
signed-in API answers are never stored by a cache; Socket.IO's own answers get them too."""

import hmac
from urllib.parse import urlsplit

from flask import g, request, session
from flask_wtf.csrf import same_origin

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
SOCKET_HEADERS = [
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cache-Control", "no-store"),
]


class SecurityHeaders:
    """WSGI middleware adding the security headers to every answer, unless it set its own.

    Pages and the API get the site's CSP and friends, and `Vary: Accept-Language, Cookie`
    (merged into a Vary the answer set; static files vary on neither); Socket.IO answers
    (polling, the handshake) never reach Flask's after_request and get SOCKET_HEADERS. Added
    here to the WSGI header list (plain tuples) instead of through werkzeug's Headers in
    after_request, which validated each value and searched the headers on every request (~8%
    of a signed-in GET's CPU under load).

    It also declines WebSocket compression: simple-websocket accepts permessage-deflate
    whenever a browser offers it (they all do), and then every live event is deflated once per
    viewer, with a zlib state (~90 KB resident) kept per open socket. Our events are a few hundred
    bytes; Node's socket.io leaves compression off by default for the same reason.
    """

    def __init__(self, wsgi_app, page_headers=(), path="/socket.io/", vary="", static="/static/"):
        self.wsgi_app, self.path, self.static = wsgi_app, path, static
        # Every other path goes straight to Flask: Socket.IO's middleware copies the environ
        # and defines a class on each request under gunicorn (~5% of a signed-in GET's CPU).
        self.pages = getattr(wsgi_app, "wsgi_app", wsgi_app)
        self.page_headers = list(page_headers)
        self.vary = vary

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(self.path):
            vary = "" if path.startswith(self.static) else self.vary
            return self.pages(environ, _adding(self.page_headers, start_response, vary))
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)  # no permessage-deflate (above)
        return self.wsgi_app(environ, _adding(SOCKET_HEADERS, start_response))


def _adding(extra, start_response, vary=""):
    """start_response, with the `extra` headers whose names the answer did not set, and the
    `vary` names (comma-separated) added to its Vary header."""

    def start(status, headers, exc_info=None):
        present = {name.lower() for name, _ in headers}
        headers = list(headers)
        if vary:
            if "vary" in present:
                _merge_vary(headers, vary)
            else:  # the usual case: nothing to parse
                headers.append(("Vary", vary))
        headers.extend(h for h in extra if h[0].lower() not in present)
        return start_response(status, headers, exc_info)

    return start


def _merge_vary(headers, vary):
    """Add the names in `vary` missing from the answer's Vary header(s), in its first one."""
    at = [i for i, (name, _) in enumerate(headers) if name.lower() == "vary"]
    have = {v.strip().lower() for i in at for v in headers[i][1].split(",")}
    if "*" in have:
        return
    missing = [v.strip() for v in vary.split(",") if v.strip().lower() not in have]
    if missing:
        name, value = headers[at[0]]
        headers[at[0]] = (name, ", ".join(filter(None, [value.strip(), *missing])))


def _origin(url):
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def content_security_policy(config):
    """The CSP: our own scripts only; media, images and uploads may also use the bucket or CDN."""
    storage = [
        o
        for o in (_origin(config.get("S3_ENDPOINT_URL")), _origin(config.get("MEDIA_BASE_URL")))
        if o
    ]
    if config.get("STORAGE") == "s3" and not config.get("S3_ENDPOINT_URL"):
        storage.append("https://*.amazonaws.com")
    extra = " ".join(storage)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: {extra}".strip(),
            f"media-src 'self' blob: {extra}".strip(),  # blob: the upload page's preview
            f"connect-src 'self' ws: wss: {extra}".strip(),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _signed_in():
    """The request carries a session (without loading the user just to know)."""
    user = g.get("_login_user")
    if user is not None:
        return user.is_authenticated
    return "_user_id" in session or "remember_token" in request.cookies


def check_csrf(app, csrf):
    """Flask-WTF's CSRF check on every state change, asked only for the methods it covers.

    Its own hook looked up the view's exemptions on every request, reads too (~3% of a
    signed-in GET's CPU); this one asks the method first and then runs the same check.

    A token whose signature Flask-WTF has verified is remembered with the value it carries:
    with no time limit (WTF_CSRF_TIME_LIMIT = None, ours) that verdict never changes, so the
    same token again is only compared with the session's value (and, over HTTPS, the referrer
    checked as Flask-WTF does). Anything else, and every failure, goes through Flask-WTF
    (`csrf.protect`: ~40 us a request, ~3% of a rating's CPU).
    """
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    methods = frozenset(app.config["WTF_CSRF_METHODS"])
    headers = list(app.config["WTF_CSRF_HEADERS"])
    field = app.config["WTF_CSRF_FIELD_NAME"]
    verified = {}  # token text -> the value its signature carries

    def header_token():
        return next((t for t in map(request.headers.get, headers) if t), None)

    def known(config):
        """The request's token was verified before and matches this session's: True."""
        if config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None:
            return False
        token = header_token()
        value = verified.get(token) if token else None
        carried = session.get(field)
        if value is None or not isinstance(carried, str):
            return False
        if not hmac.compare_digest(carried, value):
            return False
        if request.is_secure and config["WTF_CSRF_SSL_STRICT"]:
            referrer = request.referrer
            return bool(referrer) and same_origin(referrer, f"https://{request.host}/")
        return True

    @app.before_request
    def csrf_protect():
        config = app.config
        if request.method not in methods or not config["WTF_CSRF_ENABLED"]:
            return
        if known(config):
            g.csrf_valid = True
            return
        csrf.protect(apply_exemptions=True)
        if request.mimetype in FORM_TYPES:
            return  # Flask-WTF may have checked a form field, not the header: learn nothing
        token = header_token()
        if token and g.get("csrf_valid") and isinstance(session.get(field), str):
            if len(verified) >= 20_000:
                verified.clear()  # rare: a cold start is cheaper than an LRU per request
            verified[token] = session[field]


def init_app(app):
    policy = content_security_policy(app.config)

    defaults = [
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
    ]

    @app.after_request
    def no_store(response):
        if request.path.startswith("/api/") and _signed_in():
            response.headers["Cache-Control"] = "private, no-store"
        return response

    # Answers depend on the reader's language and cookies: a cache must keep one per each.
    app.wsgi_app = SecurityHeaders(
        app.wsgi_app,
        defaults,
        vary="Accept-Language, Cookie",
        static=f"{app.static_url_path}/",
    )
