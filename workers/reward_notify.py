"""The jobs that send the rewards e-mails (an order's change of status, a points expiry warning) and the
after-commit handlers that queue them. Transports as for claim e-mails (`workers.notify.deliver`)."""

from __future__ import annotations

from redis import Redis
from rq import Queue, Retry

from claims.db.engine import transaction
from claims.services.notifications import already_sent, record_sent
from claims.services.reward_mail import expiry_message, order_message
from workers.notify import deliver
from workers.queues import DEFAULT_QUEUE
from workers.runtime import current

SEND_ORDER_NOTIFICATION = "workers.reward_notify.send_order_notification"
SEND_EXPIRY_WARNING = "workers.reward_notify.send_expiry_warning"
RETRY = {"retry": Retry(max=3, interval=[10, 60, 300]), "result_ttl": 3600, "failure_ttl": 24 * 3600}


def send_order_notification(order_id: int, old: str, new: str) -> str:
    rt = current()
    with transaction(rt.claims.sessions) as session:
        if already_sent(session, f"order-{order_id}", f"{old}>{new}"):
            return "already sent"
        message = order_message(session, int(order_id), old, new)
    return _send(rt, message)


def send_expiry_warning(participant_id: int, on: str, points: int) -> str:
    rt = current()
    with transaction(rt.claims.sessions) as session:
        message = expiry_message(session, int(participant_id), on, int(points))
    return _send(rt, message)


def _send(rt, message) -> str:
    if message is None:
        return "nobody to tell"
    transport = deliver(message, rt.claims.settings)
    with transaction(rt.claims.sessions) as session:
        record_sent(session, message, transport)
    return f"sent by {transport}"


def queue_order_notifier(redis: Redis):
    """The handler of `claims.services.orders.ORDER_TOPIC`."""
    queue = Queue(DEFAULT_QUEUE, connection=redis)

    def notify(order_id: int, old: str, new: str) -> None:
        queue.enqueue(SEND_ORDER_NOTIFICATION, int(order_id), old, new, description=f"order {order_id} {new}",
                      **RETRY)

    return notify


def queue_expiry_warner(redis: Redis):
    """The handler of `claims.services.expiry.WARNING_TOPIC`."""
    queue = Queue(DEFAULT_QUEUE, connection=redis)

    def warn(participant_id: int, on: str, points: int) -> None:
        queue.enqueue(SEND_EXPIRY_WARNING, int(participant_id), on, int(points), description="expiry warning",
                      **RETRY)

    return warn
