"""Flask-Login's wiring for every face: signing in and out through server-known sessions, how
a request's user is loaded, and what a visitor who must sign in gets (a JSON 401 from the API,
the sign-in page otherwise)."""

from flask import redirect, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from contest.accounts import sessions
from contest.accounts.users import find_login
from contest.errors import NotSignedIn, wants_json
from contest.extensions import limiter
from contest.safe_input import storable

# Sized for shared addresses (a stadium's Wi-Fi, a mobile carrier's NAT): only failed sign-ins
# count, never successes. One account: 10 failures per 15 minutes, then the wait grows (20 an
# hour, 50 a day). One address: 300 failures per 15 minutes over all its accounts. Sign-up:
# 50 accounts an hour per address, so a club or an academy can join together.
ACCOUNT_FAILURES = "10 per 15 minutes; 20 per hour; 50 per day"
ADDRESS_FAILURES = "300 per 15 minutes"
SIGNUPS_PER_ADDRESS = "50 per hour; 200 per day"
RECOVERY_PER_ADDRESS = "20 per hour"


def _failed(response):
    return response.status_code == 401


def _account_key():
    """The account a sign-in names (username and email share one count)."""
    if request.mimetype == "application/json":
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            body = None
        login = body.get("login") if isinstance(body, dict) else None
    else:
        login = request.form.get("login")
    if not storable(login):  # the view answers 422; the limit check runs first and must not ask
        return "signin:-"
    user = find_login(login)
    return f"signin:{user.id}" if user is not None else f"signin:{login.strip().lower()[:254]}"


def signin_limits(view):
    """The sign-in limits above, shared by the sign-in page and the API."""
    view = limiter.shared_limit(
        ACCOUNT_FAILURES,
        scope="signin-account",
        key_func=_account_key,
        deduct_when=_failed,
        methods=["POST"],
    )(view)
    return limiter.shared_limit(
        ADDRESS_FAILURES,
        scope="signin-address",
        key_func=get_remote_address,
        deduct_when=_failed,
        methods=["POST"],
    )(view)


def signup_limits(view):
    return limiter.shared_limit(
        SIGNUPS_PER_ADDRESS, scope="signup", key_func=get_remote_address, methods=["POST"]
    )(view)


def recovery_limits(view):
    """Mails asked for by anyone: a few an hour per address."""
    return limiter.shared_limit(
        RECOVERY_PER_ADDRESS, scope="recovery", key_func=get_remote_address, methods=["POST"]
    )(view)


def sign_in(user, remember=False):
    """Open a server session for a user who proved who they are, and set the cookies."""
    sessions.open_session(user, request.user_agent.string)
    login_user(user, remember=remember)


def sign_out():
    """End this browser's session on the server, then clear its cookies."""
    if current_user.is_authenticated:
        sessions.end_session(current_user.session_id, current_user.id)
    logout_user()


def remembered_identifiers(generate, max_entries=20_000):
    """Flask-Login's browser identifier (a SHA-512 of the address and the User-Agent, asked on
    every signed-in request to protect the session), worked out once per distinct pair."""
    known = {}

    def identifier():
        headers = request.headers
        key = (headers.get("X-Forwarded-For"), request.remote_addr, headers.get("User-Agent"))
        value = known.get(key)
        if value is None:
            if len(known) >= max_entries:
                known.clear()  # rare: a cold start is cheaper than an LRU per request
            value = known[key] = generate()
        return value

    identifier.remembered = True
    return identifier


def init_login(login_manager):
    """Wire Flask-Login: how to load a user, and what an anonymous request gets."""
    login_manager.user_loader(sessions.session_user)
    generate = login_manager._session_identifier_generator
    if not getattr(generate, "remembered", False):  # (the manager outlives test apps)
        login_manager._session_identifier_generator = remembered_identifiers(generate)

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            raise NotSignedIn()
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
