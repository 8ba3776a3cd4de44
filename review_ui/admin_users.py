"""Admin pages: accounts and roles — staff accounts, deactivation, password resets, API tokens.

A new password or token is shown once, on the page that answers the POST (never in a flash message: those
travel in the session cookie), and only its hash is kept.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from claims.errors import ClaimsError
from claims.roles import Role
from claims.services.admin_catalogue import list_partners
from claims.services.admin_users import (
    STAFF_ACCOUNT_ROLES,
    NewStaffUser,
    create_staff_user,
    get_user,
    issue_token,
    reset_password,
    revoke_tokens,
    set_user_active,
    tokens_of,
    user_page,
)
from review_ui.access import acting_user, role_required
from review_ui.admin_base import ADMIN, PAGE_SIZE, FormReader, bp, failure_problems, form_failed, page_arg
from review_ui.auth import renew_fingerprint
from review_ui.db import db, write
from review_ui.errors import flash_error
from review_ui.i18n import t, tn

MAX_QUERY = 100


@bp.get("/users")
@role_required(*ADMIN)
def users():
    query, page = request.args.get("q", "").strip()[:MAX_QUERY], page_arg()
    role = request.args.get("role", "")
    role = role if role in set(Role) else ""
    found, total = user_page(db(), query, role, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render_template("admin/users.html", users=found, total=total, query=query, role=role, page=page,
                           has_next=page * PAGE_SIZE < total, roles=list(Role), partners=_partner_names(),
                           args={k: v for k, v in (("q", query), ("role", role)) if v})


def _partner_names() -> dict[int, str]:
    return {p.id: p.name for p in list_partners(db())}


@bp.get("/users/new")
@role_required(*ADMIN)
def user_new():
    return _form_page({"role": Role.PARTNER_REVIEWER}, {})


def _form_page(form, errors):
    return render_template("admin/user_form.html", form=form, errors=errors, roles=STAFF_ACCOUNT_ROLES,
                           partners=list_partners(db()))


@bp.post("/users/new")
@role_required(*ADMIN)
def user_create():
    r, admin = FormReader(request.form), acting_user()
    partner_id = r.whole("partner_id") if r.text("partner_id") else None
    data = NewStaffUser(email=r.text("email", 254), name=r.text("name", 200), role=r.text("role", 32),
                        partner_id=partner_id)
    try:
        user, password = write(lambda s: create_staff_user(s, admin, data))
    except ClaimsError as error:
        return form_failed("admin/user_form.html", {**r.problems, **failure_problems(error)}, form=request.form,
                           roles=STAFF_ACCOUNT_ROLES, partners=list_partners(db()))
    return _secret(user.id, user.email, "password", password)


@bp.get("/users/<int:user_id>")
@role_required(*ADMIN)
def user_detail(user_id: int):
    session = db()
    user = get_user(session, user_id)
    return render_template("admin/user.html", user=user, tokens=tokens_of(session, user_id),
                           partners=_partner_names(), is_self=user.id == acting_user().id)


@bp.post("/users/<int:user_id>/active")
@role_required(*ADMIN)
def user_active(user_id: int):
    admin, active = acting_user(), request.form.get("active") == "1"
    back = url_for("admin.user_detail", user_id=user_id)
    try:
        write(lambda s: set_user_active(s, admin, user_id, active))
    except ClaimsError as error:
        return flash_error(error, back)
    flash(t("admin.user_activated" if active else "admin.user_deactivated"), "success")
    return redirect(back, code=303)


@bp.post("/users/<int:user_id>/password")
@role_required(*ADMIN)
def user_password(user_id: int):
    admin = acting_user()
    user = get_user(db(), user_id)
    email = user.email
    password = write(lambda s: reset_password(s, admin, user_id))
    if user_id == admin.id:
        renew_fingerprint(admin)  # an admin resetting their own password stays logged in here
    return _secret(user_id, email, "password_reset", password)


@bp.post("/users/<int:user_id>/tokens/revoke")
@role_required(*ADMIN)
def user_revoke_tokens(user_id: int):
    admin = acting_user()
    get_user(db(), user_id)
    count = write(lambda s: revoke_tokens(s, admin, user_id))
    flash(tn("admin.tokens_revoked", count), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id), code=303)


@bp.post("/users/<int:user_id>/tokens")
@role_required(*ADMIN)
def user_issue_token(user_id: int):
    admin = acting_user()
    user = get_user(db(), user_id)
    email, label = user.email, request.form.get("label", "").strip()[:100]
    try:
        token = write(lambda s: issue_token(s, admin, user_id, label))
    except ClaimsError as error:
        return flash_error(error, url_for("admin.user_detail", user_id=user_id))
    return _secret(user_id, email, "token", token)


def _secret(user_id: int, email: str, kind: str, value: str):
    """The page that shows a new password or token once."""
    return render_template("admin/secret.html", user_id=user_id, email=email, kind=kind, value=value)
