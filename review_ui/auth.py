"""Logging in with e-mail and password, and out; participants signing up; the programme rules.

Failed logins are throttled per e-mail and address pair with growing delays, and per address
(claims.services.lockout, in Redis through the app's rate limiter; none in tests with a fake queue).
Sessions end on the server's word: a session remembers a keyed fingerprint of the password hash and the user's
session version it was opened with, checked on every request. Logging out, "log out everywhere"
(`claims.services.accounts.end_other_sessions`) and a password change raise the version, so every copy of an
older session cookie, stolen or left in another browser, stops working at its next request.
"""

from __future__ import annotations

import hashlib
import hmac
import math

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from claims.errors import AuthenticationError, InvalidInputError
from claims.ratelimit import RateLimiter, TooManyAttemptsError
from claims.security import hash_password, verify_password
from claims.services.accounts import authenticate, end_other_sessions
from claims.services.lockout import (
    LoginLockedError,
    check_login_allowed,
    count_registration,
    record_login_failure,
    record_login_success,
)
from claims.services.registration import (
    CONSENT_KINDS,
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
_TIMING_HASH = hash_password("paragon-registration-timing")

FINGERPRINT_KEY = "pw"


def limiter() -> RateLimiter | None:
    return current_app.extensions.get("paragon.ratelimiter")


def password_fingerprint(user) -> str:
    """A keyed digest of the stored hash and the session version: it changes with the password and with
    `end_other_sessions`, and tells the cookie's reader nothing."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    state = f"{user.password_hash}:{user.session_version or 0}"
    return hmac.new(key, state.encode(), hashlib.sha256).hexdigest()[:32]


@bp.before_app_request
def end_stale_session() -> None:
    """Log out a session opened before the user's password changed or their other sessions were ended."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    current = password_fingerprint(current_user.model)
    if not hmac.compare_digest(str(session.get(FINGERPRINT_KEY, "")), current):
        logout_user()
        start_fresh_session()


def renew_fingerprint(user) -> None:
    """Keep this session valid after the logged-in user's own password changed (other sessions still end)."""
    session[FINGERPRINT_KEY] = password_fingerprint(user)


def _log_in(user) -> None:
    start_fresh_session()
    login_user(LoginUser(user))
    renew_fingerprint(user)


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
        check_login_allowed(limiter(), email, request.remote_addr)
        user = _authenticate(email, password)
    except LoginLockedError as error:
        return _locked(error, email)
    except AuthenticationError:
        flash(t("login.failed"), "error")
        return render_template("login.html", next=_next_target(), email=email), 401
    record_login_success(limiter(), email, request.remote_addr)
    _log_in(user)
    target = _next_target()
    return redirect(target or home_url(user.role), code=303)


def _authenticate(email: str, password: str):
    """The user, or AuthenticationError after counting the failure (LoginLockedError when it locks)."""
    try:
        return authenticate(db(), email, password)
    except AuthenticationError:
        record_login_failure(limiter(), email, request.remote_addr)
        raise


def _locked(error: LoginLockedError, email: str):
    minutes = max(1, math.ceil(error.retry_after / 60))
    flash(t(f"login.locked_{error.scope}", minutes=minutes), "error")
    page = render_template("login.html", next=_next_target(), email=email)
    return page, 429, {"Retry-After": str(error.retry_after)}


@bp.post("/logout")
def logout():
    """Log out here and everywhere: the user's session version goes up, so this cookie and every copy of it
    (and the user's other sessions) stop working on the server's side, not only in this browser."""
    if current_user.is_authenticated:
        user = current_user.model
        write(lambda s: end_other_sessions(s, s.get(type(user), user.id)))
    logout_user()
    start_fresh_session()
    flash(t("logout.done"), "info")
    return redirect(url_for("auth.login"), code=303)


def _next_target() -> str | None:
    target = request.values.get("next")
    return target if is_safe_next(target) else None


def start_fresh_session() -> None:
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
    form = {"ref": request.args.get("ref", "")[:32]}  # an invitation link's code, kept through the form
    return render_template("register.html", form=form, optional=OPTIONAL_CONSENTS, version=CONSENT_TEXT_VERSION)


@bp.post("/register")
def register_submit():
    if current_user.is_authenticated:
        return redirect(home_url(current_user.role), code=303)
    form: dict = {name: request.form.get(name, "").strip()[:300] for name in REGISTRATION_FIELDS}
    form["ref"] = request.form.get("ref", "").strip()[:32]
    # every field comes back after a refusal, the consent ticks too; only the passwords are typed again
    form["consents"] = tuple(k for k in CONSENT_KINDS if request.form.get(f"consent_{k}") == "yes")
    registration = Registration(
        email=form["email"][:254], password=request.form.get("password", "")[:1000], name=form["name"],
        company_name=form["company_name"], company_nip=form["company_nip"],
        accepts_rules="rules" in form["consents"],
        optional_consents=tuple(k for k in OPTIONAL_CONSENTS if k in form["consents"]),
    )
    try:
        count_registration(limiter(), request.remote_addr)
    except TooManyAttemptsError as error:
        return _registration_failed(form, t("register.too_many"), 429, {"Retry-After": str(error.retry_after)})
    if registration.password != request.form.get("password_again", "")[:1000]:
        return _registration_failed(form, t("error.passwords_differ"))
    try:
        user = write(lambda s: _register(s, registration, form["ref"]))
    except InvalidInputError as error:
        return _registration_failed(form, _registration_message(error, registration.password))
    _log_in(user)
    flash(t("register.done"), "success")
    return redirect(home_url(user.role), code=303)


def _register(session, registration: Registration, ref: str):
    """Register, and remember who invited the new participant (credited only at their first approved claim)."""
    from claims.services.accounts import participant_of
    from claims.services.referrals import record_invitation
    from review_ui.db import runtime

    user = register_participant(session, registration)
    if ref:
        settings = runtime().settings
        record_invitation(session, ref, participant_of(session, user), settings.referral_points,
                          settings.referral_cap)
    return user


def _registration_message(error: InvalidInputError, password: str) -> str:
    """Why sign-up failed, without telling whether an address has an account: a taken address gets a neutral
    message, after the same password hashing a new account costs (so the answer takes as long)."""
    if error.code != "email_taken":
        return claims_error_message(error)
    verify_password(password, _TIMING_HASH)
    return t("register.not_possible")


def _registration_failed(form: dict, message: str, status: int = 422, headers: dict | None = None):
    flash(message, "error")
    page = render_template("register.html", form=form, optional=OPTIONAL_CONSENTS, version=CONSENT_TEXT_VERSION)
    return page, status, headers or {}


@bp.get("/rules")
def rules():
    """The programme rules (regulamin) in the version participants accept."""
    return render_template("rules.html", version=CONSENT_TEXT_VERSION)
