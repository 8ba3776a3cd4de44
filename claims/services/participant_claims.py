"""A participant's own claims as they see them: the list (newest first, in pages), each claim's stage, the
reasons and points they may see (`claims.services.outcomes`), and what each ledger line was for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from claims.db.models import Claim, Decision, LedgerEntry, Outlet
from claims.services.outcomes import claim_stage, participant_points, participant_reasons
from vocabulary.fields import PARTICIPANT_FIELDS

MAX_PAGE = 100
#: What a claim's fields carry besides the field table's: the read lines and a code claim's codes.
LIST_FIELDS = ("items", "product_codes")


def participant_fields(fields: dict | None) -> dict:
    """The fields a participant sees (the field table's `participant` flag), then the lines and codes."""
    fields = fields or {}
    shown = {name: fields[name] for name in PARTICIPANT_FIELDS if fields.get(name) not in (None, "")}
    shown.update({name: fields[name] for name in LIST_FIELDS if name in fields})
    return shown


def unread_documents(claim: Claim) -> int:
    """How many of the claim's documents the worker has not read yet."""
    return sum(1 for d in claim.documents if d.read_at is None)


def credited_by_claim(session: Session, claim_ids: Iterable[str]) -> dict[str, int]:
    """Net points each claim brought into the ledger (credit plus any reversal); claims without entries absent."""
    ids = list(claim_ids)
    if not ids:
        return {}
    rows = session.execute(select(LedgerEntry.claim_id, func.sum(LedgerEntry.points))
                           .where(LedgerEntry.claim_id.in_(ids)).group_by(LedgerEntry.claim_id))
    return {claim_id: int(points) for claim_id, points in rows}


def appealed_claims(session: Session, claim_ids: Iterable[str]) -> set[str]:
    """The claims among `claim_ids` whose one appeal has been used."""
    ids = list(claim_ids)
    if not ids:
        return set()
    query = select(Decision.claim_id).where(Decision.claim_id.in_(ids), Decision.action == "appeal")
    return set(session.scalars(query))


def participant_claim_view(claim: Claim, locale: str, credited: int | None, appealed: bool) -> dict:
    """The claim JSON a participant gets: no internal reason, risk score or staff note, the points it is worth."""
    points = participant_points(claim.status, claim.points_proposed, credited)
    return {
        "id": claim.id,
        "status": claim.status,
        "stage": str(claim_stage(claim.status, unread_documents(claim))),
        "kind": claim.kind,
        "reasons": [r.to_dict() for r in participant_reasons(claim.reasons, claim.status, locale, appealed)],
        "fields": participant_fields(claim.fields),
        "points": points.points,
        "points_kind": points.kind,
        "documents": len(claim.documents),
        "submitted_at": claim.submitted_at.isoformat() if claim.submitted_at else None,
    }


@dataclass(frozen=True)
class ClaimPage:
    """One page of a participant's claims, newest first."""

    claims: list[Claim]
    credited: dict[str, int]
    appealed: set[str]
    total: int
    limit: int
    offset: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.claims) < self.total


def own_claims(session: Session, participant_id: int, limit: int = 20, offset: int = 0) -> ClaimPage:
    """The participant's claims, newest first, `limit` (1-100) from `offset`, with what their views need."""
    limit, offset = min(max(limit, 1), MAX_PAGE), max(offset, 0)
    mine = Claim.participant_id == participant_id
    claims = list(session.scalars(select(Claim).where(mine).options(selectinload(Claim.documents))
                                  .order_by(Claim.submitted_at.desc(), Claim.id.desc()).limit(limit).offset(offset)))
    total = int(session.scalar(select(func.count()).select_from(Claim).where(mine)) or 0)
    ids = [c.id for c in claims]
    return ClaimPage(claims, credited_by_claim(session, ids), appealed_claims(session, ids), total, limit, offset)


@dataclass(frozen=True)
class EntrySource:
    """What a ledger line was for, in the participant's words: the shop and the purchase date."""

    shop: str
    purchased_on: str


def entry_sources(session: Session, entries: Iterable[LedgerEntry]) -> dict[str, EntrySource]:
    """The shop (outlet, else the seller's name as read) and the purchase date of each entry's claim."""
    ids = {e.claim_id for e in entries if e.claim_id}
    if not ids:
        return {}
    rows = session.execute(select(Claim.id, Claim.fields, Claim.submitted_at, Outlet.name, Outlet.city)
                           .outerjoin(Outlet, Outlet.id == Claim.outlet_id).where(Claim.id.in_(ids)))
    sources = {}
    for claim_id, fields, submitted_at, outlet, city in rows:
        fields = fields or {}
        shop = f"{outlet}, {city}" if outlet and city else outlet or fields.get("seller_name") or ""
        day = fields.get("date") or (submitted_at.date().isoformat() if submitted_at else "")
        sources[claim_id] = EntrySource(str(shop), str(day))
    return sources

