"""Tiers: levels such as Brązowy, Srebrny and Złoty reached by the points earned in the last 12 months (read
from the ledger: claim credits less their reversals, trainings, surveys and contest prizes; spending, expiry
and staff adjustments do not count), each with a multiplier on purchase points. A participant sees their level,
the multiplier, and what is missing to the next level; a level falls when points leave the 12-month window,
and the next visit says so (`tier_change`). A claim's credit is multiplied by the level at approval
(claims.ledger.credit_points)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from claims.db.activity_models import Tier
from claims.db.models import LedgerEntry, Participant
from claims.errors import InvalidInputError

EARNING_KINDS = ("credit", "reversal", "training", "survey", "contest_prize", "display")
WINDOW = timedelta(days=365)
MAX_TIERS = 10


@dataclass(frozen=True)
class TierStatus:
    earned: int
    tier: Tier | None
    next_tier: Tier | None

    @property
    def multiplier(self) -> Decimal:
        return self.tier.multiplier if self.tier else Decimal("1")

    @property
    def missing(self) -> int:
        """Points still to earn (within 12 months) for the next level; 0 at the top."""
        return max(0, self.next_tier.min_points - self.earned) if self.next_tier else 0


def ladder(session: Session) -> list[Tier]:
    return list(session.scalars(select(Tier).order_by(Tier.min_points)))


def earned_points(session: Session, participant_id: int, now: datetime | None = None) -> int:
    since = (now or datetime.now(UTC)) - WINDOW
    total = session.scalar(select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
        LedgerEntry.participant_id == participant_id, LedgerEntry.kind.in_(EARNING_KINDS),
        LedgerEntry.created_at >= since))
    return max(0, int(total or 0))


def tier_status(session: Session, participant_id: int, now: datetime | None = None) -> TierStatus | None:
    """The participant's level now; None when the programme has no ladder."""
    levels = ladder(session)
    if not levels:
        return None
    earned = earned_points(session, participant_id, now)
    reached = [level for level in levels if level.min_points <= earned]
    higher = [level for level in levels if level.min_points > earned]
    return TierStatus(earned, reached[-1] if reached else None, higher[0] if higher else None)


def tier_change(session: Session, participant_id: int, now: datetime | None = None) -> tuple[TierStatus | None, str]:
    """The participant's level, and "promoted" or "demoted" when it is not the level they were last shown
    (a participant never shown one is taken as on the lowest level); remembers the level now shown."""
    status = tier_status(session, participant_id, now)
    participant = session.get(Participant, participant_id)
    if status is None or participant is None:
        return status, ""
    current = status.tier.name if status.tier else None
    thresholds = {level.name: level.min_points for level in ladder(session)}
    seen = participant.tier_seen
    change = ""
    if current != seen and (seen is None or seen in thresholds):
        before, after = thresholds.get(seen or "", 0), thresholds.get(current or "", 0)
        change = "promoted" if after > before else "demoted" if after < before else ""
    if current != seen:
        participant.tier_seen = current
    return status, change


def parse_ladder(source: str | list) -> list[dict]:
    """The ladder from `name; min_points; multiplier` lines (or a list of dicts), lowest first; the lowest
    level starts at 0 points, thresholds and multipliers rise."""
    rows = source if isinstance(source, list) else [
        dict(zip(("name", "min_points", "multiplier"), (p.strip() for p in line.split(";")), strict=False))
        for line in (source or "").splitlines() if line.strip()]
    levels = []
    for row in rows[:MAX_TIERS + 1]:
        try:
            level = {"name": str(row.get("name") or "").strip()[:100], "min_points": int(row.get("min_points")),
                     "multiplier": Decimal(str(row.get("multiplier") or "1").replace(",", "."))}
        except (TypeError, ValueError, InvalidOperation) as exc:
            raise InvalidInputError("a level is name; points; multiplier", code="bad_tier") from exc
        if not level["name"] or level["min_points"] < 0 or not Decimal("1") <= level["multiplier"] <= Decimal("10"):
            raise InvalidInputError("a level is name; points; multiplier", code="bad_tier")
        levels.append(level)
    levels.sort(key=lambda level: level["min_points"])
    if not 1 <= len(levels) <= MAX_TIERS or levels[0]["min_points"] != 0:
        raise InvalidInputError("the lowest level starts at 0 points", code="bad_tier")
    for lower, upper in zip(levels, levels[1:], strict=False):
        if upper["min_points"] == lower["min_points"] or upper["multiplier"] < lower["multiplier"]:
            raise InvalidInputError("thresholds and multipliers rise level by level", code="bad_tier")
    if len({level["name"] for level in levels}) != len(levels):
        raise InvalidInputError("each level has its own name", code="bad_tier")
    return levels


def save_ladder(session: Session, levels: list[dict]) -> list[Tier]:
    """Replace the ladder (levels are computed on every read, so nothing else changes)."""
    session.execute(delete(Tier))
    session.flush()
    session.add_all(Tier(**level) for level in levels)
    session.flush()
    return ladder(session)


def ladder_text(levels: list[Tier]) -> str:
    return "\n".join(f"{level.name}; {level.min_points}; {level.multiplier}" for level in levels)
