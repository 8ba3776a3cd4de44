"""Reason codes (why a claim went where it went) and their severities.

A stored reason keeps its code and evidence only; its text is rendered in the reader's language from the
gettext catalogues (`reason.<code>`), never stored.
"""

from __future__ import annotations

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
