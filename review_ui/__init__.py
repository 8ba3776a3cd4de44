"""The server-rendered review app: partner queue, claim pages, participant portal, document previews.

The lead's composition root calls `create_app(runtime, claim_queue)`; a JSON API blueprint can be added
afterwards and exempted from CSRF with `app.extensions["csrf"].exempt(blueprint)`.
"""

from __future__ import annotations

from io import BytesIO
from typing import IO, Any

from flask import Flask, Request, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from claims.db.after_commit import install_handler
from claims.runtime import Runtime
from claims.services.intake import CLAIM_RECEIVED
from review_ui import access, db, errors, formatting, i18n, input_guard
from review_ui.previews import PageCountCache, PreviewCache

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "style-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


#: A request body up to this size keeps its uploaded files in memory (see `UploadRequest`).
IN_MEMORY_BODY = 8 * 1024 * 1024


class UploadRequest(Request):
    """Werkzeug spools every uploaded file past 500 kB to a temporary file on disk, which the view then reads
    back whole (the quality gate and the blob store need the bytes): a phone photo was written to disk and read
    again on every upload. A body up to IN_MEMORY_BODY stays in memory; a larger one is still spooled."""

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> IO[bytes]:
        if total_content_length is not None and total_content_length <= IN_MEMORY_BODY:
            return BytesIO()
        return super()._get_file_stream(total_content_length, content_type, filename, content_length)


def create_app(runtime: Runtime, claim_queue: Any = None, *, testing: bool = False) -> Flask:
    """The Flask app over `runtime`; `claim_queue.enqueue_processing(claim_id)` is called once an upload commits.

    Args:
        runtime: the claims runtime (settings, engine, sessions, blobs); the app never builds its own.
        claim_queue: anything with `enqueue_processing(claim_id)`, or None to leave received claims to
            the sweeper.
        testing: Flask testing mode, with CSRF checks off (tests that check CSRF pass False).

    Returns:
        The configured app; `app.extensions["csrf"]` is its CSRFProtect instance.
    """
    app = Flask(__name__)
    app.request_class = UploadRequest
    settings = runtime.settings
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.session_cookie_secure,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes * 10,
        WTF_CSRF_TIME_LIMIT=8 * 3600,  # a reviewer's working day on one open page
        TESTING=testing,
        WTF_CSRF_ENABLED=not testing,
    )
    app.extensions["paragon"] = runtime
    if claim_queue is not None:  # every claim taken in is queued once its transaction commits
        install_handler(runtime.sessions, CLAIM_RECEIVED, claim_queue.enqueue_processing)
    app.extensions["paragon.previews"] = PreviewCache()
    app.extensions["paragon.page_counts"] = PageCountCache()
    CSRFProtect(app)  # registers itself as app.extensions["csrf"]
    db.init_app(app)
    access.init_app(app)
    i18n.init_app(app)
    formatting.init_app(app)
    errors.register_error_handlers(app)
    input_guard.init_app(app)  # before any route is added: the URL converter is bound when it is
    app.after_request(_security_headers)
    _register_blueprints(app)
    # the unsubscribe POST checks the form's CSRF token itself, except for a mail client's RFC 8058 one-click
    app.extensions["csrf"].exempt("review_ui.reach.unsubscribe_confirmed")
    app.add_url_rule("/", "index", _index)
    return app


def _register_blueprints(app: Flask) -> None:
    import review_ui.admin_activities  # noqa: F401 — adds the activities' pages to the admin blueprint
    import review_ui.admin_displays  # noqa: F401 — adds the display activities' pages to the admin blueprint
    import review_ui.compare  # noqa: F401 — adds the side-by-side page to the review blueprint
    import review_ui.participant_upload  # noqa: F401 — adds the upload routes to the participant blueprint
    import review_ui.review_lines  # noqa: F401 — adds the line table's routes to the review blueprint
    import review_ui.sales  # noqa: F401 — adds the partner's sales records page to the review blueprint
    from review_ui.account import bp as account_bp
    from review_ui.activities import bp as activities_bp
    from review_ui.admin import bp as admin_bp
    from review_ui.audit import bp as audit_bp
    from review_ui.auth import bp as auth_bp
    from review_ui.documents import bp as documents_bp
    from review_ui.participant import bp as participant_bp
    from review_ui.password_reset import bp as password_bp
    from review_ui.pwa import bp as pwa_bp
    from review_ui.reach import bp as reach_bp
    from review_ui.reports import bp as reports_bp
    from review_ui.review import bp as review_bp
    from review_ui.rewards_staff import bp as rewards_staff_bp
    from review_ui.scorecards import bp as scorecards_bp
    from review_ui.shop import bp as shop_bp

    for blueprint in (auth_bp, password_bp, review_bp, participant_bp, account_bp, documents_bp, audit_bp,
                      reports_bp, admin_bp, pwa_bp, shop_bp, rewards_staff_bp, activities_bp, reach_bp,
                      scorecards_bp):
        app.register_blueprint(blueprint)


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html" or request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")  # pages and API answers carry personal data
    return response


def _index():
    if current_user.is_authenticated:
        return redirect(access.home_url(current_user.role))
    return redirect(url_for("auth.login"))
