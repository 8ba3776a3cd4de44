"""Logging in with e-mail and password, and out; participants signing up; the programme rules."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from claims.errors import AuthenticationError, InvalidInputError
from claims.services.accounts import authenticate
from claims.services.registration import (
    CONSENT_TEXT_VERSION,
    OPTIONAL_CONSENTS,
    Registration,
    register_participant,
)
from review_ui.access import LoginUser, home_url, is_safe_next
from review_ui.db import db, write
from review_ui.errors import claims_error_message
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


# ---- signing up --------------------------------------------------------------------------------------

REGISTRATION_FIELDS = ("email", "name", "company_name", "company_nip")


@bp.get("/register")
def register():
    if current_user.is_authenticated:
        return redirect(home_url(current_user.role))
    return render_template("register.html", form={}, optional=OPTIONAL_CONSENTS, version=CONSENT_TEXT_VERSION)


@bp.post("/register")
def register_submit():
    if current_user.is_authenticated:
        return redirect(home_url(current_user.role), code=303)
    form = {name: request.form.get(name, "").strip()[:300] for name in REGISTRATION_FIELDS}
    registration = Registration(
        email=form["email"][:254], password=request.form.get("password", "")[:1000], name=form["name"],
        company_name=form["company_name"], company_nip=form["company_nip"],
        accepts_rules=request.form.get("consent_rules") == "yes",
        optional_consents=tuple(k for k in OPTIONAL_CONSENTS if request.form.get(f"consent_{k}") == "yes"),
    )
    if registration.password != request.form.get("password_again", "")[:1000]:
        return _registration_failed(form, t("error.passwords_differ"))
    try:
        user = write(lambda s: register_participant(s, registration))
    except InvalidInputError as error:
        return _registration_failed(form, claims_error_message(error))
    _start_fresh_session()
    login_user(LoginUser(user))
    flash(t("register.done"), "success")
    return redirect(home_url(user.role), code=303)


def _registration_failed(form: dict, message: str):
    flash(message, "error")
    page = render_template("register.html", form=form, optional=OPTIONAL_CONSENTS, version=CONSENT_TEXT_VERSION)
    return page, 422


@bp.get("/rules")
def rules():
    """The programme rules (regulamin) in the version participants accept."""
    return render_template("rules.html", version=CONSENT_TEXT_VERSION)
