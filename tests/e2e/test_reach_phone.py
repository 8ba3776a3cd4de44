"""Reaching participants in a real Chromium on a phone (390x844): the news on the home page and the news page,
and the unsubscribe page opened from an e-mail without logging in, used to withdraw the marketing consent;
axe-core finds no serious violation on any of them."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Consent, Participant, User
from claims.services.mail_campaigns import queue_campaign, save_campaign
from claims.services.news import save_news
from claims.services.registration import give_consent
from claims.services.segments import Segment
from tests.e2e.a11y import assert_accessible
from tests.integration.reach_helpers import run_campaign
from tests.review_ui.helpers import ADMIN, PARTICIPANT, PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _prepare(runtime) -> int:
    """Two news items, the participant's marketing consent, and a campaign sent to them; their delivery id."""
    with transaction(runtime.sessions) as session:
        admin = session.scalar(select(User).where(User.email == ADMIN))
        participant = session.scalar(select(Participant).join(User).where(User.email == PARTICIPANT))
        for days, title in ((2, "Nowy katalog nagród"), (1, "Promocja na kleje")):
            save_news(session, title, f"**{title}**: szczegóły w regulaminie.\n\n- punkt pierwszy\n- drugi",
                      datetime.now(UTC) - timedelta(days=days), Segment(), admin)
        give_consent(session, participant, "marketing")
        campaign_id = save_campaign(session, "Nowości", "Treść *kampanii*", Segment(), False, admin).id
    with transaction(runtime.sessions) as session:
        queue_campaign(session, campaign_id, session.scalar(select(User).where(User.email == ADMIN)))
    run_campaign(runtime, campaign_id)
    return participant.id


def test_news_and_the_unsubscribe_page_on_a_phone(chromium, live_app, screenshot):
    participant_id = _prepare(live_app.runtime)
    mails = sorted((live_app.runtime.settings.data_dir / "outbox").glob("campaign-*.eml"))
    link = email.message_from_bytes(mails[0].read_bytes(), policy=policy.default)["List-Unsubscribe"].strip("<>")
    page = chromium.new_context(**PHONE).new_page()
    page.goto(f"{live_app.url}{link}")  # no login (without PUBLIC_URL the link is a path)
    assert page.locator("#unsubscribe-form").count() == 1
    assert_accessible(page, "unsubscribe")
    screenshot(page, "50-unsubscribe-phone")
    page.click("#unsubscribe-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#unsubscribe-form").count() == 0
    assert_accessible(page, "unsubscribed")
    with live_app.runtime.sessions() as session:
        assert session.scalar(select(Consent.withdrawn_at).where(Consent.participant_id == participant_id,
                                                                 Consent.kind == "marketing")) is not None

    page.goto(f"{live_app.url}/login")
    page.fill("#email", PARTICIPANT)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_app.url}/me")
    assert page.locator("#news .news-item h3").all_inner_texts() == ["Promocja na kleje", "Nowy katalog nagród"]
    assert_accessible(page, "home with news")
    screenshot(page, "51-home-news-phone")
    page.click("#news a[href='/me/news']")
    page.wait_for_load_state()
    assert page.locator(".news-item").count() == 2
    assert_accessible(page, "news")


def test_the_admin_writes_previews_and_sends_a_campaign_and_posts_news(chromium, live_app, screenshot):
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_app.url}/login")
    page.fill("#email", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_app.url}/admin/mail/new")
    page.fill("#f-subject", "Jesienna promocja")
    page.fill("#f-body", "# Kleje taniej\n\n**Do końca miesiąca** w sklepach partnerów.\n\n- Klej C2\n- Fuga")
    page.fill("#f-inactive_days", "30")
    page.click("button[value=preview]")
    page.wait_for_load_state()
    assert page.locator("#recipient-count").count() == 1 and page.locator(".mail-preview h1").count() == 1
    assert_accessible(page, "campaign preview")
    screenshot(page, "52-campaign-preview")
    page.click("button[value=save]")
    page.wait_for_load_state()
    page.click("#send-campaign")
    page.wait_for_load_state()
    assert page.locator("[data-status='queued']").count() == 1
    assert_accessible(page, "campaign queued")
    page.goto(f"{live_app.url}/admin/mail")
    assert_accessible(page, "campaigns")
    page.goto(f"{live_app.url}/admin/news/new")
    page.fill("#f-title", "Nowy katalog")
    page.fill("#f-body", "Zobacz **nowe nagrody**.")
    page.click("form.admin-form button[type=submit]")
    page.wait_for_load_state()
    assert_accessible(page, "news form")
    page.goto(f"{live_app.url}/admin/news")
    assert page.locator("[data-news]").count() == 1
    assert_accessible(page, "news list")
