"""The jobs that send an e-mail campaign: `expand_campaign` writes its deliveries (one INSERT … SELECT) and
schedules the batch jobs so that the campaign leaves at MAIL_RATE_PER_MINUTE; each `send_batch` claims its
deliveries, sends them through the usual transport (`workers.notify.deliver`: SMTP or the outbox) and records
what was sent. A batch run twice sends nothing twice (`claims.services.mail_campaigns.claim_batch`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from redis import Redis
from rq import Queue, Retry, get_current_job
from rq.exceptions import DuplicateJobError
from sqlalchemy.orm import Session, sessionmaker

from claims.db.engine import transaction
from claims.services.mail_campaigns import batch_ranges, claim_batch, expand_campaign, finish_batch, get_campaign
from claims.services.mail_delivery import Links, campaign_message, recipients
from claims.services.notifications import Message
from claims.settings import Settings
from workers.notify import deliver
from workers.queues import DEFAULT_QUEUE
from workers.runtime import current

EXPAND_CAMPAIGN = "workers.campaign_mail.expand_campaign_job"
SEND_BATCH = "workers.campaign_mail.send_batch"
BATCH_SIZE = 100
Transport = Callable[[Message, Settings], str]


def batch_delay(index: int, size: int, rate_per_minute: int) -> float:
    """Seconds after the first batch that batch `index` may start, so the campaign keeps to the rate."""
    return 0.0 if rate_per_minute <= 0 else index * size * 60.0 / rate_per_minute


#: When the campaigns already scheduled have left (epoch seconds): a new campaign starts after them, so the rate
#: holds for all campaigns together, not for each.
NEXT_FREE_KEY = "paragon:mail:next-free"
_RESERVE = """
local now, span = tonumber(ARGV[1]), tonumber(ARGV[2])
local start = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], tostring(start + span), 'EX', math.ceil(start + span - now) + 3600)
return tostring(start)
"""


def reserve_start(redis: Redis, batches: int, rate: int, now: datetime | None = None) -> datetime:
    """The time a campaign of `batches` may start sending, after every campaign scheduled before it."""
    now = now or datetime.now(UTC)
    if rate <= 0 or batches <= 0:
        return now
    span = batch_delay(batches, BATCH_SIZE, rate)
    start = float(redis.eval(_RESERVE, 1, NEXT_FREE_KEY, f"{now.timestamp():.3f}", f"{span:.3f}"))
    return datetime.fromtimestamp(start, UTC)


def expand_campaign_job(campaign_id: int) -> str:
    """Write the campaign's deliveries and schedule its batches (a second run schedules what is still queued)."""
    rt = current()
    rate = rt.claims.settings.mail_rate_per_minute
    with transaction(rt.claims.sessions) as session:
        total = expand_campaign(session, int(campaign_id))
        ranges = batch_ranges(session, int(campaign_id), BATCH_SIZE)
    redis = get_current_job().connection
    start = reserve_start(redis, len(ranges), rate)
    schedule_batches(Queue(DEFAULT_QUEUE, connection=redis), int(campaign_id), ranges, rate, start)
    return f"{total} deliveries, {len(ranges)} batches from {start.isoformat()}"


def schedule_batches(queue: Queue, campaign_id: int, ranges: list[tuple[int, int]], rate: int,
                     start: datetime | None = None) -> None:
    """One job per range: the first at `start`, the others spaced by the rate (rq's scheduler releases them);
    sent to Redis in pipelines of a few hundred jobs rather than one round trip after another."""
    start = start or datetime.now(UTC)
    for chunk in range(0, len(ranges), 500):
        with queue.connection.pipeline() as pipe:
            for index in range(chunk, min(chunk + 500, len(ranges))):
                first, last = ranges[index]
                options = {"job_id": f"campaign-{campaign_id}-batch-{first}", "pipeline": pipe,
                           "retry": Retry(max=3, interval=[30, 120, 600]), "result_ttl": 3600,
                           "failure_ttl": 7 * 24 * 3600, "description": f"campaign {campaign_id}: {first}-{last}"}
                when = start + timedelta(seconds=batch_delay(index, BATCH_SIZE, rate))
                if when > datetime.now(UTC):
                    queue.enqueue_at(when, SEND_BATCH, campaign_id, first, last, **options)
                else:
                    queue.enqueue(SEND_BATCH, campaign_id, first, last, **options)
            pipe.execute()


def send_batch(campaign_id: int, first: int, last: int) -> str:
    rt = current()
    sent, failed = send_claimed(rt.claims.sessions, rt.claims.settings, int(campaign_id), int(first), int(last))
    return f"sent {sent}, failed {failed}"


def send_claimed(sessions: sessionmaker[Session], settings: Settings, campaign_id: int, first: int, last: int,
                 transport: Transport = deliver) -> tuple[int, int]:
    """Claim the range's queued deliveries, send each, record the outcome; returns (sent, failed)."""
    with transaction(sessions) as session:
        campaign = get_campaign(session, campaign_id)
        text = SimpleNamespace(id=campaign.id, subject=campaign.subject, body=campaign.body,
                               track_opens=campaign.track_opens)
        claimed = claim_batch(session, campaign_id, first, last)
        people = recipients(session, claimed)
    links = Links(settings.secret_key, settings.public_url)
    sent: list[int] = []
    failed = dict.fromkeys(set(claimed) - {person.delivery_id for person in people}, "inactive_account")
    for person in people:
        try:
            transport(campaign_message(text, person, links), settings)
            sent.append(person.delivery_id)
        except Exception as exc:  # noqa: BLE001 — one refused address must not stop the batch; it is recorded
            failed[person.delivery_id] = type(exc).__name__
    with transaction(sessions) as session:
        finish_batch(session, campaign_id, sent, failed)
    return len(sent), len(failed)


def queue_campaign_expander(redis: Redis):
    """The handler of `claims.services.mail_campaigns.CAMPAIGN_TOPIC`: queues the expansion job."""
    queue = Queue(DEFAULT_QUEUE, connection=redis)

    def expand(campaign_id: int) -> None:
        try:
            queue.enqueue(EXPAND_CAMPAIGN, int(campaign_id), job_id=f"campaign-{campaign_id}-expand", unique=True,
                          retry=Retry(max=3, interval=[10, 60, 300]), job_timeout=600, result_ttl=24 * 3600,
                          failure_ttl=7 * 24 * 3600, description=f"expand campaign {campaign_id}")
        except DuplicateJobError:
            pass  # already queued; expanding twice adds nobody anyway

    return expand
