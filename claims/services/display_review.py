"""A display claim after upload: what the worker records for the reviewer, and the approval that credits it.

The worker reads no receipt fields from a display photo. It keeps the photo's traits (EXIF date, GPS place,
capture hints, perceptual hash) like any document (`processing.store_traits`), checks the outlet's slot again
(two claims sent at once: the first submitted keeps it), and sends the claim to the outlet's partner with the
evidence as reasons: when and where the photo was taken, an earlier display photo it nearly matches (the
perceptual-hash band index), a screenshot or a photo of a screen. The partner's reviewers, or the agency's staff,
tick the activity's checklist and approve: the checklist rule is checked, the outlet's slot is marked credited
(unique: one credit per slot) and the points go to the ledger as kind `display`, cause `display:<claim>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims.db.display_models import DisplayActivity, DisplayClaim
from claims.db.models import Claim, Decision, ImageHashBand, LedgerEntry
from claims.errors import ConflictError, InvalidInputError
from claims.ledger import post
from claims.reasons import reason
from claims.services.displays import slot_holders
from claims.services.processing import CAPTURE_HINTS, Outcome, finish_processing
from claims.services.rules import to_unsigned
from ocr.traits import GPS_TAG
from verification.displays import checklist_complete, slot_holder
from verification.duplicates import NEAR_DISTANCE, band_probes, hamming
from vocabulary.claims import ClaimKind, ClaimStatus
from vocabulary.reasons import ReasonCode

#: Capture hints that say the photo shows a screen rather than a shop.
SCREEN_HINTS = {"screenshot": ReasonCode.SCREENSHOT, "screen_photo": ReasonCode.SCREEN_PHOTO}
MAX_NEAR = 5


def finish_display_claim(session: Session, claim_id: str) -> ClaimStatus | None:
    """Route a processing display claim: rejected when an earlier claim holds the outlet's slot, else to the
    outlet's partner with the evidence; None when another run already moved it on."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.status != ClaimStatus.PROCESSING:
        return None
    display = session.get(DisplayClaim, claim_id)
    if display is None:  # a display claim always has its row; without it there is nothing to review against
        outcome = Outcome(status=ClaimStatus.FLAGGED, kind=ClaimKind.DISPLAY,
                          reasons=[reason(ReasonCode.PROCESSING_FAILED, detail="no display activity")])
    else:
        holders = slot_holders(session, display.activity_id, display.outlet_id, display.slot)
        holder = slot_holder(claim.id, claim.submitted_at, holders)
        outlet = display.outlet
        if holder is not None:
            outcome = Outcome(status=ClaimStatus.REJECTED, kind=ClaimKind.DISPLAY, outlet_id=outlet.id,
                              partner_id=outlet.partner_id,
                              reasons=[reason(ReasonCode.DISPLAY_SLOT_USED, prior_claim=holder.claim_id,
                                              slot=display.slot)])
        else:
            outcome = Outcome(status=ClaimStatus.PENDING_REVIEW, kind=ClaimKind.DISPLAY,
                              reasons=photo_evidence(session, claim), points=display.activity.points,
                              outlet_id=outlet.id, partner_id=outlet.partner_id)
    finish_processing(session, claim_id, outcome)
    return ClaimStatus(session.get(Claim, claim_id).status)


def photo_evidence(session: Session, claim: Claim) -> list[dict]:
    """The reviewer's evidence on the claim's photos: EXIF date and GPS place, screen hints, near duplicates."""
    reasons: list[dict] = []
    for document in claim.documents:
        exif = document.exif or {}
        taken = exif.get("DateTimeOriginal") or exif.get("DateTime") or "—"
        reasons.append({"code": ReasonCode.DISPLAY_PHOTO_FACTS.value, "severity": "info",
                        "evidence": {"taken": taken, "place": exif.get(GPS_TAG) or "—"}})
        for hint in sorted(h for h in exif.get(CAPTURE_HINTS, "").split(",") if h in SCREEN_HINTS):
            reasons.append({"code": SCREEN_HINTS[hint].value, "severity": "warning", "evidence": {"hint": hint}})
    phashes = [to_unsigned(d.phash) for d in claim.documents if d.phash is not None]
    for prior_id, distance in earlier_lookalikes(session, claim, phashes):
        reasons.append({"code": ReasonCode.DISPLAY_NEAR_DUPLICATE.value, "severity": "warning",
                        "evidence": {"prior_claim": prior_id, "distance": distance}})
    return reasons


def earlier_lookalikes(session: Session, claim: Claim, phashes: Iterable[int]) -> list[tuple[str, int]]:
    """(claim id, Hamming distance) of earlier display claims with a photo within NEAR_DISTANCE bits of one of
    `phashes`, nearest first; found through the hash band index (a few index lookups, no scan)."""
    hashes = list(phashes)
    probes = [p for h in hashes for p in band_probes(h)]
    if not probes:
        return []
    earlier = or_(Claim.submitted_at < claim.submitted_at,
                  (Claim.submitted_at == claim.submitted_at) & (Claim.id < claim.id))
    rows = session.execute(
        select(ImageHashBand.claim_id, ImageHashBand.phash).join(Claim, Claim.id == ImageHashBand.claim_id)
        .where(tuple_(ImageHashBand.band, ImageHashBand.value).in_(probes), Claim.kind == ClaimKind.DISPLAY.value,
               Claim.id != claim.id, earlier).limit(500))
    nearest: dict[str, int] = {}
    for prior_id, stored in rows:
        distance = min(hamming(h, to_unsigned(stored)) for h in hashes)
        if distance <= NEAR_DISTANCE and distance < nearest.get(prior_id, 65):
            nearest[prior_id] = distance
    return sorted(nearest.items(), key=lambda item: (item[1], item[0]))[:MAX_NEAR]


# ---- the reviewer's side -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisplayView:
    """What the claim page shows beside a display photo."""

    activity: DisplayActivity
    outlet_name: str
    slot: str
    checked: tuple[str, ...]
    needed: int  # ticks approval needs


def display_view(session: Session, claim: Claim) -> DisplayView | None:
    display = session.get(DisplayClaim, claim.id) if claim.kind == ClaimKind.DISPLAY else None
    if display is None:
        return None
    activity = display.activity
    needed = len(activity.checklist) if activity.min_ticked is None else min(activity.min_ticked,
                                                                             len(activity.checklist))
    return DisplayView(activity, f"{display.outlet.name}, {display.outlet.city}".strip(", "), display.slot,
                       tuple(display.checked or ()), needed)


def credit_display(session: Session, claim: Claim, decision: Decision, ticked: Iterable[str]) -> LedgerEntry:
    """Approve a display claim's points once: the checklist rule, the outlet's slot marked credited (unique), and
    one ledger entry (kind `display`, cause `display:<claim>`), in the caller's transaction.

    Raises:
        InvalidInputError: `checklist_incomplete` (details `needed`, `ticked`).
        ConflictError: `display_slot_used` when another claim of this outlet's slot was credited first.
    """
    from claims.services.contest_scores import on_claim

    display = session.get(DisplayClaim, claim.id)
    if display is None:
        raise ConflictError("this claim has no display activity", code="not_a_display")
    activity, wanted = display.activity, set(ticked)
    checked = [item for item in activity.checklist if item in wanted]
    if not checklist_complete(activity.checklist, checked, activity.min_ticked):
        needed = len(activity.checklist) if activity.min_ticked is None else activity.min_ticked
        raise InvalidInputError("tick the checklist items the rule needs", code="checklist_incomplete",
                                needed=needed, ticked=len(checked))
    display.checked, display.credited_slot = checked, display.slot
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ConflictError("this outlet's display is already credited for this period",
                            code="display_slot_used") from None
    outlet = display.outlet
    words = f"{activity.title} — {outlet.name}{', ' + outlet.city if outlet.city else ''}"
    entry = post(session, LedgerEntry(participant_id=claim.participant_id, claim_id=claim.id, kind="display",
                                      points=claim.points_proposed, decision=decision,
                                      cause=f"display:{claim.id}", reason=words[:500]))
    on_claim(session, claim, 1)  # an approved claim for the claim-count contests, as contests.scores counts it
    return entry


def release_display_slot(session: Session, claim: Claim) -> None:
    """A reversed display claim gives its outlet's slot back (a new photo of the slot may be credited)."""
    display = session.get(DisplayClaim, claim.id)
    if display is not None:
        display.credited_slot = None
