"""A reviewer's corrections of what was read from a claim's documents, recorded with before and after."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import update
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.models import Claim, User
from claims.errors import ConflictError, InvalidInputError, PermissionDeniedError
from claims.roles import STAFF_ROLES, Role
from claims.services.claim_points import recount_claim
from claims.services.review import get_visible_claim
from vocabulary.claims import REVIEW_STATES, ClaimKind, ClaimStatus
from vocabulary.fields import EDITABLE_FIELDS, FieldType, field_spec
from vocabulary.nip import nip_is_valid, normalise_nip
from vocabulary.numbers import parse_decimal

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_MAX_AMOUNT = Decimal("10000000")


_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


def clean_field(name: str, raw: str) -> str:
    """The stored form of a corrected value, or InvalidInputError: `too_long` (with the field's `limit` and
    the typed `length`: text is refused, never cut) or `bad_field` (with the field's `type`, so the message
    can say which format is expected)."""
    spec = field_spec(name)
    value = " ".join(raw.split())
    if len(value) > spec.max_length:
        raise InvalidInputError(f"{name} is longer than {spec.max_length}", code="too_long", field=name,
                                limit=spec.max_length, length=len(value))
    if not value:
        return ""
    try:
        return _normalise(spec.type, value)
    except (ValueError, InvalidOperation) as exc:
        raise InvalidInputError(f"{name} is not valid", code="bad_field", field=name,
                                type=str(spec.type)) from exc


def field_problems(submitted: dict[str, str]) -> dict[str, InvalidInputError]:
    """Every submitted field that cannot be stored, with why (all of them, not just the first)."""
    problems = {}
    for name in EDITABLE_FIELDS:
        if name in submitted:
            try:
                clean_field(name, submitted[name])
            except InvalidInputError as error:
                problems[name] = error
    return problems


def parse_day(value: str) -> date:
    """A date typed as 2026-11-14, 14.11.2026, 14/11/2026 or 14-11-2026 (day first, as Poland writes it)."""
    found = _DAY_FIRST.match(value)
    if found:
        return date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
    return date.fromisoformat(value)


def _normalise(kind: FieldType, value: str) -> str:
    """The stored form of `value` by the field's type (the field table says which)."""
    if kind is FieldType.MONEY:
        amount = parse_decimal(value)
        if amount is None or amount < 0 or amount > _MAX_AMOUNT:
            raise ValueError(value)
        return str(amount.quantize(Decimal("0.01")))
    if kind is FieldType.NIP:
        if not nip_is_valid(value):
            raise ValueError(value)
        return normalise_nip(value)
    if kind is FieldType.DATE:
        return parse_day(value).isoformat()
    if kind is FieldType.TIME and not _TIME.match(value):
        raise ValueError(value)
    return value


def may_correct(user: User, claim: Claim) -> bool:
    """Whoever may decide the claim now may correct it: partners while pending, staff while pending or flagged
    (a display photo has no read fields to correct)."""
    if claim.kind == ClaimKind.DISPLAY:
        return False
    if claim.status == ClaimStatus.PENDING_REVIEW:
        return Role(user.role) in (Role.PARTNER_REVIEWER, *STAFF_ROLES)
    return claim.status == ClaimStatus.FLAGGED and Role(user.role) in STAFF_ROLES


def correct_fields(
    session: Session, user: User, claim_id: str, submitted: dict[str, str]
) -> dict[str, tuple[str | None, str | None]]:
    """Save corrected fields on a claim under review and record an audit event with the values before and after.

    Points come from the claim's lines, so a corrected total leaves them as they are; a corrected purchase date
    counts them again (multipliers by date, caps per day and month of the purchase: `recount_claim`).
    Returns {field: (before, after)} of what changed.
    """
    claim = get_visible_claim(session, user, claim_id)
    if not may_correct(user, claim):
        if claim.status not in REVIEW_STATES:
            raise ConflictError("the claim is no longer under review", code="already_decided")
        raise PermissionDeniedError("flagged claims are corrected by auditors")
    problems = field_problems(submitted)
    if problems:
        first = next(iter(problems.values()))
        raise InvalidInputError(first.message, code="bad_fields", problems=problems, **first.details)
    fields = dict(claim.fields or {})
    changes = _changes(fields, submitted)
    if not changes:
        return {}
    for name, (_, after) in changes.items():
        if after:
            fields[name] = after
        else:
            fields.pop(name, None)
    values: dict = {"fields": fields}
    before_points = claim.points_proposed
    if "total" in changes:
        values["total"] = Decimal(fields["total"]) if fields.get("total") else None
    if "date" in changes:
        values.update(recount_claim(session, claim, fields))
    _save(session, claim, values)
    record_event(
        session, "claim_fields_corrected", actor_user_id=user.id, claim_id=claim.id,
        before={**{k: b for k, (b, _) in changes.items()}, "points_proposed": before_points},
        after={**{k: a for k, (_, a) in changes.items()}, "points_proposed": values.get("points_proposed",
                                                                                      before_points)},
    )
    return changes


def preview_points(session: Session, user: User, claim_id: str, submitted: dict[str, str]) -> tuple[int, int]:
    """The claim's points now and what they would be with these corrections (nothing is saved): only a
    corrected purchase date changes them (multipliers and caps by date, campaigns by period)."""
    claim = get_visible_claim(session, user, claim_id)
    if not may_correct(user, claim):
        raise PermissionDeniedError("this claim cannot be corrected now")
    fields = dict(claim.fields or {})
    try:
        changes = _changes(fields, submitted)
    except InvalidInputError:
        return claim.points_proposed, claim.points_proposed
    if "date" not in changes:
        return claim.points_proposed, claim.points_proposed
    after = changes["date"][1]
    counted = recount_claim(session, claim, {**fields, "date": after} if after else
                            {k: v for k, v in fields.items() if k != "date"}, store=False)
    return claim.points_proposed, counted.get("points_proposed", claim.points_proposed)


def _changes(fields: dict, submitted: dict[str, str]) -> dict[str, tuple[str | None, str | None]]:
    changes = {}
    for name in EDITABLE_FIELDS:
        if name not in submitted:
            continue
        after = clean_field(name, submitted[name]) or None
        before = fields.get(name)
        before = None if before in (None, "") else str(before)
        if after != before:
            changes[name] = (before, after)
    return changes


def _save(session: Session, claim: Claim, values: dict) -> None:
    """Compare-and-set on the status: a claim decided meanwhile is not silently edited."""
    result = session.execute(
        update(Claim)
        .where(Claim.id == claim.id, Claim.status == claim.status)
        .values(updated_at=datetime.now(UTC), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ConflictError("the claim changed meanwhile", code="status_changed")
    session.expire(claim)
