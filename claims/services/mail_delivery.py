"""What one campaign delivery is: the e-mail a recipient gets (their language, the campaign's text, an
unsubscribe link and `List-Unsubscribe` headers (RFC 8058 one-click), an optional open-tracking image), the
first open it records, the unsubscribe it leads to, and the per-campaign report of deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from claims.db.models import Participant, User
from claims.db.reach_models import MailCampaign, MailDelivery
from claims.i18n import normalise_locale, translate
from claims.services.mail_tokens import open_token, unsubscribe_token
from claims.services.markdown_text import render_markdown
from claims.services.notifications import Message
from claims.services.registration import withdraw_consent

UNSUBSCRIBE_PATH = "/unsubscribe/"
OPEN_PATH = "/mail/open/"


@dataclass(frozen=True)
class Recipient:
    delivery_id: int
    email: str
    name: str
    locale: str


@dataclass(frozen=True)
class Links:
    """What a campaign e-mail's links are built from."""

    secret_key: str
    public_url: str | None = None

    def url(self, path: str) -> str:
        return f"{self.public_url.rstrip('/')}{path}" if self.public_url else path


def recipients(session: Session, delivery_ids: list[int]) -> list[Recipient]:
    """The claimed deliveries' recipients (an account closed meanwhile is left out)."""
    if not delivery_ids:
        return []
    query = (select(MailDelivery.id, User.email, User.name, User.locale).join(
        Participant, Participant.id == MailDelivery.participant_id).join(User, User.id == Participant.user_id)
        .where(MailDelivery.id.in_(delivery_ids), User.active.is_(True)).order_by(MailDelivery.id))
    return [Recipient(int(i), email, name or email, normalise_locale(locale) or "pl")
            for i, email, name, locale in session.execute(query)]


def campaign_message(campaign: MailCampaign, recipient: Recipient, links: Links) -> Message:
    """The campaign's e-mail to one recipient: text and HTML, with the unsubscribe link in both and in the
    `List-Unsubscribe` header; the 1x1 image only when the campaign measures opens."""
    locale = recipient.locale
    leave = links.url(UNSUBSCRIBE_PATH + unsubscribe_token(links.secret_key, recipient.delivery_id))
    why = translate("email.campaign.why", locale)
    text = "\n".join([campaign.body, "", "--", why, translate("email.campaign.unsubscribe", locale, url=leave)])
    html = [render_markdown(campaign.body), "<hr>", f"<p>{escape(why)}<br>",
            f'<a href="{escape(leave)}">{escape(translate("email.campaign.unsubscribe_link", locale))}</a></p>']
    if campaign.track_opens:
        pixel = links.url(OPEN_PATH + open_token(links.secret_key, recipient.delivery_id) + ".gif")
        html.append(f'<img src="{escape(pixel)}" width="1" height="1" alt="">')
    headers = (("List-Unsubscribe", f"<{leave}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return Message(recipient.email, campaign.subject, text, locale, f"campaign-{campaign.id}",
                   f"delivery-{recipient.delivery_id}", headers, "\n".join(html))


def record_open(session: Session, delivery_id: int, now: datetime | None = None) -> bool:
    """The first open of a sent delivery; False when already recorded (or not sent)."""
    moved = session.execute(update(MailDelivery).where(
        MailDelivery.id == delivery_id, MailDelivery.opened_at.is_(None),
        MailDelivery.status.in_(("sending", "sent"))).values(opened_at=now or datetime.now(UTC)))
    return bool(moved.rowcount)


def unsubscribe_target(session: Session, delivery_id: int) -> tuple[MailDelivery, Participant] | None:
    delivery = session.get(MailDelivery, delivery_id)
    participant = session.get(Participant, delivery.participant_id) if delivery is not None else None
    return (delivery, participant) if participant is not None else None


def unsubscribe(session: Session, delivery_id: int, channel: str) -> bool:
    """Withdraw the recipient's marketing consent (a consent withdrawal, audited with the campaign and the
    channel: `page` or `one_click`); False when there was none to withdraw."""
    found = unsubscribe_target(session, delivery_id)
    if found is None:
        return False
    delivery, participant = found
    if delivery.unsubscribed_at is None:
        delivery.unsubscribed_at = datetime.now(UTC)
    return withdraw_consent(session, participant, "marketing",
                            via={"via": "unsubscribe", "campaign": delivery.campaign_id, "channel": channel})


REPORT_COLUMNS = ("recipients", "queued", "sent", "failed", "opened", "unsubscribed")


def delivery_counts(session: Session, campaign_ids: list[int] | None = None) -> dict[int, dict]:
    """Per campaign: recipients, queued (not yet sent), sent, failed, opened, unsubscribed and the rates."""
    status = MailDelivery.status
    query = select(MailDelivery.campaign_id, func.count(),
                   func.sum(case((status.in_(("queued", "sending")), 1), else_=0)),
                   func.sum(case((status == "sent", 1), else_=0)), func.sum(case((status == "failed", 1), else_=0)),
                   func.count(MailDelivery.opened_at), func.count(MailDelivery.unsubscribed_at)
                   ).group_by(MailDelivery.campaign_id)
    if campaign_ids is not None:
        query = query.where(MailDelivery.campaign_id.in_(campaign_ids))
    counts = {}
    for campaign_id, *values in session.execute(query):
        row = dict(zip(REPORT_COLUMNS, (int(v or 0) for v in values), strict=True))
        sent = row["sent"]
        row.update(open_rate=_rate(row["opened"], sent), unsubscribe_rate=_rate(row["unsubscribed"], sent),
                   failure_rate=_rate(row["failed"], row["recipients"]))
        counts[int(campaign_id)] = row
    return counts


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def report_rows(session: Session) -> tuple[list[str], list[list[object]]]:
    """Every campaign with its delivery counts and rates, for the CSV export."""
    header = ["id", "subject", "status", "queued_at", *REPORT_COLUMNS, "open_rate", "unsubscribe_rate",
              "failure_rate"]
    counts = delivery_counts(session)
    rows = []
    for campaign in session.scalars(select(MailCampaign).order_by(MailCampaign.id)):
        row = counts.get(campaign.id, dict.fromkeys((*REPORT_COLUMNS, "open_rate", "unsubscribe_rate",
                                                     "failure_rate"), 0))
        rows.append([campaign.id, campaign.subject, campaign.status,
                     campaign.queued_at.isoformat() if campaign.queued_at else "",
                     *[row[name] for name in header[4:]]])
    return header, rows
