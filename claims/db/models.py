"""The persistent model: SQLAlchemy tables for the programme, participants, claims, decisions and points."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on every database (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware one (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict: JSON, list: JSON}


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(32))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    locale: Mapped[str] = mapped_column(String(5), default="pl")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Raised to end every other session of the user (sessions carry it; see accounts.end_other_sessions).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    participant: Mapped[Participant | None] = relationship(back_populates="user", uselist=False)
    __table_args__ = (
        CheckConstraint("role in ('participant','partner_reviewer','auditor','admin')", name="role"),
        CheckConstraint("role <> 'partner_reviewer' or partner_id is not null", name="reviewer_partner"),
    )


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class Participant(Base):
    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    company_name: Mapped[str] = mapped_column(String(300), default="")
    company_nip: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str] = mapped_column(String(32), default="", server_default="")
    delivery_address: Mapped[str] = mapped_column(String(500), default="", server_default="")
    region: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)  # contest audience
    tier_seen: Mapped[str | None] = mapped_column(String(100))  # the level shown on the last visit (a change noticed)
    # The newest ledger entry the participant has seen a notice about (the points moment is shown once).
    points_seen_entry_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user: Mapped[User] = relationship(back_populates="participant")
    consents: Mapped[list[Consent]] = relationship(back_populates="participant", order_by="Consent.id")


class Consent(Base):
    """One consent given (and perhaps later withdrawn) with the version of the text that was shown."""

    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # rules | marketing | profiling
    text_version: Mapped[str] = mapped_column(String(32))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    participant: Mapped[Participant] = relationship(back_populates="consents")


class Partner(Base):
    __tablename__ = "partners"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    nip: Mapped[str | None] = mapped_column(String(10))
    outlets: Mapped[list[Outlet]] = relationship(back_populates="partner", order_by="Outlet.id")


class Outlet(Base):
    __tablename__ = "outlets"
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    nip: Mapped[str] = mapped_column(String(10), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    partner: Mapped[Partner] = relationship(back_populates="outlets")


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    ean: Mapped[str | None] = mapped_column(String(14), index=True)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(16), default="szt")
    pack_size: Mapped[Decimal] = mapped_column(Numeric(12, 3), default=Decimal("1"))
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    points_per_unit: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PartnerItemName(Base):
    """How one partner's tills print a product; learned when a reviewer corrects a line match."""

    __tablename__ = "partner_item_names"
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    printed_name: Mapped[str] = mapped_column(String(300))
    normalised: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("partner_id", "normalised"),)


class Campaign(Base):
    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    submission_days: Mapped[int] = mapped_column(Integer, default=30)
    points_per_pln: Mapped[Decimal] = mapped_column(Numeric(10, 4), default=Decimal("1"))
    # Points rules beyond points_per_pln (basis, per-unit, bonus, multipliers, minimum, caps) as JSON;
    # claims.services.programme turns them into verification.PointsRules.
    rules: Mapped[dict] = mapped_column(JSON, default=dict)
    eligible_skus: Mapped[list | None] = mapped_column(JSON)  # None: every catalogue product
    require_buyer_nip: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_approve: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    partner_ids: Mapped[list | None] = mapped_column(JSON)  # None: every partner
    outlet_ids: Mapped[list | None] = mapped_column(JSON)  # None: every outlet of those partners


class ProductCodeBatch(Base):
    __tablename__ = "product_code_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    name: Mapped[str] = mapped_column(String(200))
    points: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProductCode(Base):
    """A unique code printed on packaging; `claim_id` is set once, when a claim consumes it."""

    __tablename__ = "product_codes"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("product_code_batches.id"))
    points: Mapped[int] = mapped_column(Integer)
    claim_id: Mapped[str | None] = mapped_column(ForeignKey("claims.id"), index=True)
    used_at: Mapped[datetime | None]


class Claim(Base):
    __tablename__ = "claims"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    kind: Mapped[str] = mapped_column(String(20), default="unknown")
    status: Mapped[str] = mapped_column(String(20), default="received")
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    product_codes: Mapped[list] = mapped_column(JSON, default=list)
    points_proposed: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    lines: Mapped[list] = mapped_column(JSON, default=list)  # line items with their catalogue match
    risk_score: Mapped[float] = mapped_column(default=0.0)
    # Keyed hash of seller NIP + document number + date + total: finds the same document under any account.
    identity_key: Mapped[str | None] = mapped_column(String(64), index=True)
    submitted_ip: Mapped[str | None] = mapped_column(String(45))
    device_id: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    processing_started_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    documents: Mapped[list[Document]] = relationship(back_populates="claim", order_by="Document.position")
    participant: Mapped[Participant] = relationship()
    outlet: Mapped[Outlet | None] = relationship()
    partner: Mapped[Partner | None] = relationship()
    __table_args__ = (
        Index("ix_claims_partner_status_submitted", "partner_id", "status", "submitted_at"),
        Index("ix_claims_status_updated", "status", "updated_at"),
        Index("ix_claims_status_submitted", "status", "submitted_at", "id"),
        Index("ix_claims_status_risk", "status", "risk_score", "submitted_at"),
        Index("ix_claims_status_decided", "status", "decided_at", "participant_id"),  # contests
    )


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    reading: Mapped[dict | None] = mapped_column(JSON)
    extraction: Mapped[dict | None] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(64))
    phash: Mapped[int | None] = mapped_column(BigInteger)  # 64-bit perceptual hash, stored signed
    exif: Mapped[dict | None] = mapped_column(JSON)
    read_at: Mapped[datetime | None]
    claim: Mapped[Claim] = relationship(back_populates="documents")
    __table_args__ = (UniqueConstraint("claim_id", "position"),)


class ImageHashBand(Base):
    """One 16-bit band of a document's perceptual hash (multi-index hashing): any hash within Hamming
    distance 3 of a query shares at least one exact band with it, so near duplicates are found with
    four index lookups instead of a scan."""

    __tablename__ = "image_hash_bands"
    id: Mapped[int] = mapped_column(primary_key=True)
    band: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"))
    phash: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_image_hash_bands_band_value", "band", "value"),)


class Decision(Base):
    """A human or system decision on a claim: who, when, what, why."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))  # approve | reject | reverse
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason_code: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[User | None] = relationship()


class LedgerEntry(Base):
    """Points movement. Append-only: the database refuses UPDATE and DELETE (see the migration). Kinds: a claim's
    credit and reversal, an order's order_debit and order_refund, a staff adjustment, expiry; `cause` (unique)
    names what caused the entry, so each movement happens once (claims.ledger builds the keys)."""

    __tablename__ = "ledger_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    claim_id: Mapped[str | None] = mapped_column(ForeignKey("claims.id"))
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(Integer)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("reward_orders.id"))
    cause: Mapped[str] = mapped_column(String(120), unique=True)
    reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A claim credit's tier multiplier at approval and the level's name ("x1.2 (Srebrny)"); None: no ladder.
    tier_multiplier: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    tier_name: Mapped[str | None] = mapped_column(String(100))
    decision: Mapped[Decision | None] = relationship()
    __table_args__ = (
        # The guarantee behind "credited exactly once": one credit and at most one reversal per claim.
        UniqueConstraint("claim_id", "kind"),
        CheckConstraint("kind in ('credit','reversal','order_debit','order_refund','adjustment','expiry',"
                        "'training','survey','contest_prize','referral','display')", name="kind"),
        CheckConstraint("(kind in ('credit','order_refund','training','survey','contest_prize','referral',"
                        "'display') and "
                        "points >= 0) or (kind in ('reversal','order_debit','expiry') and points <= 0) or "
                        "kind = 'adjustment'",
                        name="sign"),
        Index("ix_ledger_entries_kind_created", "kind", "created_at", "participant_id", "points"),  # contests
    )


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claim_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    """A remembered API answer for (user, Idempotency-Key)."""

    __tablename__ = "idempotency_records"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Blob(Base):
    """File contents kept in the database (BLOB_URL=db://), content-addressed by sha256."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClaimCampaignPart(Base):
    """One campaign's share of a claim's points (a claim may earn in a base programme and a promotion at once)."""

    __tablename__ = "claim_campaign_parts"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (UniqueConstraint("claim_id", "campaign_id"),)


from claims.db import activity_models as _activity_models  # noqa: E402,F401  (trainings, surveys, contests)
from claims.db import display_models as _display_models  # noqa: E402,F401  (display activities)
from claims.db import ksef_models as _ksef_models  # noqa: E402,F401  (exact-evidence tables, same metadata)
from claims.db import reach_models as _reach_models  # noqa: E402,F401  (e-mail campaigns, deliveries, news)
from claims.db import reward_models as _reward_models  # noqa: E402,F401  (the rewards tables, same metadata)
