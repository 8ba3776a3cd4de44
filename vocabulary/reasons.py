"""Reason codes (why a claim went where it went) and their severities.

A stored reason keeps its code and evidence only; its text is rendered in the reader's language from the
gettext catalogues (`reason.<code>`), never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How much a reason weighs: information, a warning for the reviewer, or blocking."""

    INFO = "info"
    WARNING = "warning"
    BLOCKING = "blocking"


class ReasonCode(StrEnum):
    UNREADABLE = "unreadable"
    UNKNOWN_SELLER = "unknown_seller"
    NO_SELLER_NIP = "no_seller_nip"
    NO_TOTAL = "no_total"
    NO_DATE = "no_date"
    UNSUPPORTED_FILE = "unsupported_file"
    INVALID_CODE = "invalid_code"
    CODE_ALREADY_USED = "code_already_used"
    PROCESSING_FAILED = "processing_failed"
    # reviewer decisions
    NOT_OUR_SALE = "not_our_sale"
    DOCUMENT_NOT_MATCHING = "document_not_matching"
    PRODUCT_NOT_ELIGIBLE = "product_not_eligible"
    DUPLICATE = "duplicate"
    SUSPECTED_FRAUD = "suspected_fraud"
    OTHER = "other"
    CONFIRMED = "confirmed"
    AUDIT_OVERRIDE = "audit_override"
    APPEAL = "appeal"
    NO_CAMPAIGN = "no_campaign"
    # programme rules (verification)
    OUTSIDE_CAMPAIGN_PERIOD = "outside_campaign_period"
    SUBMITTED_TOO_LATE = "submitted_too_late"
    SELLER_MATCHED_BY_NAME = "seller_matched_by_name"
    NO_ITEMS = "no_items"
    PRODUCT_NOT_RECOGNISED = "product_not_recognised"
    PRODUCT_MATCH_UNCERTAIN = "product_match_uncertain"
    BELOW_MINIMUM_PURCHASE = "below_minimum_purchase"
    POINTS_CAPPED = "points_capped"
    BUYER_NIP_REQUIRED = "buyer_nip_required"
    BUYER_NIP_MISMATCH = "buyer_nip_mismatch"
    UNCERTAIN_FIELDS = "uncertain_fields"
    AUTO_APPROVED = "auto_approved"
    # duplicates and risk signals (verification)
    NEAR_DUPLICATE = "near_duplicate"
    NEEDS_AUDIT = "needs_audit"
    EDITED_IMAGE = "edited_image"
    SCREENSHOT = "screenshot"
    SCREEN_PHOTO = "screen_photo"
    TOTALS_MISMATCH = "totals_mismatch"
    DATE_IN_FUTURE = "date_in_future"
    VELOCITY_PARTICIPANT = "velocity_participant"
    VELOCITY_DEVICE = "velocity_device"
    VELOCITY_IP = "velocity_ip"
    UNUSUAL_AMOUNT = "unusual_amount"
    # KSeF e-invoices (verification.ksef)
    KSEF_HASH_MISMATCH = "ksef_hash_mismatch"
    KSEF_NUMBER_MISMATCH = "ksef_number_mismatch"
    CORRECTION_OF_INVOICE = "correction_of_invoice"
    CORRECTION_WITHOUT_ORIGINAL = "correction_without_original"
    CORRECTION_OF_OWN_INVOICE = "correction_of_own_invoice"
    PARTNER_SALE_CONFIRMS = "partner_sale_confirms"
    PARTNER_SALE_CONTRADICTS = "partner_sale_contradicts"
    # display activities (claims.services.displays)
    DISPLAY_SLOT_USED = "display_slot_used"
    DISPLAY_PHOTO_FACTS = "display_photo_facts"
    DISPLAY_NEAR_DUPLICATE = "display_near_duplicate"
    # what a participant is shown instead of an internal code (see PARTICIPANT_REASONS)
    NOT_ACCEPTED = "not_accepted"
    APPROVAL_REVERSED = "approval_reversed"


#: Codes a reviewer may give when rejecting a claim.
REJECTION_CODES = frozenset(
    {
        ReasonCode.NOT_OUR_SALE,
        ReasonCode.DOCUMENT_NOT_MATCHING,
        ReasonCode.PRODUCT_NOT_ELIGIBLE,
        ReasonCode.DUPLICATE,
        ReasonCode.SUSPECTED_FRAUD,
        ReasonCode.UNREADABLE,
        ReasonCode.OTHER,
    }
)


# ---- what a participant is told --------------------------------------------------------------------------
#
# A claim's stored reasons are written for reviewers and auditors: risk signals, matching doubts, staff notes.
# A participant sees only the codes below, each with the one thing they can do next; every other code is
# internal and never leaves the staff's pages (page, API, e-mail and data export alike).


class NextStep(StrEnum):
    """What a participant can do about a reason (the catalogues say it: `next_step.<step>`)."""

    RETAKE = "retake"  # a new photo of the whole document, sharp and well lit
    RETAKE_BOTTOM = "retake_bottom"  # a better photo of the bottom part (total, payment)
    CHECK_CODE = "check_code"  # type the code again, character by character
    CONTACT_SUPPORT = "contact_support"  # nothing to fix on their side: ask the programme's support
    APPEAL = "appeal"  # the decision can be appealed once
    WAIT = "wait"  # nothing to do: someone is looking at it
    NONE = "none"  # information only


@dataclass(frozen=True)
class ParticipantReason:
    """How a reason code is shown to the participant: the code they see (an internal code may be shown as a
    plainer one), their next step, and whether the reviewer's comment on it is meant for them."""

    shown_as: ReasonCode
    next_step: NextStep
    with_comment: bool = False


R, N = ReasonCode, NextStep
#: Every code a participant may see, with what they see. A code missing here is internal.
PARTICIPANT_REASONS: dict[ReasonCode, ParticipantReason] = {
    R.UNREADABLE: ParticipantReason(R.UNREADABLE, N.RETAKE, with_comment=True),
    R.NO_SELLER_NIP: ParticipantReason(R.NO_SELLER_NIP, N.RETAKE),
    R.NO_TOTAL: ParticipantReason(R.NO_TOTAL, N.RETAKE_BOTTOM),
    R.NO_DATE: ParticipantReason(R.NO_DATE, N.RETAKE),
    R.UNSUPPORTED_FILE: ParticipantReason(R.UNSUPPORTED_FILE, N.RETAKE),
    R.BUYER_NIP_REQUIRED: ParticipantReason(R.BUYER_NIP_REQUIRED, N.RETAKE),
    R.INVALID_CODE: ParticipantReason(R.INVALID_CODE, N.CHECK_CODE),
    R.CODE_ALREADY_USED: ParticipantReason(R.CODE_ALREADY_USED, N.CONTACT_SUPPORT),
    R.PROCESSING_FAILED: ParticipantReason(R.PROCESSING_FAILED, N.WAIT),
    R.NO_CAMPAIGN: ParticipantReason(R.NO_CAMPAIGN, N.WAIT),
    R.UNKNOWN_SELLER: ParticipantReason(R.UNKNOWN_SELLER, N.CONTACT_SUPPORT),
    R.OUTSIDE_CAMPAIGN_PERIOD: ParticipantReason(R.OUTSIDE_CAMPAIGN_PERIOD, N.NONE),
    R.SUBMITTED_TOO_LATE: ParticipantReason(R.SUBMITTED_TOO_LATE, N.NONE),
    R.BELOW_MINIMUM_PURCHASE: ParticipantReason(R.BELOW_MINIMUM_PURCHASE, N.NONE),
    R.POINTS_CAPPED: ParticipantReason(R.POINTS_CAPPED, N.NONE),
    R.BUYER_NIP_MISMATCH: ParticipantReason(R.BUYER_NIP_MISMATCH, N.APPEAL),
    R.CONFIRMED: ParticipantReason(R.CONFIRMED, N.NONE),
    R.APPEAL: ParticipantReason(R.APPEAL, N.WAIT),
    R.CORRECTION_OF_INVOICE: ParticipantReason(R.CORRECTION_OF_INVOICE, N.NONE),
    R.PARTNER_SALE_CONFIRMS: ParticipantReason(R.PARTNER_SALE_CONFIRMS, N.NONE),
    R.DISPLAY_SLOT_USED: ParticipantReason(R.DISPLAY_SLOT_USED, N.NONE),
    # a reviewer's rejection: the comment field of the rejection form is addressed to the participant
    R.NOT_OUR_SALE: ParticipantReason(R.NOT_OUR_SALE, N.APPEAL, with_comment=True),
    R.DOCUMENT_NOT_MATCHING: ParticipantReason(R.DOCUMENT_NOT_MATCHING, N.APPEAL, with_comment=True),
    R.PRODUCT_NOT_ELIGIBLE: ParticipantReason(R.PRODUCT_NOT_ELIGIBLE, N.APPEAL, with_comment=True),
    R.DUPLICATE: ParticipantReason(R.DUPLICATE, N.APPEAL, with_comment=True),
    R.OTHER: ParticipantReason(R.OTHER, N.APPEAL, with_comment=True),
    # said plainly, without the suspicion: the participant may appeal and an auditor looks again
    R.SUSPECTED_FRAUD: ParticipantReason(R.NOT_ACCEPTED, N.APPEAL),
    R.NOT_ACCEPTED: ParticipantReason(R.NOT_ACCEPTED, N.APPEAL),
    R.AUDIT_OVERRIDE: ParticipantReason(R.APPROVAL_REVERSED, N.CONTACT_SUPPORT),
    R.APPROVAL_REVERSED: ParticipantReason(R.APPROVAL_REVERSED, N.CONTACT_SUPPORT),
}
#: Codes only staff see: risk signals and scores, matching doubts, routing notes.
INTERNAL_REASONS: frozenset[ReasonCode] = frozenset(ReasonCode) - frozenset(PARTICIPANT_REASONS)
del R, N


def participant_reason(code: str) -> ParticipantReason | None:
    """How the participant sees reason `code`; None when it is internal or unknown (never shown)."""
    try:
        return PARTICIPANT_REASONS.get(ReasonCode(code))
    except ValueError:
        return None
