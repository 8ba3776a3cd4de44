"""The news feed: the admin posts news (title, Markdown body, publish time, optional segment); a participant
sees what is published for them, newest first. News needs no marketing consent (it is in the app, not sent)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.models import User
from claims.db.reach_models import NewsPost
from claims.errors import InvalidInputError, NotFoundError
from claims.services.mail_campaigns import MAX_BODY, MAX_SUBJECT
from claims.services.segments import Segment, in_segment

#: How many published items are looked at for one participant (audiences filter them).
SCAN = 200


def all_news(session: Session) -> list[NewsPost]:
    return list(session.scalars(select(NewsPost).order_by(NewsPost.publish_at.desc(), NewsPost.id.desc())))


def get_news(session: Session, news_id: int) -> NewsPost:
    post = session.get(NewsPost, news_id)
    if post is None:
        raise NotFoundError("no such news")
    return post


def save_news(session: Session, title: str, body: str, publish_at: datetime | None, segment: Segment,
              actor: User, news_id: int | None = None) -> NewsPost:
    """Create or change a news item; `bad_title` / `bad_body` with the field at fault."""
    title, body = " ".join((title or "").split()), (body or "").strip().replace("\r\n", "\n")
    if not title or len(title) > MAX_SUBJECT:
        raise InvalidInputError("a title is needed", code="bad_title", field="title")
    if not body or len(body) > MAX_BODY:
        raise InvalidInputError("a body is needed", code="bad_body", field="body")
    post = get_news(session, news_id) if news_id else NewsPost(created_by=actor.id)
    post.title, post.body = title, body
    post.publish_at = publish_at or datetime.now(UTC)
    post.segment = None if segment.is_everyone else segment.as_json()
    session.add(post)
    session.flush()
    record_event(session, "news_saved", actor_user_id=actor.id, after={"news": post.id, "title": title})
    return post


def news_for(session: Session, participant_id: int, limit: int, offset: int = 0,
             now: datetime | None = None) -> tuple[list[NewsPost], bool]:
    """The participant's published news, newest first, from `offset`; and whether there are more."""
    now = now or datetime.now(UTC)
    published = session.scalars(select(NewsPost).where(NewsPost.publish_at <= now)
                                .order_by(NewsPost.publish_at.desc(), NewsPost.id.desc()).limit(SCAN))
    seen = [post for post in published
            if post.segment is None or in_segment(session, Segment.from_json(post.segment), participant_id)]
    return seen[offset:offset + limit], len(seen) > offset + limit
