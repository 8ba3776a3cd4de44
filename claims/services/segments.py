"""Segments of participants for e-mail campaigns and news: by tier, by voivodeship (the region the participant
states in their profile, as contest audiences use it), by city (of the outlets they buy at), by partner (an
approved claim at the partner's outlets) and inactive for N days (no claim submitted in that time; a city
matches an outlet whose city contains it, so "Kraków" finds "31-001 Kraków"). The parts combine: a participant
must match every part given, and any one value within a part.

A segment is always narrowed to active accounts; for e-mail (`marketing=True`) also to participants whose
marketing consent is current (given, not withdrawn). News needs no marketing consent. The selection is one SQL
query (`recipients_query`), so a campaign is expanded with one INSERT … SELECT.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session

from claims.db.models import Claim, Consent, LedgerEntry, Outlet, Participant, Partner, User
from claims.errors import InvalidInputError
from claims.services.tiers import EARNING_KINDS, WINDOW, ladder
from vocabulary.regions import REGIONS

MAX_VALUES = 50
POSTAL_CODE = re.compile(r"\b\d{2}-\d{3}\b")
MAX_INACTIVE_DAYS = 3650


@dataclass(frozen=True)
class Segment:
    """Who a campaign or a news item is for; an empty segment is everyone."""

    tiers: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    partner_ids: tuple[int, ...] = ()
    inactive_days: int | None = None
    regions: tuple[str, ...] = ()

    @property
    def is_everyone(self) -> bool:
        return not (self.tiers or self.cities or self.partner_ids or self.inactive_days or self.regions)

    def as_json(self) -> dict:
        return {"tiers": list(self.tiers), "cities": list(self.cities), "partner_ids": list(self.partner_ids),
                "inactive_days": self.inactive_days, "regions": list(self.regions)}

    @classmethod
    def from_json(cls, data: Mapping | None) -> Segment:
        data = data or {}
        return cls(tuple(data.get("tiers") or ()), tuple(data.get("cities") or ()),
                   tuple(int(p) for p in data.get("partner_ids") or ()), data.get("inactive_days"),
                   tuple(data.get("regions") or ()))


def _refuse(field: str) -> InvalidInputError:
    return InvalidInputError("the segment is not valid", code="bad_segment", field=field)


def _words(raw: str | Iterable[str], field: str, limit: int) -> tuple[str, ...]:
    parts = raw.replace(";", ",").replace("\n", ",").split(",") if isinstance(raw, str) else list(raw)
    values = tuple(dict.fromkeys(" ".join(str(p).split()) for p in parts if str(p).strip()))
    if len(values) > MAX_VALUES or any(len(v) > limit for v in values):
        raise _refuse(field)
    return values


def parse_segment(tiers: str | Iterable[str] = (), cities: str | Iterable[str] = "",
                  partners: str | Iterable[str] = (), inactive_days: str | int | None = "",
                  regions: Iterable[str] = ()) -> Segment:
    """A segment from a form's fields (lists or comma-separated text); `bad_segment` with the field at fault."""
    partner_words = _words(partners, "partners", 12)
    if not all(p.isdigit() for p in partner_words):
        raise _refuse("partners")
    days_text = str(inactive_days if inactive_days is not None else "").strip()
    days = None
    if days_text:
        if not days_text.isdigit() or not 1 <= int(days_text) <= MAX_INACTIVE_DAYS:
            raise _refuse("inactive_days")
        days = int(days_text)
    region_words = _words(regions, "regions", 64)
    if any(region not in REGIONS for region in region_words):
        raise _refuse("regions")
    return Segment(_words(tiers, "tiers", 100), _words(cities, "cities", 100),
                   tuple(sorted({int(p) for p in partner_words})), days, region_words)


def _tier_condition(session: Session, names: tuple[str, ...], now: datetime):
    """Participants whose points earned in the last 12 months fall within one of the named levels."""
    levels = ladder(session)
    ranges = []
    for index, level in enumerate(levels):
        if level.name in names:
            upper = levels[index + 1].min_points if index + 1 < len(levels) else None
            ranges.append((level.min_points, upper))
    if not ranges:
        return false()
    earned = (select(func.coalesce(func.sum(LedgerEntry.points), 0))
              .where(LedgerEntry.participant_id == Participant.id, LedgerEntry.kind.in_(EARNING_KINDS),
                     LedgerEntry.created_at >= now - WINDOW).scalar_subquery())
    earned = func.greatest(earned, 0) if session.get_bind().dialect.name == "postgresql" else func.max(earned, 0)
    return or_(*[and_(earned >= low, earned < high) if high is not None else earned >= low
                 for low, high in ranges])


def _approved_at(*conditions):
    return exists(select(Claim.id).join(Outlet, Outlet.id == Claim.outlet_id)
                  .where(Claim.participant_id == Participant.id, Claim.status == "approved", *conditions))


def segment_conditions(session: Session, segment: Segment, *, marketing: bool, now: datetime | None = None) -> list:
    """The WHERE conditions on `participants` joined to `users` that select the segment."""
    now = now or datetime.now(UTC)
    conditions = [User.active.is_(True)]
    if marketing:
        conditions.append(exists(select(Consent.id).where(
            Consent.participant_id == Participant.id, Consent.kind == "marketing", Consent.withdrawn_at.is_(None))))
    if segment.tiers:
        conditions.append(_tier_condition(session, segment.tiers, now))
    if segment.cities:
        conditions.append(_approved_at(or_(*[func.lower(Outlet.city).contains(city.lower(), autoescape=True)
                                             for city in segment.cities])))
    if segment.regions:
        conditions.append(Participant.region.in_(segment.regions))
    if segment.partner_ids:
        conditions.append(_approved_at(Outlet.partner_id.in_(segment.partner_ids)))
    if segment.inactive_days:
        since = now - timedelta(days=segment.inactive_days)
        conditions.append(~exists(select(Claim.id).where(Claim.participant_id == Participant.id,
                                                         Claim.submitted_at >= since)))
    return conditions


def recipients_query(session: Session, segment: Segment, *, marketing: bool = True,
                     now: datetime | None = None) -> Select:
    """SELECT participants.id of the segment (e-mail: with a current marketing consent)."""
    return (select(Participant.id).join(User, User.id == Participant.user_id)
            .where(*segment_conditions(session, segment, marketing=marketing, now=now)))


def count_recipients(session: Session, segment: Segment, *, marketing: bool = True) -> int:
    """How many participants the segment reaches now (shown before a campaign is sent)."""
    query = recipients_query(session, segment, marketing=marketing).subquery()
    return int(session.scalar(select(func.count()).select_from(query)) or 0)


def in_segment(session: Session, segment: Segment | None, participant_id: int) -> bool:
    """Whether one participant is in the segment (news: no marketing consent needed)."""
    if segment is None or segment.is_everyone:
        return True
    query = recipients_query(session, segment, marketing=False).where(Participant.id == participant_id)
    return session.scalar(query) is not None


def segment_choices(session: Session) -> dict:
    """What a segment form offers: the ladder's names, the voivodeships, the partners, the outlets' cities."""
    cities = session.scalars(select(Outlet.city).where(Outlet.city != "").distinct())
    return {"tiers": [level.name for level in ladder(session)], "regions": list(REGIONS),
            "partners": list(session.execute(select(Partner.id, Partner.name).order_by(Partner.name))),
            "cities": sorted({POSTAL_CODE.sub("", city).strip() for city in cities} - {""})}
