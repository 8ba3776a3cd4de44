"""The participant's account, self-served: profile, password change, their data as a zip, and deleting the
account (RODO), each without the command line."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import logout_user

from claims.errors import AuthenticationError, InvalidInputError
from claims.roles import Role
from claims.services.accounts import participant_of
from claims.services.passwords import change_password
from claims.services.privacy import erase_own_account, export_participant
from claims.services.profile import Profile, profile_of, update_profile
from claims.services.registration import consent_states
from review_ui.access import acting_user, role_required
from review_ui.auth import renew_fingerprint, start_fresh_session
from review_ui.db import db, end_read, runtime, write
from review_ui.errors import claims_error_message
from review_ui.i18n import t
from vocabulary.regions import REGIONS

bp = Blueprint("account", __name__)

PROFILE_FIELDS = ("name", "company_name", "company_nip", "delivery_address", "phone", "region")
MAX_FIELD = 600


@bp.get("/me/account")
@role_required(Role.PARTICIPANT)
def profile():
    session = db()
    user = acting_user()
    return _profile_page(asdict(profile_of(session, user)))


def _profile_page(form: dict, status: int = 200):
    session, user = db(), acting_user()
    states = consent_states(session, participant_of(session, user).id)
    return render_template("participant/account.html", form=form, email=user.email, states=states,
                           regions=REGIONS), status


@bp.post("/me/account")
@role_required(Role.PARTICIPANT)
def save_profile():
    form = {name: request.form.get(name, "")[:MAX_FIELD] for name in PROFILE_FIELDS}
    user = acting_user()
    try:
        write(lambda s: update_profile(s, user, Profile(**form)))
    except InvalidInputError as error:
        flash(claims_error_message(error), "error")
        return _profile_page(form, 422)
    flash(t("account.saved"), "success")
    return redirect(url_for("account.profile"), code=303)


@bp.get("/me/password")
@role_required(Role.PARTICIPANT)
def password():
    return render_template("participant/password.html")


@bp.post("/me/password")
@role_required(Role.PARTICIPANT)
def change():
    current = request.form.get("current", "")[:1000]
    new, again = request.form.get("password", "")[:1000], request.form.get("password_again", "")[:1000]
    if new != again:
        flash(t("error.passwords_differ"), "error")
        return render_template("participant/password.html"), 422
    user = acting_user()
    try:
        write(lambda s: change_password(s, user, current, new))
    except (AuthenticationError, InvalidInputError) as error:
        flash(claims_error_message(error), "error")
        return render_template("participant/password.html"), 422
    renew_fingerprint(user)  # this session stays; every other one ends at its next request
    flash(t("password.changed"), "success")
    return redirect(url_for("account.profile"), code=303)


@bp.get("/me/data.zip")
@role_required(Role.PARTICIPANT)
def my_data():
    """The participant's data and documents as a zip (RODO art. 15 and 20), as the API gives it."""
    archive = export_participant(db(), runtime().blobs, acting_user())
    end_read()
    return Response(archive, mimetype="application/zip", headers={
        "Content-Disposition": 'attachment; filename="paragon-moje-dane.zip"', "Cache-Control": "no-store"})


@bp.get("/me/delete")
@role_required(Role.PARTICIPANT)
def delete():
    return render_template("participant/delete.html")


@bp.post("/me/delete")
@role_required(Role.PARTICIPANT)
def delete_confirmed():
    if request.form.get("understood") != "yes":
        flash(t("delete.tick"), "error")
        return render_template("participant/delete.html"), 422
    user, blobs = acting_user(), runtime().blobs
    try:
        write(lambda s: erase_own_account(s, blobs, user, request.form.get("password", "")[:1000]))
    except AuthenticationError as error:
        flash(claims_error_message(error), "error")
        return render_template("participant/delete.html"), 422
    logout_user()
    start_fresh_session()
    flash(t("delete.done"), "success")
    return redirect(url_for("auth.login"), code=303)
