"""E-mails about rewards: an order's change of status (with its electronic codes once they are given) and
the warning 30 days before points expire. The texts are the catalogues' `email.order.*` and `email.expiry.*`
keys; sending is `workers.reward_notify`'s (the same transports as the claim e-mails: SMTP or the outbox)."""

from __future__ import annotations

from sqlalchemy import select

from claims.db.models import Participant, User
from claims.db.reward_models import RewardCode, RewardOrder
from claims.i18n import normalise_locale, translate
from claims.services.notifications import Message


def _recipient(session, participant_id: int) -> tuple[User, str] | None:
    user = session.scalar(select(User).join(Participant, Participant.user_id == User.id)
                          .where(Participant.id == participant_id))
    if user is None or not user.active:
        return None
    return user, normalise_locale(user.locale) or "pl"


def order_message(session, order_id: int, old: str, new: str) -> Message | None:
    """The e-mail about order `order_id` going from `old` to `new`; None when nobody can be told."""
    order = session.get(RewardOrder, order_id)
    found = _recipient(session, order.participant_id) if order is not None else None
    if found is None:
        return None
    user, locale = found
    status = translate(f"order.status.{new}", locale)
    lines = [translate("email.greeting", locale, name=user.name or user.email), "",
             translate("email.order.changed", locale, number=order.id, status=status), ""]
    lines += [f"- {item.quantity} × {item.reward.name}" for item in order.items] + [""]
    if new == "sent" and order.tracking:
        lines += [translate("email.order.tracking", locale, tracking=order.tracking), ""]
    if new == "cancelled":
        lines += [translate("email.order.refunded", locale, points=order.points), ""]
    codes = _codes(session, order) if new in ("placed", "approved", "delivered") else []
    if codes:
        lines += [translate("email.order.codes", locale), *[f"  {code}" for code in codes], ""]
    lines += ["--", translate("email.footer", locale)]
    subject = translate("email.order.subject", locale, number=order.id, status=status)
    return Message(user.email, subject, "\n".join(lines), locale, f"order-{order.id}", f"{old}>{new}")


def _codes(session, order: RewardOrder) -> list[str]:
    if order.needs_approval and order.status == "placed":
        return []  # held until an auditor approves
    ids = [item.id for item in order.items]
    return list(session.scalars(select(RewardCode.code).where(RewardCode.order_item_id.in_(ids))
                                .order_by(RewardCode.id))) if ids else []


def expiry_message(session, participant_id: int, on: str, points: int) -> Message | None:
    """The warning that `points` expire on `on` (ISO date)."""
    found = _recipient(session, participant_id)
    if found is None:
        return None
    user, locale = found
    lines = [translate("email.greeting", locale, name=user.name or user.email), "",
             translate("email.expiry.body", locale, points=points, day=on), "",
             "--", translate("email.footer", locale)]
    return Message(user.email, translate("email.expiry.subject", locale, points=points, day=on), "\n".join(lines),
                   locale, f"expiry-{participant_id}", f"warn>{on}")
