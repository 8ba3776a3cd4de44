"""Admin pages of the reward catalogue: the list, a reward's form (all fields of the issue), its picture
(sniffed and re-encoded) and its pool of electronic codes (a CSV or text file, one code a line).
CSV import and export of the whole catalogue are on the admin's CSV page (kind `rewards`)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from claims.db.reward_models import Reward, RewardCode
from claims.errors import ClaimsError, InvalidInputError
from claims.services.reward_images import MAX_BYTES, set_image
from claims.services.rewards import check_reward, get_reward, import_codes, save_reward
from review_ui.access import acting_user, role_required
from review_ui.admin_base import ADMIN, READERS, bp
from review_ui.admin_csv import decode_csv
from review_ui.db import db, runtime, write
from review_ui.errors import claims_error_message, flash_error
from review_ui.i18n import t

FIELDS = ("code", "name", "description", "category", "points", "value_pln", "delivery", "topup_pln", "stock",
          "limit_per_participant", "available_from", "available_until", "active")


@bp.get("/rewards")
@role_required(*READERS)
def rewards():
    rows = list(db().scalars(select(Reward).order_by(Reward.category, Reward.points).limit(2000)))
    free = dict(db().execute(select(RewardCode.reward_id, func.count()).where(RewardCode.order_item_id.is_(None))
                             .group_by(RewardCode.reward_id)).all())
    return render_template("admin/rewards.html", rewards=rows, free=free)


def _form_of(reward: Reward | None) -> dict:
    if reward is None:
        return {"active": "1", "delivery": "physical"}
    form = {name: "" if getattr(reward, name) is None else str(getattr(reward, name)) for name in FIELDS}
    form["active"] = "1" if reward.active else ""
    return form


@bp.get("/rewards/new")
@bp.get("/rewards/<int:reward_id>")
@role_required(*ADMIN)
def reward_form(reward_id: int | None = None):
    reward = get_reward(db(), reward_id) if reward_id else None
    return render_template("admin/reward_form.html", reward=reward, form=_form_of(reward), errors={})


@bp.post("/rewards/new")
@bp.post("/rewards/<int:reward_id>")
@role_required(*ADMIN)
def save_reward_form(reward_id: int | None = None):
    user = acting_user()
    form = {name: request.form.get(name, "") for name in FIELDS}
    form["active"] = "1" if request.form.get("active") else "0"
    try:
        data = check_reward(form)
        saved = write(lambda s: save_reward(s, data, user.id, reward_id)[0].id)
    except InvalidInputError as error:
        errors = {str(error.details.get("field") or "code"): claims_error_message(error)}
        reward = db().get(Reward, reward_id) if reward_id else None
        return render_template("admin/reward_form.html", reward=reward, form=form, errors=errors), 422
    flash(t("admin.saved"), "success")
    return redirect(url_for("admin.reward_form", reward_id=saved), code=303)


@bp.post("/rewards/<int:reward_id>/image")
@role_required(*ADMIN)
def reward_image(reward_id: int):
    upload = request.files.get("image")
    data = upload.read(MAX_BYTES + 1) if upload is not None else b""
    back = url_for("admin.reward_form", reward_id=reward_id)
    try:
        write(lambda s: set_image(s, runtime().blobs, get_reward(s, reward_id), data))
    except ClaimsError as error:
        return flash_error(error, back)
    flash(t("admin.saved"), "success")
    return redirect(back, code=303)


@bp.post("/rewards/<int:reward_id>/codes")
@role_required(*ADMIN)
def reward_codes(reward_id: int):
    upload = request.files.get("file")
    data = upload.read(10 * 1024 * 1024 + 1) if upload is not None else b""
    back = url_for("admin.reward_form", reward_id=reward_id)
    if not data:
        flash(t("csv.no_file"), "error")
        return redirect(back, code=303)
    lines = [line.split(";")[0].split(",")[0].strip() for line in decode_csv(data).lstrip("\ufeff").splitlines()]
    lines = [line for line in lines if line and line.lower() != "code"]
    user = acting_user()
    try:
        added = write(lambda s: import_codes(s, get_reward(s, reward_id), lines, user.id))
    except ClaimsError as error:
        return flash_error(error, back)
    flash(t("admin.codes_added", n=added), "success")
    return redirect(back, code=303)


