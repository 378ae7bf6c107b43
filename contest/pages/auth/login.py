"""Flask-Login's wiring: how a session's user is loaded, and what a visitor who must sign in
gets (a JSON 401 from the API, the sign-in page otherwise)."""

from flask import redirect, request, url_for

from contest.errors import NotSignedIn, wants_json
from contest.extensions import db
from contest.models import User


def init_login(login_manager):
    """Wire Flask-Login: how to load a user, and what an anonymous request gets."""

    @login_manager.user_loader
    def load_user(user_id):
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and not user.is_banned else None

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            raise NotSignedIn()
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
