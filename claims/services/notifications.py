"""E-mails to participants when their claim's status changes: which changes are worth telling, the message in
the participant's language, and the hand-over to whoever sends it once the change is committed.

The composition root installs a notifier on the session factory (`install_notifier(runtime.sessions, fn)`,
where `fn(claim_id, old, new)` enqueues `workers.notify.send_status_notification`); the services that move a
claim call `notify_status_change(session, claim, old, new)` inside their transaction, and the hand-over happens
after the commit (`claims.db.after_commit`). The texts are the catalogues' `email.*` keys.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from claims.audit import record_event
from claims.db.after_commit import after_commit, install_handler
from claims.db.models import AuditEvent, Claim, LedgerEntry, Participant, User
from claims.i18n import normalise_locale, translate
from claims.services.outcomes import participant_reasons
from vocabulary.claims import ClaimStatus
from vocabulary.reasons import NextStep

log = logging.getLogger(__name__)

STATUS_TOPIC = "claim_status_changed"
SENT_ACTION = "notification_sent"
#: (claim_id, old status, new status) -> None; called after commit, must be quick (enqueue, not send).
Notifier = Callable[[str, str, str], None]

S = ClaimStatus
#: Changes a participant hears about: a decision, a reversal, a retake to do, and their appeal arriving.
TOLD = frozenset({S.NEEDS_RETAKE, S.APPROVED, S.REJECTED, S.REVERSED})


def worth_telling(old: str, new: str) -> bool:
    """Whether the participant hears about a move from `old` to `new`."""
    if old == new:
        return False
    return new in TOLD or (new == S.FLAGGED and old == S.REJECTED)


# ---- hand-over after commit --------------------------------------------------------------------------


def install_notifier(sessions: sessionmaker[Session], notifier: Notifier) -> None:
    """Sessions made by `sessions` from now on hand status changes to `notifier` after they commit."""
    install_handler(sessions, STATUS_TOPIC, notifier)


def notify_status_change(session: Session, claim: Claim, old: str, new: str) -> bool:
    """Tell the participant about the change once `session`'s transaction commits; False when not told."""
    if not worth_telling(str(old), str(new)):
        return False
    return after_commit(session, STATUS_TOPIC, str(claim.id), str(old), str(new))


# ---- the message ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One e-mail to one participant, in their language."""

    to: str
    subject: str
    body: str
    locale: str
    claim_id: str  # the claim it is about; `user-<id>` for a message about the account (password reset)
    change: str  # "old>new": the job's idempotency key (names the outbox file)
    headers: tuple[tuple[str, str], ...] = ()  # extra headers (a campaign's List-Unsubscribe)
    html: str | None = None  # an HTML alternative to the text (a campaign's rendered Markdown)

    def as_email(self, sender: str) -> EmailMessage:
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = sender, self.to, self.subject
        email["Date"] = formatdate(localtime=False, usegmt=True)
        email["Message-ID"] = make_msgid(idstring=f"{self.claim_id}.{self.change.replace('>', '-')}",
                                         domain="paragon.local")
        email["Content-Language"] = self.locale
        for name, value in self.headers:
            email[name] = value
        email.set_content(self.body)
        if self.html is not None:
            email.add_alternative(self.html, subtype="html")
        return email


def status_message(session: Session, claim_id: str, old: str, new: str, claim_url: str | None = None
                   ) -> Message | None:
    """The e-mail telling the claim's participant about `old` -> `new`; None for an inactive account."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        return None
    user = session.scalar(select(User).join(Participant, Participant.user_id == User.id)
                          .where(Participant.id == claim.participant_id))
    if user is None or not user.active:
        return None
    locale = normalise_locale(user.locale) or "pl"
    short = claim.id[:8]
    status = translate(f"email.status.{new}", locale)
    lines = [translate("email.greeting", locale, name=user.name or user.email), "",
             translate("email.changed", locale, short=short, submitted=_day(claim), status=status), ""]
    lines += _explanation(session, claim, old, new, locale)
    if claim_url:
        lines += [translate("email.link", locale, url=claim_url), ""]
    lines += ["--", translate("email.footer", locale)]
    subject = translate("email.subject", locale, short=short, status=status)
    return Message(user.email, subject, "\n".join(lines), locale, claim.id, f"{old}>{new}")


def _day(claim: Claim) -> str:
    return claim.submitted_at.date().isoformat() if claim.submitted_at else "—"


def _explanation(session: Session, claim: Claim, old: str, new: str, locale: str) -> list[str]:
    lines: list[str] = []
    if new == S.FLAGGED:
        return [translate("email.appealed", locale), ""]
    reasons = _participant_reasons(claim, new, locale)
    if reasons and new != S.APPROVED:
        lines += [translate("email.reasons", locale), *[f"- {r}" for r in reasons], ""]
    points = _ledger_points(session, claim.id, "credit" if new == S.APPROVED else "reversal")
    if new == S.APPROVED:
        lines += [translate("email.credited", locale, points=points), ""]
    elif new == S.REVERSED:
        lines += [translate("email.reversed", locale, points=abs(points)), ""]
    elif new == S.NEEDS_RETAKE:
        lines += [translate("email.retake", locale), ""]
    elif new == S.REJECTED:
        lines += [translate("email.appeal", locale), ""]
    return lines


def _participant_reasons(claim: Claim, status: str, locale: str) -> list[str]:
    """The reasons the participant may see (`claims.services.outcomes`): never a risk signal or a staff note."""
    shown = []
    for seen in participant_reasons(claim.reasons, status, locale):
        if seen.next_step == NextStep.NONE and status != S.REJECTED:
            continue  # information on the claim's page; the e-mail says what changed and what to do
        shown.append(f"{seen.message} ({seen.comment})" if seen.comment else seen.message)
    return shown


def _ledger_points(session: Session, claim_id: str, kind: str) -> int:
    query = select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(LedgerEntry.claim_id == claim_id,
                                                                          LedgerEntry.kind == kind)
    return int(session.scalar(query) or 0)


# ---- what was sent -------------------------------------------------------------------------------------


def already_sent(session: Session, claim_id: str, change: str) -> bool:
    """Whether the e-mail for this claim's change was sent before (a job may run twice)."""
    rows = session.scalars(select(AuditEvent.after).where(AuditEvent.claim_id == claim_id,
                                                          AuditEvent.action == SENT_ACTION))
    return any(isinstance(after, dict) and after.get("change") == change for after in rows)


def record_sent(session: Session, message: Message, transport: str) -> None:
    record_event(session, SENT_ACTION, claim_id=message.claim_id,
                 after={"change": message.change, "to": message.to, "transport": transport})
