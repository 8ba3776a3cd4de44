"""Builders for the reaching-participants tests: a PostgreSQL runtime with a public address, participants with
or without marketing consent, approved claims at an outlet, and a campaign run the way the workers run it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Claim, Outlet, Participant, User
from claims.runtime import Runtime, build_runtime
from claims.services.mail_campaigns import batch_ranges, expand_campaign, queue_campaign, save_campaign
from claims.services.registration import give_consent, withdraw_consent
from claims.services.segments import Segment
from claims.settings import Settings
from tests.conftest import TEST_REDIS_URL, migrated_database
from tests.integration.activity_helpers import participants
from tests.integration.helpers import seed
from workers.campaign_mail import BATCH_SIZE, send_claimed

PUBLIC_URL = "https://program.example.pl"


def reach_runtime(tmp_path: Path, database_url: str, **extra: str) -> Runtime:
    env = {"PARAGON_DATA_DIR": str(tmp_path), "SECRET_KEY": "test-secret", "REDIS_URL": TEST_REDIS_URL,
           "DATABASE_URL": database_url, "BLOB_URL": "db://", "PUBLIC_URL": PUBLIC_URL, **extra}
    migrated_database(database_url)
    runtime = build_runtime(Settings.from_env(env))
    seed(runtime)
    return runtime


def people(rt: Runtime, count: int, *, marketing: bool = True, prefix: str = "osoba") -> list[int]:
    ids = participants(rt, count, prefix)
    if marketing:
        with transaction(rt.sessions) as session:
            for pid in ids:
                give_consent(session, session.get(Participant, pid), "marketing")
    return ids


def withdraw(rt: Runtime, pid: int) -> None:
    with transaction(rt.sessions) as session:
        withdraw_consent(session, session.get(Participant, pid), "marketing")


def claim_at(rt: Runtime, pid: int, outlet_code: str, status: str = "approved", days_ago: int = 1) -> None:
    when = datetime.now(UTC) - timedelta(days=days_ago)
    with transaction(rt.sessions) as session:
        outlet = session.scalar(select(Outlet).where(Outlet.code == outlet_code))
        session.add(Claim(participant_id=pid, outlet_id=outlet.id, partner_id=outlet.partner_id, status=status,
                          kind="receipt", submitted_at=when, decided_at=when))


def admin(rt: Runtime) -> User:
    with rt.sessions() as session:
        return session.scalar(select(User).where(User.email == "admin@example.com"))


def campaign(rt: Runtime, segment: Segment | None = None, *, track_opens: bool = True, subject: str = "Nowości") -> int:
    """A campaign saved and queued ("send"), as the admin's page does it; returns its id."""
    actor = admin(rt)
    with transaction(rt.sessions) as session:
        body = "**Promocja** na kleje.\n\n[Zobacz](https://example.pl)"
        cid = save_campaign(session, subject, body, segment or Segment(), track_opens, actor).id
    with transaction(rt.sessions) as session:
        queue_campaign(session, cid, actor)
    return cid


def run_campaign(rt: Runtime, campaign_id: int, transport=None) -> tuple[int, int]:
    """What the workers do: expand, then every batch; returns (sent, failed) of this run."""
    with transaction(rt.sessions) as session:
        expand_campaign(session, campaign_id)
        ranges = batch_ranges(session, campaign_id, BATCH_SIZE)
    sent = failed = 0
    for first, last in ranges:
        options = {"transport": transport} if transport else {}
        done, bad = send_claimed(rt.sessions, rt.settings, campaign_id, first, last, **options)
        sent, failed = sent + done, failed + bad
    return sent, failed
