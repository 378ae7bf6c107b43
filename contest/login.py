"""Flask-Login's wiring for every face: signing in and out through server-known sessions, how
a request's user is loaded, and what a visitor who must sign in gets (a JSON 401 from the API,
the sign-in page otherwise)."""

from flask import after_this_request, current_app, g, redirect, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from limits import parse as parse_limit

from contest import links
from contest.accounts import sessions, signin_links
from contest.accounts.users import find_login
from contest.errors import NotSignedIn, wants_json
from contest.extensions import limiter
from contest.safe_input import storable

# Sized for shared addresses (a stadium's Wi-Fi, a mobile carrier's NAT): only failed sign-ins
# count, never successes. One account from one address: 10 failures per 15 minutes, then the
# wait grows (20 an hour, 50 a day). One account from every browser it was never signed in on:
# 30 per 15 minutes (an attack from many addresses). A browser that signed in to the account
# before (its device cookie, accounts/signin_links.py) skips both and has its own 10 per 15
# minutes, so the owner gets in while the account is under attack. One address: 300 failures
# per 15 minutes over all its accounts. Sign-up: 50 accounts an hour per address, so a club
# or an academy can join together.
ACCOUNT_FAILURES = "10 per 15 minutes; 20 per hour; 50 per day"
UNTRUSTED_FAILURES = "30 per 15 minutes; 100 per day"
DEVICE_FAILURES = "10 per 15 minutes; 50 per day"
ADDRESS_FAILURES = "300 per 15 minutes"
SIGNUPS_PER_ADDRESS = "50 per hour; 200 per day"
RECOVERY_PER_ADDRESS = "20 per hour"
DEVICE_COOKIE = "ginga_device"
ATTACK_MAIL = parse_limit("1 per hour")  # sign-in links mailed to an account under attack


def _failed(response):
    return response.status_code == 401


def _sign_in_target():
    """(the account a sign-in names, or None; the key its counts go under), once a request.
    Username and email share one count; an unknown name counts under the name."""
    if "sign_in_target" in g:
        return g.sign_in_target
    if request.mimetype == "application/json":
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            body = None
        login = body.get("login") if isinstance(body, dict) else None
    else:
        login = request.form.get("login")
    if not storable(login):  # the view answers 422; the limit check runs first and must not ask
        g.sign_in_target = (None, "-")
    else:
        user = find_login(login)
        g.sign_in_target = (
            (user, str(user.id)) if user is not None else (None, login.strip().lower()[:254])
        )
    return g.sign_in_target


def _device():
    """This browser's device id for the account being signed in to, or None."""
    if "sign_in_device" not in g:
        user, _key = _sign_in_target()
        value = request.cookies.get(DEVICE_COOKIE)
        g.sign_in_device = signin_links.device_of(value, user.id if user else None)
    return g.sign_in_device


def _account_and_address():
    return f"signin:{_sign_in_target()[1]}:{get_remote_address()}"


def _account():
    return f"signin:{_sign_in_target()[1]}"


def _device_key():
    return f"signin-device:{_device()}"


def _under_attack(limit):
    """A lock on the account tripped: mail its owner a one-time sign-in link (once an hour)."""
    user, key = _sign_in_target()
    if user is None or not user.is_active:
        return None
    if limiter.limiter.hit(ATTACK_MAIL, "signin-mail", key):
        signin_links.send_link(user, links.signin_link)
    return None


def signin_limits(view):
    """The sign-in limits above, shared by the sign-in page and the API."""
    trusted = lambda: _device() is not None  # noqa: E731
    untrusted = lambda: _device() is None  # noqa: E731
    for limit, scope, key, exempt in (
        (ACCOUNT_FAILURES, "signin-account", _account_and_address, trusted),
        (UNTRUSTED_FAILURES, "signin-untrusted", _account, trusted),
        (DEVICE_FAILURES, "signin-device", _device_key, untrusted),
    ):
        view = limiter.shared_limit(
            limit,
            scope=scope,
            key_func=key,
            deduct_when=_failed,
            exempt_when=exempt,
            on_breach=_under_attack,
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
    """Open a server session for a user who proved who they are, and set the cookies (with
    the device cookie that lets this browser past the account's lock next time)."""
    sessions.open_session(user, request.user_agent.string)
    login_user(user, remember=remember)
    value = signin_links.device_cookie(user)

    @after_this_request
    def remember_device(response):
        response.set_cookie(
            DEVICE_COOKIE,
            value,
            max_age=signin_links.DEVICE_MAX_AGE,
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            httponly=True,
            samesite="Lax",
        )
        return response


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
