"""The tables of reaching participants: e-mail campaigns to a segment with one delivery row per recipient
(unique per campaign and participant, so nobody gets a campaign twice), and the news feed of the participants'
home page. A segment is kept as JSON (`claims.services.segments`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from claims.db.models import Base, utcnow


class MailCampaign(Base):
    """One e-mail to a segment: written as a draft, queued by "send", expanded into deliveries by a worker."""

    __tablename__ = "mail_campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown, rendered safely (no raw HTML) in previews
    segment: Mapped[dict] = mapped_column(JSON, default=dict)
    track_opens: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | queued | sending | done
    recipients: Mapped[int | None] = mapped_column(Integer)  # deliveries written when expanded
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime | None]
    expanded_at: Mapped[datetime | None]
    __table_args__ = (CheckConstraint("status in ('draft','queued','sending','done')", name="status"),)


class MailDelivery(Base):
    """One campaign to one participant: queued -> sending (claimed by a batch) -> sent | failed."""

    __tablename__ = "mail_deliveries"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("mail_campaigns.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    error: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    __table_args__ = (
        UniqueConstraint("campaign_id", "participant_id"),  # each recipient exactly once
        CheckConstraint("status in ('queued','sending','sent','failed')", name="status"),
        Index("ix_mail_deliveries_campaign_status", "campaign_id", "status", "id"),
    )


class NewsPost(Base):
    """A news item on the participants' home page from `publish_at`; `segment` None: everyone."""

    __tablename__ = "news_posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    publish_at: Mapped[datetime] = mapped_column(index=True)
    segment: Mapped[dict | None] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
