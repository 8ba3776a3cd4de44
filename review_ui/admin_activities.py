"""Admin pages of the activities: trainings (lesson, video link, quiz written as text blocks, pass mark, retry
rule) with the answers report; surveys with their results (CSV, XLSX); tiers; contests with the full
leaderboard. Admins change them; auditors read."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from claims.db.activity_models import Training
from claims.errors import ClaimsError
from claims.services import trainings as training_service
from claims.services.activity_forms import quiz_text
from review_ui.access import role_required
from review_ui.admin_base import ADMIN, READERS, bp
from review_ui.db import db, write
from review_ui.errors import claims_error_message
from review_ui.i18n import t

TRAINING_FIELDS = ("code", "title", "lesson", "video_url", "points", "pass_mark", "max_attempts", "questions")


@bp.get("/trainings")
@role_required(*READERS)
def trainings():
    return render_template("admin/trainings.html", trainings=training_service.trainings(db(), active_only=False))


def _training_form(training: Training | None) -> dict:
    if training is None:
        return {"pass_mark": "80", "active": "1"}
    form = {name: "" if getattr(training, name, None) is None else str(getattr(training, name))
            for name in TRAINING_FIELDS[:-1]}
    form.update(questions=quiz_text(training.questions), active="1" if training.active else "")
    return form


@bp.get("/trainings/new")
@bp.get("/trainings/<int:training_id>")
@role_required(*ADMIN)
def training_form(training_id: int | None = None):
    training = training_service.get_training(db(), training_id) if training_id else None
    return render_template("admin/training_form.html", training=training, form=_training_form(training), errors={})


@bp.post("/trainings/new")
@bp.post("/trainings/<int:training_id>")
@role_required(*ADMIN)
def save_training_form(training_id: int | None = None):
    form = {name: request.form.get(name, "") for name in TRAINING_FIELDS}
    form["active"] = "1" if request.form.get("active") else "0"
    try:
        saved = write(lambda s: training_service.save_training(s, form, training_id).id)
    except ClaimsError as error:
        field = str(error.details.get("field") or "questions")
        training = db().get(Training, training_id) if training_id else None
        return render_template("admin/training_form.html", training=training, form=form,
                               errors={field: claims_error_message(error)}), 422
    flash(t("admin.saved"), "success")
    return redirect(url_for("admin.training_form", training_id=saved), code=303)


@bp.get("/trainings/<int:training_id>/answers")
@role_required(*READERS)
def training_answers(training_id: int):
    training = training_service.get_training(db(), training_id)
    attempts = training_service.answers_report(db(), training_id)
    return render_template("admin/training_answers.html", training=training, attempts=attempts)
