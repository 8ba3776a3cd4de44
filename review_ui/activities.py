"""The participant's activities, phone first: trainings (read the lesson, answer the quiz, see the score and the
points), surveys, their tier with what is missing to the next one, and the contests they are ranked in."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from claims.errors import ClaimsError, ConflictError, InvalidInputError, NotFoundError
from claims.ratelimit import TooManyAttemptsError
from claims.roles import Role
from claims.services import contests as contest_service
from claims.services import displays as display_service
from claims.services import surveys as survey_service
from claims.services import trainings as training_service
from claims.services.accounts import participant_of
from claims.services.contest_audience import contests_for, is_member
from claims.services.contest_prizes import reward_names
from claims.services.intake import check_submission, intake_limits
from claims.services.referrals import invitation_code, invitations
from claims.services.tiers import tier_change
from review_ui.access import acting_user, role_required
from review_ui.auth import limiter
from review_ui.db import db, runtime, write
from review_ui.errors import flash_error
from review_ui.i18n import t
from review_ui.participant_upload import accepted, incoming, refused

bp = Blueprint("activities", __name__)


def _participant():
    return participant_of(db(), acting_user())


def answers_of(form) -> dict[str, list[str]]:
    """The submitted answers by question id (`q<id>` fields, several values for a multiple choice)."""
    return {name[1:]: form.getlist(name) for name in list(form.keys())[:60] if name.startswith("q")}


@bp.get("/me/activities")
@role_required(Role.PARTICIPANT)
def index():
    participant = _participant()
    return render_template("activities/index.html", trainings=training_service.trainings(db()),
                           passed=training_service.passed_ids(db(), participant.id), **_extras(participant),
                           **_invitation(participant.id))


def _invitation(participant_id: int) -> dict:
    """The invitation link (its code is made on the first visit) and how the invitations went."""
    settings = runtime().settings
    if settings.referral_points <= 0:
        return {}
    code = write(lambda s: invitation_code(s, participant_id))
    return {"invite_link": url_for("auth.register", ref=code, _external=True),
            "invited": invitations(db(), participant_id), "referral_points": settings.referral_points,
            "referral_cap": settings.referral_cap}


def _extras(participant) -> dict:
    """What other activity kinds add to the index page (surveys, tier and a change of it since the last visit,
    the contests of the participant's audience, the displays running today)."""
    status, change = write(lambda s: tier_change(s, participant.id))
    running = display_service.activities(db(), running_on=display_service.programme_day())
    return {"surveys": survey_service.surveys(db()), "answered": survey_service.answered_ids(db(), participant.id),
            "tier": status, "tier_change": change, "contests": contests_for(db(), participant.id),
            "displays": [(a, display_service.outlets_of(db(), a)) for a in running]}


@bp.get("/me/trainings/<int:training_id>")
@role_required(Role.PARTICIPANT)
def training(training_id: int):
    participant = _participant()
    row = training_service.get_training(db(), training_id, active_only=True)
    used = training_service.attempts_used(db(), row.id, participant.id)
    left = None if row.max_attempts is None else max(0, row.max_attempts - used)
    return render_template("activities/training.html", training=row, left=left,
                           passed=row.id in training_service.passed_ids(db(), participant.id))


@bp.post("/me/trainings/<int:training_id>")
@role_required(Role.PARTICIPANT)
def answer_training(training_id: int):
    back = url_for("activities.training", training_id=training_id)
    answers = answers_of(request.form)
    try:
        result = write(lambda s: training_service.answer_quiz(s, participant_of(s, acting_user()), training_id,
                                                              answers))
    except ClaimsError as error:
        return flash_error(error, back)
    if result.passed:
        flash(t("activities.quiz.passed", score=result.score, points=result.credited), "success")
    else:
        flash(t("activities.quiz.failed", score=result.score), "error")
    return redirect(back, code=303)


@bp.get("/me/surveys/<int:survey_id>")
@role_required(Role.PARTICIPANT)
def survey(survey_id: int):
    participant = _participant()
    row = survey_service.get_survey(db(), survey_id, active_only=True)
    return render_template("activities/survey.html", survey=row,
                           answered=row.id in survey_service.answered_ids(db(), participant.id))


@bp.post("/me/surveys/<int:survey_id>")
@role_required(Role.PARTICIPANT)
def answer_survey(survey_id: int):
    back = url_for("activities.survey", survey_id=survey_id)
    answers = answers_of(request.form)
    try:
        points = write(lambda s: survey_service.answer_survey(s, participant_of(s, acting_user()), survey_id,
                                                              answers))
    except ClaimsError as error:
        return flash_error(error, back)
    flash(t("activities.survey.thanks", points=points), "success")
    return redirect(back, code=303)


@bp.get("/me/contests/<int:contest_id>")
@role_required(Role.PARTICIPANT)
def contest(contest_id: int):
    """Own rank and the top 10 with pseudonymised names (the participant's own row says "you")."""
    participant = _participant()
    row = contest_service.get_contest(db(), contest_id)
    if not is_member(db(), row, participant.id):  # only the audience sees a contest
        abort(404)
    top = contest_service.leaderboard(db(), row)
    names = {s.participant_id: contest_service.pseudonym(s.name, s.participant_id) for s in top}
    return render_template("activities/contest.html", contest=row, top=top, names=names, me=participant.id,
                           mine=contest_service.own_standing(db(), row, participant.id),
                           shown=contest_service.shown_value, rewards=reward_names(db(), row))


@bp.get("/me/displays/<int:activity_id>")
@role_required(Role.PARTICIPANT)
def display(activity_id: int):
    """A display activity: what to photograph, its period, points and outlets, and the form for the photo (the
    participant's upload markup and script, one photo)."""
    row = display_service.get_activity(db(), activity_id, active_only=True)
    settings = runtime().settings
    return render_template("activities/display.html", activity=row, outlets=display_service.outlets_of(db(), row),
                           max_mb=settings.max_upload_bytes // (1024 * 1024),
                           chosen=request.args.get("outlet", "")[:12])


@bp.post("/me/displays/<int:activity_id>")
@role_required(Role.PARTICIPANT)
def claim_display(activity_id: int):
    """The photo through the one intake path (same checks, limits, blob store and queue as any claim)."""
    settings, back = runtime().settings, url_for("activities.display", activity_id=activity_id)
    limits, user, blobs = intake_limits(settings), acting_user(), runtime().blobs
    try:
        target = display_service.DisplayTarget(activity_id, int(request.form.get("outlet_id", "0")[:10] or 0))
    except ValueError:
        target = display_service.DisplayTarget(activity_id, 0)
    try:
        submission = check_submission(incoming(), [], limits, judge_photos=False)
        created = write(lambda s: display_service.take_display_claim(
            s, blobs, participant_of(s, user), target, submission, limits, limiter=limiter(),
            ip=request.remote_addr))
    except NotFoundError:
        abort(404)
    except (TooManyAttemptsError, InvalidInputError, ConflictError) as error:
        return refused(error, back, max=1)
    return accepted(created.id, t("display.sent"))
