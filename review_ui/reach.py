"""Pages of reaching participants that need no login: the unsubscribe link of a campaign e-mail (GET asks to
confirm, POST withdraws the marketing consent) and the open-tracking image; and the participant's news page.

CSRF on the unsubscribe POST: the page's form carries the session's CSRF token and is checked like every form
(the password reset form's way); a mail client's RFC 8058 one-click POST (`List-Unsubscribe=One-Click`) comes
without cookies or a session, so there the signed, per-delivery token in the address is the proof. Either way
nothing happens without a valid token, and a withdrawal is all it can do.
"""

from __future__ import annotations

from base64 import b64decode

from flask import Blueprint, Response, current_app, flash, render_template, request, url_for
from flask_wtf.csrf import CSRFError, validate_csrf
from markupsafe import Markup
from wtforms.validators import ValidationError

from claims.errors import InvalidInputError
from claims.roles import Role
from claims.services.accounts import participant_of
from claims.services.mail_delivery import record_open, unsubscribe, unsubscribe_target
from claims.services.mail_tokens import delivery_for_open, delivery_for_unsubscribe
from claims.services.markdown_text import render_markdown
from claims.services.news import news_for
from review_ui.access import acting_user, role_required
from review_ui.admin_base import page_arg
from review_ui.db import db, runtime, write
from review_ui.errors import claims_error_message
from review_ui.i18n import t

bp = Blueprint("reach", __name__)
GIF = b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NEWS_PAGE = 10
ONE_CLICK = "One-Click"


def _delivery(token: str) -> int:
    return delivery_for_unsubscribe(runtime().settings.secret_key, token)


def _bad_link(error: InvalidInputError):
    status = 410 if error.code == "unsubscribe_link_expired" else 400
    return render_template("reach/unsubscribe.html", problem=claims_error_message(error), token=None), status


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    try:
        found = unsubscribe_target(db(), _delivery(token))
    except InvalidInputError as error:
        return _bad_link(error)
    if found is None:
        return _bad_link(InvalidInputError("gone", code="unsubscribe_link_invalid"))
    return render_template("reach/unsubscribe.html", token=token, problem=None)


@bp.post("/unsubscribe/<token>")
def unsubscribe_confirmed(token: str):
    one_click = request.form.get("List-Unsubscribe") == ONE_CLICK
    if not one_click and current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as exc:
            raise CSRFError(str(exc)) from exc
    try:
        delivery_id = _delivery(token)
    except InvalidInputError as error:
        return _bad_link(error)
    if unsubscribe_target(db(), delivery_id) is None:
        return _bad_link(InvalidInputError("gone", code="unsubscribe_link_invalid"))
    write(lambda s: unsubscribe(s, delivery_id, "one_click" if one_click else "page"))
    if one_click:
        return Response(status=204)
    flash(t("unsubscribe.done"), "success")
    return render_template("reach/unsubscribe.html", token=None, problem=None, done=True)


@bp.get("/mail/open/<token>.gif")
def open_pixel(token: str):
    """A 1x1 GIF whatever the token; a valid one records its delivery's first open."""
    delivery_id = delivery_for_open(runtime().settings.secret_key, token)
    if delivery_id is not None:
        write(lambda s: record_open(s, delivery_id))
    return Response(GIF, mimetype="image/gif", headers={"Cache-Control": "no-store, private",
                                                        "Referrer-Policy": "no-referrer"})


@bp.get("/me/news")
@role_required(Role.PARTICIPANT)
def news():
    page = page_arg()
    profile = participant_of(db(), acting_user())
    posts, more = news_for(db(), profile.id, NEWS_PAGE, (page - 1) * NEWS_PAGE)
    return render_template("reach/news.html", posts=posts, page=page, more=more,
                           next_url=url_for("reach.news", page=page + 1) if more else None,
                           prev_url=url_for("reach.news", page=page - 1) if page > 1 else None)


@bp.app_template_filter("markdown")
def markdown_filter(text: str) -> Markup:
    """The safe Markdown subset as HTML (`claims.services.markdown_text`: every tag in the text escaped)."""
    return Markup(render_markdown(text))
