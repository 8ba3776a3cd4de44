"""GET /api/v1/activities (the participant's activities: trainings, surveys and displays, with points and period)
and POST /api/v1/activities/<id>/claims (a display photo: the same upload rules, limits and errors as POST
/api/v1/claims, through the same intake use case; 202 with the claim)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from flask import jsonify, request, url_for
from pydantic import BaseModel, BeforeValidator, Field
from spectree.model_adapter.pydantic_adapter import BaseFile

from claims.db.engine import transaction
from claims.db.models import Participant
from claims.errors import InvalidInputError
from claims.roles import Role
from claims.services import displays as display_service
from claims.services import surveys as survey_service
from claims.services import trainings as training_service
from claims.services.accounts import participant_of
from claims.services.intake import IncomingFile, check_submission, intake_limits
from ingest.activities_api import blueprint
from ingest.http import bearer_user, limiter, runtime
from ingest.openapi import ApiModel, operation
from ingest.schemas import Accepted

PARTICIPANT = (Role.PARTICIPANT,)
PHOTO_TYPES = tuple(sorted(display_service.DISPLAY_TYPES))


def _as_list(value: object) -> object:
    return value if isinstance(value, list) else [value]


class OutletOut(BaseModel):
    id: int
    name: str
    city: str


class ActivityOut(BaseModel):
    id: int
    kind: Literal["training", "survey", "display"]
    title: str
    points: int
    starts_on: str | None = Field(None, description="first day (displays); null for trainings and surveys")
    ends_on: str | None = Field(None, description="last day (displays); null for trainings and surveys")
    done: bool = Field(False, description="a training passed or a survey answered (each credits once)")
    frequency: Literal["once", "month", "week"] | None = Field(
        None, description="a display: claimed once per period, per calendar month or per ISO week, per outlet")
    checklist: list[str] = Field(default_factory=list, description="what the reviewer checks on a display photo")
    outlets: list[OutletOut] = Field(default_factory=list, description="where a display photo may be taken")
    claims_url: str | None = Field(None, description="a display: POST the photo here")


class ActivitiesPage(BaseModel):
    activities: list[ActivityOut]


class DisplayClaimForm(ApiModel):
    """A photo of the activity's display at one of its outlets."""

    error_codes: ClassVar[dict[str, str]] = {"files": "too_many_files", "outlet_id": "outlet_not_in_activity"}

    files: Annotated[list[BaseFile], BeforeValidator(_as_list)] = Field(
        min_length=1, max_length=1,
        json_schema_extra={"items": {"type": "string", "format": "binary", "x-accept": list(PHOTO_TYPES)}},
        description=f"one photo of the display; the type is sniffed from the bytes: {', '.join(PHOTO_TYPES)}")
    outlet_id: int = Field(ge=1, le=2**31 - 1, description="the outlet where the photo was taken (one of the "
                                                          "activity's `outlets`)")


@blueprint.get("/activities")
@operation(roles=PARTICIPANT, answers={200: ActivitiesPage}, errors=(403,))
def list_activities():
    """The caller's activities: active trainings and surveys, and the display activities running today"""
    with transaction(runtime().sessions) as session:
        me = participant_of(session, bearer_user(session)).id
        passed, answered = training_service.passed_ids(session, me), survey_service.answered_ids(session, me)
        rows = [ActivityOut(id=t.id, kind="training", title=t.title, points=t.points, done=t.id in passed)
                for t in training_service.trainings(session)]
        rows += [ActivityOut(id=s.id, kind="survey", title=s.title, points=s.points, done=s.id in answered)
                 for s in survey_service.surveys(session)]
        for a in display_service.activities(session, running_on=display_service.programme_day()):
            outlets = [OutletOut(id=o.id, name=o.name, city=o.city) for o in display_service.outlets_of(session, a)]
            rows.append(ActivityOut(id=a.id, kind="display", title=a.title, points=a.points,
                                    starts_on=a.starts_on.isoformat(), ends_on=a.ends_on.isoformat(),
                                    frequency=a.frequency, checklist=list(a.checklist), outlets=outlets,
                                    claims_url=url_for("activities_api.claim_display", activity_id=a.id)))
    return jsonify(ActivitiesPage(activities=rows).model_dump(mode="json"))


@blueprint.post("/activities/<int:activity_id>/claims")
@operation(roles=PARTICIPANT, form=DisplayClaimForm, answers={202: (Accepted, "Accepted; the photo is queued")},
           errors=(403, 404, 409, 413, 415, 429))
def claim_display(activity_id: int):
    """Claim a display activity with a photo of the display at one of its outlets

    The same upload rules as POST /claims (sniffed type, size and hourly limits); refused with 409
    `display_slot_used` when the outlet's slot (the period, month or week) already has a claim,
    `activity_not_running` outside its period; 422 `outlet_not_in_activity`.
    """
    rt = runtime()
    limits = intake_limits(rt.settings)
    with transaction(rt.sessions) as session:
        participant_id = participant_of(session, bearer_user(session)).id
        display_service.get_activity(session, activity_id, active_only=True)  # 404 before reading the file
    form = request.context.form
    if form is None:  # not sent as multipart/form-data
        raise InvalidInputError("send the photo as multipart/form-data with `files` and `outlet_id`", code="bad_form")
    files = [IncomingFile(f.filename, f.stream) for f in request.files.getlist("files")]
    submission = check_submission(files, [], limits, judge_photos=False)
    target = display_service.DisplayTarget(activity_id, form.outlet_id)
    with transaction(rt.sessions) as session:
        claim = display_service.take_display_claim(
            session, rt.blobs, session.get(Participant, participant_id), target, submission, limits,
            limiter=limiter(), ip=request.remote_addr, device_id=request.headers.get("X-Device-Id"))
        claim_id, status = claim.id, claim.status
    body = {"id": claim_id, "status": status, "url": url_for("api.get_claim", claim_id=claim_id)}
    return jsonify(body), 202, {"Location": body["url"]}
