"""A forgotten password: ask for a link by e-mail, then set a new password through it.

The answer to "send me a link" is the same page and words whether the address has an account or not; the link
(`claims.services.passwords`) works once, for one hour, and setting the password through it ends every session
of the account.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from claims.errors import InvalidInputError
from claims.ratelimit import TooManyAttemptsError
from claims.services.lockout import count_password_reset
from claims.services.passwords import RESET_LINK_SECONDS, request_password_reset, reset_password, user_for_reset_token
from review_ui.auth import limiter
from review_ui.db import db, runtime, write
from review_ui.errors import claims_error_message
from review_ui.i18n import t

bp = Blueprint("password", __name__)
MAX_TOKEN = 200


@bp.get("/password/forgot")
def forgot():
    return render_template("password_forgot.html", email="")


@bp.post("/password/forgot")
def send_link():
    email = request.form.get("email", "").strip()[:254]
    try:
        count_password_reset(limiter(), email, request.remote_addr)
    except TooManyAttemptsError as error:
        flash(t("password.too_many"), "error")
        return render_template("password_forgot.html", email=email), 429, {"Retry-After": str(error.retry_after)}
    if "@" in email:
        write(lambda s: request_password_reset(s, email))
    flash(t("password.link_sent", minutes=RESET_LINK_SECONDS // 60), "info")
    return render_template("password_forgot.html", email=email, sent=True)


def _token(token: str) -> str:
    return token[:MAX_TOKEN]


@bp.get("/password/reset/<token>")
def reset(token: str):
    try:
        user_for_reset_token(db(), runtime().settings.secret_key, _token(token))
    except InvalidInputError as error:
        return _bad_link(error)
    return render_template("password_reset.html", token=token)


@bp.post("/password/reset/<token>")
def set_password(token: str):
    password, again = request.form.get("password", "")[:1000], request.form.get("password_again", "")[:1000]
    if password != again:
        flash(t("error.passwords_differ"), "error")
        return render_template("password_reset.html", token=token), 422
    secret = runtime().settings.secret_key
    try:
        write(lambda s: reset_password(s, secret, _token(token), password))
    except InvalidInputError as error:
        if error.code == "weak_password":
            flash(claims_error_message(error), "error")
            return render_template("password_reset.html", token=token), 422
        return _bad_link(error)
    flash(t("password.reset_done"), "success")
    return redirect(url_for("auth.login"), code=303)  # every session ended with the reset, this one's too


def _bad_link(error: InvalidInputError):
    flash(claims_error_message(error), "error")
    return render_template("password_forgot.html", email=""), 410 if error.code == "reset_link_expired" else 400
