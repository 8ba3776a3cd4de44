"""What the rewards side tells the programme: tax data per participant and year (data only, not tax
advice), the most-ordered rewards, the redemption rate, the points outstanding (the programme's liability in
points and in PLN at the catalogue's average value of a point) and the rewards running low."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claims.db.models import LedgerEntry, Participant, User
from claims.db.reward_models import PointBalance, Reward, RewardOrder, RewardOrderItem

LOW_STOCK = 5


@dataclass(frozen=True)
class TaxRow:
    participant_id: int
    name: str
    email: str
    company_nip: str
    orders: int
    value_pln: Decimal
    over_threshold: bool


def tax_rows(session: Session, year: int, threshold: Decimal = Decimal("2000")) -> list[TaxRow]:
    """Per participant, the market value (PLN) of the rewards ordered in `year` and not cancelled."""
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    query = (select(Participant.id, User.name, User.email, Participant.company_nip, func.count(RewardOrder.id),
                    func.sum(RewardOrder.value_pln))
             .join(RewardOrder, RewardOrder.participant_id == Participant.id).join(User, User.id == Participant.user_id)
             .where(RewardOrder.status != "cancelled", RewardOrder.created_at >= start, RewardOrder.created_at < end)
             .group_by(Participant.id, User.name, User.email, Participant.company_nip).order_by(Participant.id))
    rows = []
    for pid, name, email, nip, count, value in session.execute(query):
        value = Decimal(str(value or 0)).quantize(Decimal("0.01"))
        rows.append(TaxRow(pid, name, email, nip or "", int(count), value, value > threshold))
    return rows


def tax_csv(session: Session, year: int, threshold: Decimal = Decimal("2000")) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["participant_id", "name", "email", "company_nip", "year", "orders", "value_pln",
                     "over_threshold"])
    for row in tax_rows(session, year, threshold):
        writer.writerow([row.participant_id, _safe(row.name), row.email, row.company_nip, year, row.orders,
                         row.value_pln, int(row.over_threshold)])
    return out.getvalue()


def _safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@dataclass(frozen=True)
class RewardsReport:
    most_ordered: list[tuple[str, int]]
    issued: int
    redeemed: int
    outstanding: int
    point_value_pln: Decimal
    low_stock: list[tuple[str, int]]

    @property
    def redemption_rate(self) -> float:
        return self.redeemed / self.issued if self.issued else 0.0

    @property
    def outstanding_pln(self) -> Decimal:
        return (self.point_value_pln * self.outstanding).quantize(Decimal("0.01"))


def rewards_report(session: Session, top: int = 10) -> RewardsReport:
    ordered = session.execute(
        select(Reward.name, func.sum(RewardOrderItem.quantity)).join(RewardOrderItem.reward).join(RewardOrder)
        .where(RewardOrder.status != "cancelled").group_by(Reward.id, Reward.name)
        .order_by(func.sum(RewardOrderItem.quantity).desc(), Reward.name).limit(top)).all()
    issued = session.scalar(select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
        LedgerEntry.kind.in_(("credit", "reversal")))) or 0
    redeemed = session.scalar(select(func.coalesce(func.sum(RewardOrder.points), 0)).where(
        RewardOrder.status != "cancelled")) or 0
    outstanding = session.scalar(select(func.coalesce(func.sum(PointBalance.points), 0))) or 0
    value, points = session.execute(select(func.coalesce(func.sum(Reward.value_pln), 0),
                                           func.coalesce(func.sum(Reward.points), 0))
                                    .where(Reward.active.is_(True))).one()
    per_point = (Decimal(str(value)) / Decimal(points)) if points else Decimal("0")
    low = session.execute(select(Reward.name, Reward.stock).where(
        Reward.active.is_(True), Reward.stock.is_not(None), Reward.stock <= LOW_STOCK)
        .order_by(Reward.stock, Reward.name)).all()
    return RewardsReport([(n, int(q)) for n, q in ordered], int(issued), int(redeemed), int(outstanding), per_point,
                         [(n, int(s)) for n, s in low])
