"""E-mail campaigns to a segment: a draft (subject, Markdown body, segment), "send" queues it, a worker expands
it into one delivery row per recipient with one INSERT … SELECT (unique per campaign and participant, so a
second expansion adds nobody), and batch jobs send the deliveries at the configured rate.

A batch claims its deliveries (queued -> sending, a conditional UPDATE) before it sends, so a batch run twice,
or two copies at once, never send one delivery twice; what one claimed it records as sent or failed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.after_commit import after_commit
from claims.db.models import Participant, User
from claims.db.reach_models import MailCampaign, MailDelivery
from claims.errors import ConflictError, InvalidInputError, NotFoundError
from claims.services.segments import Segment, recipients_query

#: The after-commit topic whose handler queues the expansion job (installed by the composition root).
CAMPAIGN_TOPIC = "mail_campaign_queued"
MAX_SUBJECT = 200
MAX_BODY = 20_000
OPEN_STATUSES = ("queued", "sending")


def campaigns(session: Session) -> list[MailCampaign]:
    return list(session.scalars(select(MailCampaign).order_by(MailCampaign.id.desc())))


def get_campaign(session: Session, campaign_id: int) -> MailCampaign:
    campaign = session.get(MailCampaign, campaign_id)
    if campaign is None:
        raise NotFoundError("no such campaign")
    return campaign


def check_text(subject: str, body: str) -> tuple[str, str]:
    """The subject and body, trimmed; `bad_subject` / `bad_body` (with the field) when empty or too long."""
    subject, body = " ".join((subject or "").split()), (body or "").strip().replace("\r\n", "\n")
    if not subject or len(subject) > MAX_SUBJECT:
        raise InvalidInputError("a subject is needed", code="bad_subject", field="subject")
    if not body or len(body) > MAX_BODY:
        raise InvalidInputError("a body is needed", code="bad_body", field="body")
    return subject, body


def save_campaign(session: Session, subject: str, body: str, segment: Segment, track_opens: bool,
                  actor: User, campaign_id: int | None = None) -> MailCampaign:
    """Create or change a draft; a campaign already sent is not changed (`campaign_not_draft`)."""
    subject, body = check_text(subject, body)
    campaign = get_campaign(session, campaign_id) if campaign_id else MailCampaign(created_by=actor.id)
    if campaign.status not in (None, "draft"):
        raise ConflictError("this campaign was sent", code="campaign_not_draft")
    campaign.subject, campaign.body, campaign.segment = subject, body, segment.as_json()
    campaign.track_opens, campaign.status = bool(track_opens), "draft"
    session.add(campaign)
    session.flush()
    record_event(session, "mail_campaign_saved", actor_user_id=actor.id,
                 after={"campaign": campaign.id, "subject": subject, "segment": segment.as_json()})
    return campaign


def queue_campaign(session: Session, campaign_id: int, actor: User) -> MailCampaign:
    """"Send": the draft becomes queued once (a second click is `campaign_not_draft`); expanded after commit."""
    now = datetime.now(UTC)
    moved = session.execute(update(MailCampaign).where(MailCampaign.id == campaign_id,
                                                       MailCampaign.status == "draft")
                            .values(status="queued", queued_at=now)).rowcount
    campaign = get_campaign(session, campaign_id)
    if not moved:
        raise ConflictError("this campaign was sent", code="campaign_not_draft")
    session.refresh(campaign)
    record_event(session, "mail_campaign_queued", actor_user_id=actor.id, after={"campaign": campaign_id})
    after_commit(session, CAMPAIGN_TOPIC, campaign_id)
    return campaign


def _insert(session: Session):
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(MailDelivery)


def expand_campaign(session: Session, campaign_id: int, now: datetime | None = None) -> int:
    """Write the campaign's deliveries (one INSERT … SELECT; existing ones kept) and mark it sending.

    Returns how many deliveries the campaign has. A campaign still a draft, or done, is left as it is.
    """
    now = now or datetime.now(UTC)
    campaign = session.scalar(select(MailCampaign).where(MailCampaign.id == campaign_id).with_for_update())
    if campaign is None:
        return 0
    if campaign.status not in OPEN_STATUSES:
        return campaign.recipients or 0
    if campaign.status == "queued":
        chosen = recipients_query(session, Segment.from_json(campaign.segment), marketing=True, now=now)
        rows = chosen.with_only_columns(literal(campaign_id), Participant.id, literal("queued"), literal(now))
        statement = _insert(session).from_select(["campaign_id", "participant_id", "status", "created_at"], rows)
        session.execute(statement.on_conflict_do_nothing(index_elements=["campaign_id", "participant_id"]))
        campaign.status, campaign.expanded_at = "sending", now
    campaign.recipients = int(session.scalar(select(func.count()).where(MailDelivery.campaign_id == campaign_id)))
    return campaign.recipients


def batch_ranges(session: Session, campaign_id: int, size: int) -> list[tuple[int, int]]:
    """The queued deliveries in id ranges of `size` (one range per batch job), oldest first."""
    numbered = (select(MailDelivery.id, ((func.row_number().over(order_by=MailDelivery.id) - 1) // size)
                       .label("batch"))
                .where(MailDelivery.campaign_id == campaign_id, MailDelivery.status == "queued").subquery())
    query = select(func.min(numbered.c.id), func.max(numbered.c.id)).group_by(numbered.c.batch) \
        .order_by(func.min(numbered.c.id))
    return [(int(first), int(last)) for first, last in session.execute(query)]


def claim_batch(session: Session, campaign_id: int, first: int, last: int) -> list[int]:
    """Take the range's queued deliveries for sending (queued -> sending); those another batch took are not
    returned, so no delivery is sent twice."""
    taken = session.execute(update(MailDelivery).where(
        MailDelivery.campaign_id == campaign_id, MailDelivery.id.between(first, last),
        MailDelivery.status == "queued").values(status="sending").returning(MailDelivery.id))
    return sorted(int(row[0]) for row in taken)


def finish_batch(session: Session, campaign_id: int, sent: list[int], failed: dict[int, str],
                 now: datetime | None = None) -> None:
    """Record what a batch sent and what failed; the campaign is done once nothing is left to send."""
    now = now or datetime.now(UTC)
    if sent:
        session.execute(update(MailDelivery).where(MailDelivery.id.in_(sent))
                        .values(status="sent", sent_at=now))
    for delivery_id, code in failed.items():
        session.execute(update(MailDelivery).where(MailDelivery.id == delivery_id)
                        .values(status="failed", error=code[:64]))
    left = session.scalar(select(func.count()).where(MailDelivery.campaign_id == campaign_id,
                                                     MailDelivery.status.in_(OPEN_STATUSES)))
    if not left:
        session.execute(update(MailCampaign).where(MailCampaign.id == campaign_id,
                                                   MailCampaign.status == "sending").values(status="done"))
