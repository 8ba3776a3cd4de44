"""E-mail campaigns on PostgreSQL: who a segment selects (marketing consent current, account active, tier,
region, partner, inactive for N days, combined), and a campaign expanded and sent twice, or by two copies of a
batch at once, reaching each recipient once through the outbox with its List-Unsubscribe headers."""

from __future__ import annotations

import email
from email import policy

import pytest
from sqlalchemy import func, select, update

from claims.db.engine import transaction
from claims.db.models import LedgerEntry, Outlet, Participant, User
from claims.db.reach_models import MailCampaign, MailDelivery
from claims.errors import ConflictError
from claims.ledger import post
from claims.services.mail_campaigns import batch_ranges, expand_campaign, queue_campaign
from claims.services.segments import Segment, count_recipients, recipients_query
from claims.services.tiers import parse_ladder, save_ladder
from tests.integration.activity_helpers import race
from tests.integration.reach_helpers import (
    PUBLIC_URL,
    admin,
    campaign,
    claim_at,
    people,
    reach_runtime,
    run_campaign,
    withdraw,
)
from workers.campaign_mail import send_claimed

pytestmark = pytest.mark.integration


@pytest.fixture
def rt(tmp_path, postgres_url):
    runtime = reach_runtime(tmp_path, postgres_url)
    yield runtime
    runtime.close()


def chosen(rt, segment: Segment, marketing: bool = True) -> set[int]:
    with rt.sessions() as session:
        return set(session.scalars(recipients_query(session, segment, marketing=marketing)))


def test_only_current_marketing_consent_and_active_accounts_are_recipients(rt):
    consenting = people(rt, 3)
    silent = people(rt, 1, marketing=False, prefix="bez")
    withdrawn, closed = people(rt, 1, prefix="wycofal"), people(rt, 1, prefix="zamkniete")
    withdraw(rt, withdrawn[0])
    with transaction(rt.sessions) as session:
        user_id = session.get(Participant, closed[0]).user_id
        session.execute(update(User).where(User.id == user_id).values(active=False))
    mine = set(consenting + silent + withdrawn + closed)
    assert chosen(rt, Segment()) & mine == set(consenting)
    assert chosen(rt, Segment(), marketing=False) & mine == set(consenting + silent + withdrawn)  # news: no consent
    with rt.sessions() as session:
        assert count_recipients(session, Segment()) == len(chosen(rt, Segment()))


def test_segments_by_partner_region_tier_and_inactivity_combine(rt):
    a, b, c, d = people(rt, 4)
    with transaction(rt.sessions) as session:
        session.execute(update(Outlet).where(Outlet.code == "PB-1").values(city="31-001 Kraków"))
        save_ladder(session, parse_ladder("Brązowy; 0; 1\nSrebrny; 1000; 1,2"))
        post(session, LedgerEntry(participant_id=b, kind="training", points=1500, cause=f"test:{b}:tier"))
        partner_a, partner_b = (session.scalar(select(Outlet.partner_id).where(Outlet.code == code))
                                for code in ("PA-1", "PB-1"))
    claim_at(rt, a, "PA-1")
    claim_at(rt, b, "PB-1", days_ago=100)
    claim_at(rt, c, "PA-1", status="pending_review")
    mine = {a, b, c, d}
    assert chosen(rt, Segment(partner_ids=(partner_a,))) & mine == {a}  # c's claim is not approved
    assert chosen(rt, Segment(cities=("kraków",))) & mine == {b}
    with transaction(rt.sessions) as session:
        session.execute(update(Participant).where(Participant.id.in_((a, d))).values(region="małopolskie"))
    assert chosen(rt, Segment(regions=("małopolskie",))) & mine == {a, d}  # the voivodeship stated in the profile
    assert chosen(rt, Segment(regions=("małopolskie",), inactive_days=30)) & mine == {d}
    assert chosen(rt, Segment(inactive_days=30)) & mine == {b, d}
    assert chosen(rt, Segment(tiers=("Srebrny",))) & mine == {b}
    assert chosen(rt, Segment(tiers=("Brązowy",))) & mine == {a, c, d}
    assert chosen(rt, Segment(partner_ids=(partner_b,), inactive_days=30)) & mine == {b}
    assert chosen(rt, Segment(partner_ids=(partner_a,), inactive_days=30)) & mine == set()
    assert chosen(rt, Segment(partner_ids=(partner_a, partner_b))) & mine == {a, b}


def outbox(rt) -> list[email.message.EmailMessage]:
    folder = rt.settings.data_dir / "outbox"
    return [email.message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(folder.glob("campaign-*.eml"))] if folder.exists() else []


def test_a_campaign_sent_twice_sends_once(rt):
    ids = people(rt, 3)
    cid = campaign(rt)
    with pytest.raises(ConflictError):  # a second click on "send"
        with transaction(rt.sessions) as session:
            queue_campaign(session, cid, admin(rt))
    first = run_campaign(rt, cid)
    again = run_campaign(rt, cid)  # the expansion job and every batch run again
    with rt.sessions() as session:
        rows = session.execute(select(MailDelivery.participant_id, MailDelivery.status)
                               .where(MailDelivery.campaign_id == cid)).all()
        status = session.get(MailCampaign, cid).status
    assert first[0] >= 3 and again == (0, 0)
    assert {pid for pid, _ in rows} >= set(ids) and {s for _, s in rows} == {"sent"} and status == "done"
    mails = outbox(rt)
    assert len(mails) == len(rows) == first[0]
    for mail in mails:
        assert mail["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/unsubscribe/")
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "/unsubscribe/" in mail.get_body(("plain",)).get_content()


def test_two_copies_of_a_batch_at_once_send_each_delivery_once(rt):
    people(rt, 5)
    cid = campaign(rt)
    with transaction(rt.sessions) as session:
        total = expand_campaign(session, cid)
        assert expand_campaign(session, cid) == total  # a second expansion adds nobody
        (first, last), = batch_ranges(session, cid, 100)
    sent_to: list[str] = []

    def transport(message, settings):
        sent_to.append(message.to)
        return "fake"

    results = race(2, lambda _i: send_claimed(rt.sessions, rt.settings, cid, first, last, transport))
    assert sum(sent for sent, _ in results) == total == len(sent_to) == len(set(sent_to))
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).where(MailDelivery.campaign_id == cid,
                                                         MailDelivery.status == "sent")) == total


def test_a_refused_address_is_recorded_as_failed_and_the_rest_go_out(rt):
    ids = people(rt, 3)
    cid = campaign(rt, Segment())
    with rt.sessions() as session:
        refused = session.scalar(select(User.email).join(Participant).where(Participant.id == ids[0]))

    def transport(message, settings):
        if message.to == refused:
            raise ConnectionRefusedError("550")
        return "fake"

    sent, failed = run_campaign(rt, cid, transport)
    with rt.sessions() as session:
        errors = dict(session.execute(select(MailDelivery.participant_id, MailDelivery.error)
                                      .where(MailDelivery.status == "failed")).all())
    assert failed == 1 and sent >= 2 and errors == {ids[0]: "ConnectionRefusedError"}


def test_a_draft_or_unknown_campaign_is_never_expanded(rt):
    from claims.services.mail_campaigns import save_campaign

    people(rt, 2)
    with transaction(rt.sessions) as session:
        draft = save_campaign(session, "Szkic", "Treść", Segment(), False, admin(rt)).id
    with transaction(rt.sessions) as session:
        assert expand_campaign(session, draft) == 0 and expand_campaign(session, 999_999) == 0
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MailDelivery)) == 0
        assert session.get(MailCampaign, draft).status == "draft"
