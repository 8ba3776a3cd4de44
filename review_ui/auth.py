"""Logging in with e-mail and password, and out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from claims.errors import AuthenticationError
from claims.services.accounts import authenticate
from review_ui.access import LoginUser, home_url, is_safe_next
from review_ui.db import db
from review_ui.i18n import t

bp = Blueprint("auth", __name__)


@bp.get("/login")
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user.role))
    return render_template("login.html", next=_next_target(), email="")


@bp.post("/login")
def login_submit():
    email = request.form.get("email", "").strip()[:254]
    password = request.form.get("password", "")[:1000]
    try:
        user = authenticate(db(), email, password)
    except AuthenticationError:
        flash(t("login.failed"), "error")
        return render_template("login.html", next=_next_target(), email=email), 401
    _start_fresh_session()
    login_user(LoginUser(user))
    target = _next_target()
    return redirect(target or home_url(user.role), code=303)


@bp.post("/logout")
def logout():
    logout_user()
    _start_fresh_session()
    flash(t("logout.done"), "info")
    return redirect(url_for("auth.login"), code=303)


def _next_target() -> str | None:
    target = request.values.get("next")
    return target if is_safe_next(target) else None


def _start_fresh_session() -> None:
    """Drop everything from the old session (no fixation) but keep the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
