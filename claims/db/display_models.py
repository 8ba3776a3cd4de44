"""The tables of display activities: what the admin defines (period, points, outlets, checklist, frequency) and
each display claim's activity, outlet and slot. The claim itself is an ordinary `claims` row of kind `display`
(same upload, queue and review); its points go through the ledger (kind `display`, cause `display:<claim>`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claims.db.models import Base, Outlet, utcnow


class DisplayActivity(Base):
    """A display to photograph at the listed outlets in [starts_on, ends_on]; `frequency` once | month | week
    (per outlet); the reviewer ticks `checklist`, and approval needs `min_ticked` ticks (None: every item)."""

    __tablename__ = "display_activities"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    points: Mapped[int] = mapped_column(Integer)
    outlet_ids: Mapped[list] = mapped_column(JSON, default=list)
    checklist: Mapped[list] = mapped_column(JSON, default=list)
    min_ticked: Mapped[int | None] = mapped_column(Integer)
    frequency: Mapped[str] = mapped_column(String(8), default="month")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (
        CheckConstraint("points >= 0", name="points_not_negative"),
        CheckConstraint("ends_on >= starts_on", name="period"),
        CheckConstraint("frequency in ('once','month','week')", name="frequency"),
    )


class DisplayClaim(Base):
    """A display claim's activity, outlet and frequency slot; `checked` are the items the approving reviewer
    ticked; `credited_slot` is set to `slot` by the approval, and its unique key with the activity and outlet
    means one slot of one outlet is credited once, however many reviewers approve at the same moment."""

    __tablename__ = "display_claims"
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("display_activities.id"))
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"))
    slot: Mapped[str] = mapped_column(String(16))
    checked: Mapped[list] = mapped_column(JSON, default=list)
    credited_slot: Mapped[str | None] = mapped_column(String(16))
    activity: Mapped[DisplayActivity] = relationship()
    outlet: Mapped[Outlet] = relationship()
    __table_args__ = (
        Index("ix_display_claims_slot", "activity_id", "outlet_id", "slot"),
        UniqueConstraint("activity_id", "outlet_id", "credited_slot"),
    )
