"""Reading the review queue's filter form (outlet, status, age, amount) from the query string, safely."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from werkzeug.datastructures import MultiDict

from claims.services.worklists import REVIEW_SLA_HOURS, QueueFilter
from review_ui.formatting import aware
from vocabulary.claims import ClaimStatus
from vocabulary.numbers import parse_decimal

#: "Waiting longer than" choices, in hours: a day, the SLA, a week.
AGE_CHOICES = (24, REVIEW_SLA_HOURS, 7 * 24)
MAX_AMOUNT = Decimal("10000000")


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
    )


def filter_args(wanted: QueueFilter) -> dict[str, str]:
    """The query arguments that reproduce `wanted` (for the pager and the form)."""
    values = {
        "status": wanted.status,
        "outlet": "" if wanted.outlet_id is None else str(wanted.outlet_id),
        "age": "" if wanted.min_age_hours is None else str(wanted.min_age_hours),
        "min_total": "" if wanted.min_total is None else str(wanted.min_total),
        "max_total": "" if wanted.max_total is None else str(wanted.max_total),
    }
    return {k: v for k, v in values.items() if v}


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
