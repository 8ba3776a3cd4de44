"""Installable on a phone: the web app manifest, the service worker (served from the site's root so it may
look after every page) and the page it shows when there is no network.

The service worker (static/sw.js) keeps only the offline page, the stylesheet, the scripts and the icons; pages
carry personal data and always come from the network.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, url_for

from review_ui.i18n import t

bp = Blueprint("pwa", __name__)

THEME = "#12263f"
BACKGROUND = "#f4f5f7"
ICON_SIZES = (192, 512)


def manifest_document() -> dict:
    """The manifest, in the request's language."""
    icons = [{"src": url_for("static", filename=f"icons/icon-{size}.png"), "sizes": f"{size}x{size}",
              "type": "image/png", "purpose": "any"} for size in ICON_SIZES]
    icons.append({"src": url_for("static", filename="icons/maskable-512.png"), "sizes": "512x512",
                  "type": "image/png", "purpose": "maskable"})
    return {
        "id": "/me",
        "name": t("pwa.name"),
        "short_name": t("app.name"),
        "description": t("pwa.description"),
        "lang": t("pwa.lang"),
        "start_url": url_for("participant.home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": icons,
    }


@bp.get("/manifest.webmanifest")
def manifest():
    response = jsonify(manifest_document())
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker():
    """The worker script from the root, so its scope is the whole site; never cached, so updates arrive."""
    response = current_app.send_static_file("sw.js")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline():
    """What the service worker shows when a page cannot be fetched (no personal data: it is cached)."""
    response = current_app.make_response(render_template("offline.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response
