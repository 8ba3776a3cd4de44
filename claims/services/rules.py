"""Loading what the programme rules need from the database, and saving what they found.

verification/ is pure: this module turns rows into its plain values (campaign, outlets, catalogue index,
the participant's history, earlier claims that may be the same purchase) and stores the hashes it keys on.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, or_, select, tuple_
from sqlalchemy.orm import Session

from claims.db.ksef_models import DocumentKey
from claims.db.models import (
    Campaign,
    Claim,
    ClaimCampaignPart,
    Document,
    ImageHashBand,
    Outlet,
    PartnerItemName,
    Product,
)
from verification import programme as v
from verification.catalogue import CatalogueIndex
from verification.duplicates import band_probes, hash_bands
from verification.facts import parse_date
from vocabulary.claims import ClaimStatus
from vocabulary.numbers import parse_decimal

#: Claims whose points count against caps (credited, or on their way to be).
COUNTED_STATES = (ClaimStatus.APPROVED, ClaimStatus.PENDING_REVIEW, ClaimStatus.FLAGGED)
HISTORY_LIMIT = 200
_catalogue_cache: dict[str, tuple[tuple, CatalogueIndex]] = {}


def identity_secret(secret_key: str) -> bytes:
    """The key of the document identity hashes, derived from SECRET_KEY (rotating it resets duplicate keys)."""
    return hmac.new(secret_key.encode(), b"paragon/document-identity/v1", hashlib.sha256).digest()


def campaign_values(row: Campaign) -> v.Campaign:
    """The campaign as the rules see it; `rules` JSON fills in what points_per_pln does not say."""
    rules = row.rules or {}
    caps = rules.get("caps") or {}
    multipliers = tuple(
        v.Multiplier(factor=Decimal(str(m["factor"])), skus=frozenset(m["skus"]) if m.get("skus") else None,
                     from_date=parse_date(m.get("from_date")), to_date=parse_date(m.get("to_date")))
        for m in rules.get("multipliers", ())
    )
    points = v.PointsRules(
        per_unit=rules.get("per_unit"), per_pln=Decimal(str(rules.get("per_pln", row.points_per_pln))),
        basis=v.Basis(rules.get("basis", "gross")), fixed_bonus=int(rules.get("fixed_bonus", 0)),
        multipliers=multipliers, minimum_purchase=Decimal(str(rules.get("minimum_purchase", "0"))),
        caps=v.Caps(caps.get("per_day"), caps.get("per_month"), caps.get("per_campaign")),
    )
    return v.Campaign(code=row.code, starts_on=row.starts_on, ends_on=row.ends_on,
                      submission_days=row.submission_days,
                      eligible_skus=frozenset(row.eligible_skus) if row.eligible_skus is not None else None,
                      rules=points, require_buyer_nip=row.require_buyer_nip, auto_approve=row.auto_approve,
                      partner_ids=frozenset(row.partner_ids) if row.partner_ids is not None else None,
                      outlet_ids=frozenset(row.outlet_ids) if row.outlet_ids is not None else None)


def outlet_values(session: Session) -> dict[str, v.Outlet]:
    """Every active outlet by NIP (all of them: an unreadable NIP is matched by name and address)."""
    rows = session.scalars(select(Outlet).where(Outlet.active.is_(True)))
    return {o.nip: v.Outlet(id=o.id, partner_id=o.partner_id, nip=o.nip, name=o.name,
                            address=f"{o.address} {o.city}".strip(), aliases=tuple(o.aliases or ()))
            for o in rows}


def catalogue_version(session: Session) -> tuple:
    """Changes whenever a product or a learned partner name is added or changed."""
    products = session.execute(select(func.count(Product.id), func.max(Product.id),
                                      func.sum(func.length(Product.name) + func.length(Product.sku)))).one()
    names = session.execute(select(func.count(PartnerItemName.id), func.max(PartnerItemName.id))).one()
    return (*products, *names)


def catalogue_index(session: Session) -> CatalogueIndex:
    """The catalogue index, rebuilt only when the catalogue changed (kept per process)."""
    version = catalogue_version(session)
    cached = _catalogue_cache.get("index")
    if cached is not None and cached[0] == version:
        return cached[1]
    names: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for entry in session.scalars(select(PartnerItemName)):
        names[entry.product_id][entry.partner_id].append(entry.printed_name)
    products = [
        v.Product(id=p.id, sku=p.sku, ean=p.ean, name=p.name, unit=p.unit, pack_size=p.pack_size,
                  aliases=tuple(p.aliases or ()), points_per_unit=p.points_per_unit,
                  partner_names={k: tuple(n) for k, n in names[p.id].items()})
        for p in session.scalars(select(Product).where(Product.active.is_(True)).order_by(Product.id))
    ]
    index = CatalogueIndex.build(products)
    _catalogue_cache["index"] = (version, index)
    return index


def history_for(session: Session, claim: Claim, campaign_id: int | None, outlet_ids: list[int],
                now: datetime) -> v.History:
    """The participant's, device's and address's earlier activity that caps and velocity rules look at."""
    counted = points_history(session, claim, campaign_id)
    earlier = select(Claim).where(Claim.id != claim.id)
    mine = session.scalars(earlier.where(Claim.participant_id == claim.participant_id)
                           .order_by(Claim.submitted_at.desc()).limit(HISTORY_LIMIT)).all()
    outlet_totals = {
        outlet_id: tuple(t for t in session.scalars(
            select(Claim.total).where(Claim.outlet_id == outlet_id, Claim.total.is_not(None), Claim.id != claim.id)
            .order_by(Claim.submitted_at.desc()).limit(HISTORY_LIMIT)))
        for outlet_id in outlet_ids
    }
    return replace(
        counted,
        claim_totals=tuple(c.total for c in mine if c.total is not None),
        outlet_totals=outlet_totals,
        submissions=tuple(c.submitted_at for c in mine if c.submitted_at >= now - timedelta(days=1)),
        device_submissions=_events(session, earlier, Claim.device_id, claim.device_id, now - timedelta(days=30)),
        ip_submissions=_events(session, earlier, Claim.submitted_ip, claim.submitted_ip, now - timedelta(days=1)),
    )


def points_history(session: Session, claim: Claim, campaign_id: int | None) -> v.History:
    """The participant's other claims' points that the caps count (credited, or on their way to be), by purchase
    day, by month and in the campaign; the rest of History is left empty.

    A claim that earns in several campaigns counts its part in each (ClaimCampaignPart); a claim without parts
    counts whole in its own campaign."""
    by_day: dict = defaultdict(int)
    by_month: dict = defaultdict(int)
    total = 0
    mine = (Claim.participant_id == claim.participant_id, Claim.id != claim.id,
            Claim.status.in_([s.value for s in COUNTED_STATES]))
    has_parts = select(ClaimCampaignPart.id).where(ClaimCampaignPart.claim_id == Claim.id).exists()
    whole = session.execute(select(Claim.fields, Claim.points_proposed).where(
        *mine, Claim.campaign_id == campaign_id, ~has_parts)).all()
    parts = session.execute(select(Claim.fields, ClaimCampaignPart.points).join(
        ClaimCampaignPart, ClaimCampaignPart.claim_id == Claim.id).where(
        *mine, ClaimCampaignPart.campaign_id == campaign_id)).all()
    for fields, points in [*whole, *parts]:
        total += points
        day = parse_date((fields or {}).get("date"))
        if day is not None:
            by_day[day] += points
            by_month[v.month_key(day)] += points
    return v.History(points_by_day=dict(by_day), points_by_month=dict(by_month), points_in_campaign=total)


def _events(session: Session, earlier, column, value: str | None, since: datetime) -> tuple:
    """Earlier submissions (anyone's) from the same device id or address since `since`."""
    if not value:
        return ()
    rows = session.execute(earlier.with_only_columns(Claim.submitted_at, Claim.participant_id)
                           .where(column == value, Claim.submitted_at >= since))
    return tuple(v.SubmissionEvent(at=at, participant_id=pid) for at, pid in rows)


def priors_for(session: Session, claim: Claim, sha256s: list[str], phashes: list[int],
               identity_key: str | None, document_keys: frozenset[str] = frozenset()) -> list[v.PriorClaim]:
    """Earlier claims, of anyone, that share a file, the document identity, an exact KSeF identity
    (`verification.ksef.document_keys`) or a perceptual-hash band.

    Only claims submitted before this one count (ties by id): of two copies of one receipt the first stays
    valid whichever is processed first, and a later copy never makes the original a duplicate.
    """
    conditions = []
    if sha256s:
        conditions.append(Claim.id.in_(select(Document.claim_id).where(Document.sha256.in_(sha256s))))
    if identity_key:
        conditions.append(Claim.identity_key == identity_key)
    if document_keys:
        conditions.append(Claim.id.in_(select(DocumentKey.claim_id).where(DocumentKey.key.in_(sorted(document_keys)))))
    probes = [p for h in phashes for p in band_probes(h)]
    if probes:
        hits = select(ImageHashBand.claim_id).where(tuple_(ImageHashBand.band, ImageHashBand.value).in_(probes))
        conditions.append(Claim.id.in_(hits))
    if not conditions:
        return []
    earlier = or_(Claim.submitted_at < claim.submitted_at,
                  (Claim.submitted_at == claim.submitted_at) & (Claim.id < claim.id))
    rows = session.scalars(select(Claim).where(or_(*conditions), earlier).limit(100)).all()
    return [_prior(session, row) for row in rows]


def _prior(session: Session, row: Claim) -> v.PriorClaim:
    documents = session.execute(select(Document.sha256, Document.phash).where(Document.claim_id == row.id)).all()
    keys = session.scalars(select(DocumentKey.key).where(DocumentKey.claim_id == row.id)).all()
    fields = row.fields or {}
    return v.PriorClaim(
        id=row.id, participant_id=row.participant_id, sha256s=frozenset(d.sha256 for d in documents),
        phashes=tuple(to_unsigned(d.phash) for d in documents if d.phash is not None),
        identity_key=row.identity_key, status=row.status, seller_nip=fields.get("seller_nip"),
        date=parse_date(fields.get("date")), total=parse_decimal(fields.get("total")),
        document_keys=frozenset(keys), xml_hash=fields.get("xml_hash"), qr_hash=fields.get("qr_hash"),
    )


def save_document_keys(session: Session, claim_id: str, keys: frozenset[str]) -> frozenset[str]:
    """Record the exact identities of a claim's invoice (replacing an earlier run's); returns `keys`."""
    session.execute(delete(DocumentKey).where(DocumentKey.claim_id == claim_id))
    session.add_all(DocumentKey(claim_id=claim_id, key=key) for key in sorted(keys))
    session.flush()
    return keys


def to_signed(h: int) -> int:
    """A 64-bit unsigned hash as the signed value a BIGINT column holds."""
    return h - (1 << 64) if h >= (1 << 63) else h


def to_unsigned(h: int) -> int:
    return h + (1 << 64) if h < 0 else h


def save_document_hash(session: Session, document_id: int, claim_id: str, phash: int) -> None:
    """Store a document's perceptual hash and its four band rows (idempotent for a re-run)."""
    document = session.get(Document, document_id)
    if document is None or document.phash is not None:
        return
    document.phash = to_signed(phash)
    for band, value in enumerate(hash_bands(phash)):
        session.add(ImageHashBand(band=band, value=value, document_id=document_id, claim_id=claim_id,
                                  phash=to_signed(phash)))
