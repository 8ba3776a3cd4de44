"""Reading the review queue's filter form (outlet, status, age, amount) from the query string, safely."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from werkzeug.datastructures import MultiDict

from claims.services.worklists import REVIEW_SLA_HOURS, QueueFilter, claim_notes
from review_ui.formatting import aware
from review_ui.i18n import has_key, t
from vocabulary.claims import ClaimStatus
from vocabulary.numbers import parse_decimal
from vocabulary.reasons import ReasonCode

#: "Waiting longer than" choices, in hours: a day, the SLA, a week.
AGE_CHOICES = (24, REVIEW_SLA_HOURS, 7 * 24)
MAX_AMOUNT = Decimal("10000000")
#: The notes a queue can be filtered by: what the rules say about a claim waiting for a decision.
NOTE_CODES = tuple(str(code) for code in (
    ReasonCode.UNCERTAIN_FIELDS, ReasonCode.SELLER_MATCHED_BY_NAME, ReasonCode.PRODUCT_MATCH_UNCERTAIN,
    ReasonCode.PRODUCT_NOT_RECOGNISED, ReasonCode.PRODUCT_NOT_ELIGIBLE, ReasonCode.POINTS_CAPPED,
    ReasonCode.BELOW_MINIMUM_PURCHASE, ReasonCode.NO_DATE, ReasonCode.NO_TOTAL, ReasonCode.NO_ITEMS,
    ReasonCode.BUYER_NIP_MISMATCH, ReasonCode.TOTALS_MISMATCH, ReasonCode.UNUSUAL_AMOUNT,
    ReasonCode.DATE_IN_FUTURE, ReasonCode.NEAR_DUPLICATE, ReasonCode.SCREENSHOT, ReasonCode.EDITED_IMAGE,
    ReasonCode.VELOCITY_PARTICIPANT, ReasonCode.VELOCITY_DEVICE, ReasonCode.VELOCITY_IP, ReasonCode.APPEAL,
))


def parse_filter(args: MultiDict, outlets: dict[str, int]) -> QueueFilter:
    """A QueueFilter from the form's arguments; anything malformed or not allowed is ignored.

    `outlets` maps what may name an outlet (its id as text, or its code) to the outlet ids the user may see.
    """
    status = args.get("status", "").strip()
    age = _int(args.get("age"))
    return QueueFilter(
        status=status if status in {s.value for s in ClaimStatus} else "",
        outlet_id=outlets.get(args.get("outlet", "").strip()),
        min_age_hours=age if age in AGE_CHOICES else None,
        min_total=_amount(args.get("min_total")),
        max_total=_amount(args.get("max_total")),
        note=note if (note := args.get("note", "").strip()) in NOTE_CODES else "",
    )


def filter_args(wanted: QueueFilter) -> dict[str, str]:
    """The query arguments that reproduce `wanted` (for the pager and the form)."""
    values = {
        "status": wanted.status,
        "outlet": "" if wanted.outlet_id is None else str(wanted.outlet_id),
        "age": "" if wanted.min_age_hours is None else str(wanted.min_age_hours),
        "min_total": "" if wanted.min_total is None else str(wanted.min_total),
        "max_total": "" if wanted.max_total is None else str(wanted.max_total),
        "note": wanted.note,
    }
    return {k: v for k, v in values.items() if v}


def note_labels(claim) -> list[tuple[str, bool, str]]:
    """(code, whether it is a warning, its short label) of each of a claim's notes, for the queue."""
    return [(code, warning, t(f"note.{code}") if has_key(f"note.{code}") else t("note.other"))
            for code, warning in claim_notes(claim)]


def hours_waited(since: datetime | None, now: datetime | None = None) -> float:
    if since is None:
        return 0.0
    return max(0.0, ((now or datetime.now(UTC)) - aware(since)).total_seconds() / 3600)


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def _amount(raw: str | None) -> Decimal | None:
    value = parse_decimal(raw) if raw else None
    return value if value is not None and Decimal(0) <= value <= MAX_AMOUNT else None
