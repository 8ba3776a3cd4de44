"""The rewards tables: the catalogue, the pool of electronic codes, orders with their items and history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claims.db.models import Base, User, utcnow


class PointBalance(Base):
    """A participant's balance kept next to the ledger: the row every debit locks, never below zero."""

    __tablename__ = "point_balances"
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (CheckConstraint("points >= 0", name="not_negative"),)


class Reward(Base):
    """One reward of the catalogue. `stock` None means unlimited; a code reward's stock is its unused codes."""

    __tablename__ = "rewards"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(100), default="", index=True)
    points: Mapped[int] = mapped_column(Integer)
    value_pln: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    delivery: Mapped[str] = mapped_column(String(16), default="physical")  # physical | code | topup
    topup_pln: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    stock: Mapped[int | None] = mapped_column(Integer)
    limit_per_participant: Mapped[int | None] = mapped_column(Integer)
    available_from: Mapped[date | None] = mapped_column(Date)
    available_until: Mapped[date | None] = mapped_column(Date)
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (
        CheckConstraint("points > 0", name="points_positive"),
        CheckConstraint("stock is null or stock >= 0", name="stock_not_negative"),
        CheckConstraint("delivery in ('physical','code','topup')", name="delivery"),
    )


class RewardCode(Base):
    """One electronic code of a reward's pool; `order_item_id` is set once, when an order takes it."""

    __tablename__ = "reward_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("rewards.id"))
    code: Mapped[str] = mapped_column(String(200))
    order_item_id: Mapped[int | None] = mapped_column(ForeignKey("reward_order_items.id"), index=True)
    shown_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (
        UniqueConstraint("reward_id", "code"),
        Index("ix_reward_codes_free", "reward_id", "order_item_id"),
    )


class RewardOrder(Base):
    """A participant's order: placed -> approved -> sent -> delivered, or cancelled (points refunded once)."""

    __tablename__ = "reward_orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="placed")
    points: Mapped[int] = mapped_column(Integer)
    value_pln: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery_address: Mapped[str] = mapped_column(String(500), default="")
    tracking: Mapped[str] = mapped_column(String(100), default="")
    tax_details: Mapped[dict | None] = mapped_column(JSON)
    cause: Mapped[str | None] = mapped_column(String(120), unique=True)  # a prize order: contest:<id>:place:<n>
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    items: Mapped[list[RewardOrderItem]] = relationship(back_populates="order", order_by="RewardOrderItem.id")
    __table_args__ = (
        CheckConstraint("status in ('placed','approved','sent','delivered','cancelled')", name="status"),
        CheckConstraint("points > 0", name="points_positive"),
        Index("ix_reward_orders_status_created", "status", "created_at"),
    )


class RewardOrderItem(Base):
    __tablename__ = "reward_order_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("reward_orders.id"), index=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("rewards.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)  # per unit, as priced when ordered
    value_pln: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    order: Mapped[RewardOrder] = relationship(back_populates="items")
    reward: Mapped[Reward] = relationship()
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)


class RewardOrderEvent(Base):
    """One change of an order's status: who, when, from what to what (the order's history)."""

    __tablename__ = "reward_order_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("reward_orders.id"), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[User | None] = relationship()


class ExpiryNotice(Base):
    """The one e-mail warning a participant gets about points expiring on a day (sent 30 days before)."""

    __tablename__ = "expiry_notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    expires_on: Mapped[date] = mapped_column(Date)
    points: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("participant_id", "expires_on"),)
