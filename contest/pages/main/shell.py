"""The app shell around the pages: home-screen manifest, service worker, offline page and
the language picker."""

import json
from contextlib import nullcontext

from flask import current_app, redirect, render_template, request, send_from_directory, url_for
from flask_babel import force_locale, gettext
from flask_login import current_user

from contest import i18n, links
from contest.community import profiles
from contest.i18n import LANGUAGES, html_lang
from contest.pages.main.blueprint import bp


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: fans add Ginga to their home screen like an app (in their language)."""
    icon = lambda name, size, purpose="any": {  # noqa: E731
        "src": url_for("static", filename=f"icons/{name}"),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }
    body = {
        "name": gettext("Ginga: football skills contest"),
        "short_name": "Ginga",
        "description": gettext(
            "Film your football skills, upload them, and let the community rate them. "
            "A new round every month."
        ),
        "lang": html_lang(),
        "start_url": url_for("main.home") + "?source=home-screen",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f4f6f3",
        "theme_color": "#0b6e2e",
        "icons": [
            icon("icon-192.png", 192),
            icon("icon-512.png", 512),
            icon("maskable-512.png", 512, "maskable"),
        ],
    }
    response = current_app.response_class(json.dumps(body), mimetype="application/manifest+json")
    response.cache_control.max_age = 86400
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, served from the root so its scope is the whole site."""
    response = send_from_directory(current_app.static_folder, "js/sw.js", max_age=0)
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.cache_control.no_cache = True
    return response


@bp.get("/offline")
def offline():
    """What the service worker shows when a page cannot load: nothing personal in it.

    The worker keeps one copy per language (?lang=) and shows the one of the last page read.
    """
    lang = request.args.get("lang")
    with force_locale(lang) if lang in LANGUAGES else nullcontext():
        return render_template("main/offline.html")


@bp.post("/language")
def choose_language():
    """The language picker (CSRF-checked like every form): a cookie, and the account's choice."""
    code = i18n.check_language(request.form.get("lang", ""))
    if current_user.is_authenticated:
        profiles.remember_language(current_user, code)
    response = redirect(links.local_path(request.form.get("next")))
    response.set_cookie(
        i18n.COOKIE,
        code,
        max_age=365 * 86400,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
