"""Display activities: the admin defines one (period, points, outlets, the reviewer's checklist and its rule, how
often it may be claimed per outlet); a participant claims it with a photo of the display at one of its outlets.

The claim is an ordinary claim of kind `display` taken in through the one intake use case
(`claims.services.intake`: the same sniffing, size and hourly limits, blob store and after-commit queueing);
this module adds what a display needs before that: the activity is running, the outlet is one of its own, the
file is a photo, and the outlet's slot (`verification.displays`) is not already taken. The worker checks the
slot again and gathers the reviewer's evidence (`claims.services.display_review`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.db.display_models import DisplayActivity, DisplayClaim
from claims.db.models import Claim, Outlet, Participant
from claims.errors import ConflictError, InvalidInputError, NotFoundError
from claims.ratelimit import RateLimiter, check_claim_attempts
from claims.services import activity_forms as forms
from claims.services.intake import CAMERA_TYPES, IntakeLimits, Submission, UnsupportedMediaError, submit_claim
from verification.displays import FREQUENCIES, SlotHolder, display_slot, in_period
from vocabulary.claims import ClaimKind, ClaimStatus

#: The programme's days are Polish days (a photo sent at 00:30 on the 1st belongs to the new month).
PROGRAMME_ZONE = ZoneInfo("Europe/Warsaw")
#: Photos a display claim takes: camera photos and PNGs (no PDFs, no e-invoice XML).
DISPLAY_TYPES = CAMERA_TYPES | {"image/png"}
MAX_ITEMS = 20
#: Claims that no longer hold their slot.
SLOT_FREED = (ClaimStatus.REJECTED.value, ClaimStatus.REVERSED.value)


def programme_day(moment: datetime | None = None) -> date:
    return (moment or datetime.now(UTC)).astimezone(PROGRAMME_ZONE).date()


# ---- the admin's definition ------------------------------------------------------------------------------


def save_activity(session: Session, raw: dict, activity_id: int | None = None) -> DisplayActivity:
    """Create or replace a display activity from the admin's fields (outlets as ids or codes, the checklist
    one item a line or a list)."""
    values = {"code": forms.text(raw, "code", 64, required=True), "title": forms.text(raw, "title", 200, True),
              "description": forms.text(raw, "description", 5000), "starts_on": _day(raw, "starts_on"),
              "ends_on": _day(raw, "ends_on"), "points": forms.whole(raw, "points", None, 0),
              "outlet_ids": _outlets(session, raw.get("outlets")), "checklist": _checklist(raw.get("checklist")),
              "frequency": _frequency(raw), "active": str(raw.get("active", "1")) not in ("0", "", "False", "false")}
    if values["points"] is None:
        raise InvalidInputError("points are required", code="field_required", field="points")
    if values["ends_on"] < values["starts_on"]:
        raise InvalidInputError("the period ends before it starts", code="bad_period", field="ends_on")
    values["min_ticked"] = forms.whole(raw, "min_ticked", None, 0, len(values["checklist"]))
    activity = get_activity(session, activity_id) if activity_id else None
    holder = session.scalar(select(DisplayActivity.id).where(DisplayActivity.code == values["code"]))
    if holder is not None and (activity is None or holder != activity.id):
        raise ConflictError("a display activity with this code exists", code="duplicate_code", field="code")
    if activity is None:
        activity = DisplayActivity(**values)
        session.add(activity)
    else:
        for name, value in values.items():
            setattr(activity, name, value)
    session.flush()
    return activity


def _day(raw: dict, name: str) -> date:
    try:
        return date.fromisoformat(str(raw.get(name) or "").strip())
    except ValueError as exc:
        raise InvalidInputError(f"{name} must be a date", code="bad_date", field=name) from exc


def _frequency(raw: dict) -> str:
    value = str(raw.get("frequency") or "month").strip()
    if value not in FREQUENCIES:
        raise InvalidInputError("frequency is once, month or week", code="bad_frequency", field="frequency")
    return value


def _checklist(raw: object) -> list[str]:
    lines = raw if isinstance(raw, list) else str(raw or "").splitlines()
    items = list(dict.fromkeys(str(line).strip()[:200] for line in lines if str(line).strip()))
    if not 1 <= len(items) <= MAX_ITEMS:
        raise InvalidInputError("the checklist has 1 to 20 items", code="bad_checklist", field="checklist")
    return items


def _outlets(session: Session, raw: object) -> list[int]:
    """Programme outlets by id or code (a list, or text separated by commas, spaces or lines)."""
    given = raw if isinstance(raw, list) else str(raw or "").replace(",", " ").split()
    wanted = [str(item).strip() for item in given if str(item).strip()][:500]
    ids = [int(w) for w in wanted if w.isdigit() and int(w) < 2**31]
    rows = session.scalars(select(Outlet).where((Outlet.id.in_(ids)) | (Outlet.code.in_(wanted)))).all()
    found = {str(o.id) for o in rows} | {o.code for o in rows}
    if not wanted or any(w not in found for w in wanted):
        raise InvalidInputError("pick the outlets from the programme's list", code="bad_outlets", field="outlets")
    return sorted({o.id for o in rows})


def get_activity(session: Session, activity_id: int, active_only: bool = False) -> DisplayActivity:
    activity = session.get(DisplayActivity, activity_id) if 0 < activity_id < 2**31 else None
    if activity is None or (active_only and not activity.active):
        raise NotFoundError("no such display activity", code="unknown_activity")
    return activity


def activities(session: Session, running_on: date | None = None) -> list[DisplayActivity]:
    """Every display activity (newest first), or only the active ones running on `running_on`."""
    query = select(DisplayActivity).order_by(DisplayActivity.id.desc())
    if running_on is not None:
        query = query.where(DisplayActivity.active.is_(True), DisplayActivity.starts_on <= running_on,
                            DisplayActivity.ends_on >= running_on)
    return list(session.scalars(query))


def outlets_of(session: Session, activity: DisplayActivity) -> list[Outlet]:
    """The activity's outlets that are still active, by name."""
    if not activity.outlet_ids:
        return []
    query = select(Outlet).where(Outlet.id.in_(activity.outlet_ids), Outlet.active.is_(True)).order_by(Outlet.name)
    return list(session.scalars(query))


# ---- the participant's claim -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisplayTarget:
    """What a display photo is for: the activity and the outlet it was taken at."""

    activity_id: int
    outlet_id: int


def slot_holders(session: Session, activity_id: int, outlet_id: int, slot: str) -> list[SlotHolder]:
    """The claims that hold (or may still take) this outlet's slot: every one not rejected or reversed."""
    rows = session.execute(
        select(Claim.id, Claim.submitted_at).join(DisplayClaim, DisplayClaim.claim_id == Claim.id)
        .where(DisplayClaim.activity_id == activity_id, DisplayClaim.outlet_id == outlet_id,
               DisplayClaim.slot == slot, Claim.status.not_in(SLOT_FREED)))
    return [SlotHolder(claim_id, submitted_at) for claim_id, submitted_at in rows]


def check_target(session: Session, target: DisplayTarget, day: date) -> tuple[DisplayActivity, Outlet, str]:
    """The activity, outlet and slot of a new display claim on `day`, or why it cannot be claimed.

    Raises:
        NotFoundError: `unknown_activity` (none, or switched off).
        ConflictError: `activity_not_running` outside its period; `display_slot_used` when the outlet's slot
            (this period, month or week) already has a claim that is not rejected.
        InvalidInputError: `outlet_not_in_activity`.
    """
    activity = get_activity(session, target.activity_id, active_only=True)
    if not in_period(day, activity.starts_on, activity.ends_on):
        raise ConflictError("this activity is not running today", code="activity_not_running",
                            starts_on=activity.starts_on.isoformat(), ends_on=activity.ends_on.isoformat())
    outlet = next((o for o in outlets_of(session, activity) if o.id == target.outlet_id), None)
    if outlet is None:
        raise InvalidInputError("this outlet does not take part in the activity", code="outlet_not_in_activity")
    slot = display_slot(activity.frequency, day)
    if slot_holders(session, activity.id, outlet.id, slot):
        raise ConflictError("this outlet's display has already been claimed for this period",
                            code="display_slot_used", frequency=activity.frequency, slot=slot)
    return activity, outlet, slot


def take_display_claim(session: Session, blobs, participant: Participant, target: DisplayTarget,
                       submission: Submission, limits: IntakeLimits, *, limiter: RateLimiter | None = None,
                       ip: str | None = None, device_id: str | None = None) -> Claim:
    """A display claim: the checks above, the attempt counted, then the one intake path stores and queues it.

    Raises (besides `check_target`'s): InvalidInputError `display_photo_required` (no photo), `mixed_claim`
    (codes sent), `too_many_files` (more than one photo); UnsupportedMediaError `display_not_a_photo` (a PDF
    or an XML);
    TooManyAttemptsError over the hourly limit.
    """
    get_activity(session, target.activity_id, active_only=True)  # an unknown activity is not found first
    if submission.codes:
        raise InvalidInputError("a display claim takes a photo, not product codes", code="mixed_claim")
    if not submission.uploads:
        raise InvalidInputError("send a photo of the display", code="display_photo_required")
    if len(submission.uploads) > 1:
        raise InvalidInputError("one photo per display claim", code="too_many_files", max=1)
    upload = submission.uploads[0]
    if upload.media_type not in DISPLAY_TYPES:
        raise UnsupportedMediaError(f"file {upload.filename!r} is not a photo", code="display_not_a_photo",
                                    name=upload.filename)
    activity, outlet, slot = check_target(session, target, programme_day())
    check_claim_attempts(limiter, participant.id, ip, files=1, codes=0, uploads_per_hour=limits.uploads_per_hour)
    claim = submit_claim(session, blobs, participant, [upload], [], max_files=1, submitted_ip=ip,
                         device_id=device_id, kind=ClaimKind.DISPLAY)
    session.add(DisplayClaim(claim_id=claim.id, activity_id=activity.id, outlet_id=outlet.id, slot=slot,
                             checked=[]))
    session.flush()
    return claim


def display_of(session: Session, claim_id: str) -> DisplayClaim | None:
    return session.get(DisplayClaim, claim_id)
