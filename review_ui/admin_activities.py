"""Admin pages of the activities: trainings (lesson, video link, quiz written as text blocks, pass mark, retry
rule) with the answers report; surveys with their results (CSV, XLSX); tiers; contests with the full
leaderboard. Admins change them; auditors read."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from claims.db.activity_models import Survey, Training
from claims.db.models import Partner
from claims.errors import ClaimsError
from claims.services import contests as contest_service
from claims.services import surveys as survey_service
from claims.services import trainings as training_service
from claims.services.activity_forms import quiz_text, survey_text
from claims.services.contest_audience import AUDIENCES
from claims.services.contest_prizes import prizes_text
from claims.services.tiers import ladder, ladder_text, parse_ladder, save_ladder
from review_ui.access import role_required
from review_ui.admin_base import ADMIN, READERS, bp, page_arg
from review_ui.db import db, write
from review_ui.errors import claims_error_message
from review_ui.i18n import t
from review_ui.reports import XLSX_TYPE, to_csv, to_xlsx
from vocabulary.regions import REGIONS

CONTEST_FIELDS = ("code", "title", "metric", "starts_on", "ends_on", "audience", "audience_region", "tie_break",
                  "audience_partner", "skus", "prizes")
SURVEY_FIELDS = ("code", "title", "intro", "points", "questions")
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


@bp.get("/surveys")
@role_required(*READERS)
def surveys():
    return render_template("admin/surveys.html", surveys=survey_service.surveys(db(), active_only=False))


def _survey_form(survey: Survey | None) -> dict:
    if survey is None:
        return {"active": "1"}
    form = {name: str(getattr(survey, name)) for name in SURVEY_FIELDS[:-1]}
    form.update(questions=survey_text(survey.questions), active="1" if survey.active else "")
    return form


@bp.get("/surveys/new")
@bp.get("/surveys/<int:survey_id>")
@role_required(*ADMIN)
def survey_form(survey_id: int | None = None):
    survey = survey_service.get_survey(db(), survey_id) if survey_id else None
    return render_template("admin/survey_form.html", survey=survey, form=_survey_form(survey), errors={})


@bp.post("/surveys/new")
@bp.post("/surveys/<int:survey_id>")
@role_required(*ADMIN)
def save_survey_form(survey_id: int | None = None):
    form = {name: request.form.get(name, "") for name in SURVEY_FIELDS}
    form["active"] = "1" if request.form.get("active") else "0"
    try:
        saved = write(lambda s: survey_service.save_survey(s, form, survey_id).id)
    except ClaimsError as error:
        field = str(error.details.get("field") or "questions")
        survey = db().get(Survey, survey_id) if survey_id else None
        return render_template("admin/survey_form.html", survey=survey, form=form,
                               errors={field: claims_error_message(error)}), 422
    flash(t("admin.saved"), "success")
    return redirect(url_for("admin.survey_form", survey_id=saved), code=303)


@bp.get("/surveys/<int:survey_id>/results")
@role_required(*READERS)
def survey_results(survey_id: int):
    survey = survey_service.get_survey(db(), survey_id)
    return render_template("admin/survey_results.html", survey=survey,
                           results=survey_service.results(db(), survey))


@bp.get("/surveys/<int:survey_id>/results.<kind>")
@role_required(*READERS)
def survey_export(survey_id: int, kind: str):
    if kind not in ("csv", "xlsx"):
        return Response(status=404)
    survey = survey_service.get_survey(db(), survey_id)
    header, rows = survey_service.export_rows(db(), survey)
    body = to_csv(header, rows) if kind == "csv" else to_xlsx(f"survey-{survey.id}", header, rows)
    return Response(body, mimetype="text/csv" if kind == "csv" else XLSX_TYPE, headers={
        "Content-Disposition": f'attachment; filename="survey-{survey.id}.{kind}"',
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


@bp.get("/tiers")
@role_required(*READERS)
def tiers():
    levels = ladder(db())
    return render_template("admin/tiers.html", levels=levels, form={"ladder": ladder_text(levels)}, errors={})


@bp.post("/tiers")
@role_required(*ADMIN)
def save_tiers():
    form = {"ladder": request.form.get("ladder", "")[:5000]}
    try:
        write(lambda s: save_ladder(s, parse_ladder(form["ladder"])))
    except ClaimsError as error:
        return render_template("admin/tiers.html", levels=ladder(db()), form=form,
                               errors={"ladder": claims_error_message(error)}), 422
    flash(t("admin.saved"), "success")
    return redirect(url_for("admin.tiers"), code=303)


@bp.get("/contests")
@role_required(*READERS)
def contests():
    return render_template("admin/contests.html", contests=contest_service.contests(db()))


def _contest_form(contest) -> dict:
    if contest is None:
        return {"metric": "points", "audience": "all", "tie_break": "reached"}
    form = {name: str(getattr(contest, name)) for name in CONTEST_FIELDS[:-3]}
    partner = db().get(Partner, contest.audience_partner_id) if contest.audience_partner_id else None
    form.update(audience_partner=partner.code if partner else "", skus=", ".join(contest.skus or []),
                prizes=prizes_text(db(), contest.prizes or []))
    return form


def _contest_page(contest, form: dict, errors: dict, board: list, page: int):
    partners = db().scalars(select(Partner).order_by(Partner.name)).all()
    return render_template("admin/contest.html", contest=contest, form=form, errors=errors, board=board,
                           page=page, partners=partners, metrics=contest_service.METRICS,
                           tie_breaks=contest_service.TIE_BREAKS, audiences=AUDIENCES, regions=REGIONS)


@bp.get("/contests/new")
@bp.get("/contests/<int:contest_id>")
@role_required(*READERS)
def contest_page(contest_id: int | None = None):
    contest = contest_service.get_contest(db(), contest_id) if contest_id else None
    form = _contest_form(contest)
    if contest is None and request.args.get("template") == "most_active":
        form = contest_service.most_active_of_the_month(datetime.now(UTC).date(), t("contest.template.most_active"))
    page = page_arg()
    board = contest_service.leaderboard(db(), contest, 100, (page - 1) * 100) if contest else []
    return _contest_page(contest, form, {}, board, page)


@bp.post("/contests/new")
@bp.post("/contests/<int:contest_id>")
@role_required(*ADMIN)
def save_contest_form(contest_id: int | None = None):
    form = {name: request.form.get(name, "") for name in CONTEST_FIELDS}
    try:
        saved = write(lambda s: contest_service.save_contest(s, form, contest_id).id)
    except ClaimsError as error:
        contest = contest_service.get_contest(db(), contest_id) if contest_id else None
        field = str(error.details.get("field") or "code")
        return _contest_page(contest, form, {field: claims_error_message(error)}, [], 1), 422
    flash(t("admin.saved"), "success")
    return redirect(url_for("admin.contest_page", contest_id=saved), code=303)


@bp.post("/contests/<int:contest_id>/close")
@role_required(*ADMIN)
def close_contest(contest_id: int):
    """The end run by hand (the same as `paragon contests close`): after the last day only."""
    back = url_for("admin.contest_page", contest_id=contest_id)
    try:
        frozen = write(lambda s: contest_service.close_contest(s, contest_id))
    except ClaimsError as error:
        flash(claims_error_message(error), "error")
        return redirect(back, code=303)
    flash(t("contest.frozen", count=frozen), "success")
    return redirect(back, code=303)
