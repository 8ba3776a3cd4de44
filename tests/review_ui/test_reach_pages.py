"""The pages of reaching participants: the admin writes a campaign, previews it with the recipient count, sends
it once; a malformed segment comes back marked; auditors read the campaigns and the report but cannot send;
the participant's home page shows the latest news meant for them, newest first, with a page for the rest."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Participant, User
from claims.db.reach_models import MailCampaign, NewsPost
from claims.services.registration import give_consent
from tests.review_ui.helpers import ADMIN, AUDITOR, PARTICIPANT, login

FORM = {"subject": "Jesienna promocja", "body": "**Kleje** taniej <script>alert(1)</script>", "cities": "",
        "inactive_days": ""}


def _consent(runtime, email: str) -> None:
    with transaction(runtime.sessions) as session:
        participant = session.scalar(select(Participant).join(User).where(User.email == email))
        give_consent(session, participant, "marketing")


def test_the_admin_previews_with_the_count_saves_and_sends_a_campaign_once(client, runtime):
    _consent(runtime, PARTICIPANT)
    login(client, ADMIN)
    preview = client.post("/admin/mail/new", data={**FORM, "action": "preview"})
    assert preview.status_code == 200
    assert re.search(r'data-recipients="1"', preview.text) and "<strong>Kleje</strong>" in preview.text
    assert "<script>alert" not in preview.text and "&lt;script&gt;" in preview.text
    with runtime.sessions() as session:
        assert session.scalar(select(MailCampaign.id)) is None  # a preview saves nothing
    saved = client.post("/admin/mail/new", data={**FORM, "action": "save", "track_opens": "1"})
    assert saved.status_code == 303
    page = client.get(saved.headers["Location"])
    assert page.status_code == 200 and 'data-recipients="1"' in page.text and 'id="send-campaign"' in page.text
    campaign_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    assert client.post(f"/admin/mail/{campaign_id}/send").status_code == 303
    again = client.post(f"/admin/mail/{campaign_id}/send", follow_redirects=True)
    assert "została już wysłana" in again.text
    assert client.post(f"/admin/mail/{campaign_id}", data={**FORM, "subject": "Zmiana"}).status_code == 422
    with runtime.sessions() as session:
        campaign = session.get(MailCampaign, campaign_id)
        assert (campaign.status, campaign.subject, campaign.track_opens) == ("queued", FORM["subject"], True)


def test_a_malformed_segment_comes_back_marked(client):
    login(client, ADMIN)
    answer = client.post("/admin/mail/new", data={**FORM, "inactive_days": "dużo"})
    assert answer.status_code == 422 and 'id="e-inactive_days"' in answer.text
    assert 'value="dużo"' in answer.text  # what was typed is kept


def test_auditors_read_campaigns_and_the_report_but_cannot_send(app, runtime):
    admin, auditor = app.test_client(), app.test_client()
    login(admin, ADMIN)
    saved = admin.post("/admin/mail/new", data={**FORM, "action": "save"})
    campaign_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    login(auditor, AUDITOR)
    page = auditor.get(f"/admin/mail/{campaign_id}")
    assert page.status_code == 200 and "send-campaign" not in page.text and 'name="subject"' not in page.text
    assert auditor.post(f"/admin/mail/{campaign_id}/send").status_code == 403
    report = auditor.get("/admin/mail/report.csv")
    assert report.status_code == 200 and "open_rate" in report.text and FORM["subject"] in report.text


def test_the_home_page_shows_the_latest_news_meant_for_the_participant(app, client, runtime):
    admin = app.test_client()
    login(admin, ADMIN)
    now = datetime.now(UTC)
    for days, title in ((4, "Najstarsza"), (3, "Starsza"), (2, "Nowsza"), (1, "Najnowsza")):
        moment = (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")
        assert admin.post("/admin/news/new", data={"title": title, "body": f"Treść *{title}*",
                                                   "publish_at": moment}).status_code == 303
    future = (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    admin.post("/admin/news/new", data={"title": "Jutrzejsza", "body": "x", "publish_at": future})
    admin.post("/admin/news/new", data={"title": "Dla Złotych", "body": "x", "partner": "1",
                                        "inactive_days": "1"})  # nobody's outlet purchase: not for this one
    with runtime.sessions() as session:
        assert session.query(NewsPost).count() == 6
    login(client, PARTICIPANT)
    home = client.get("/me").text
    shown = re.findall(r'<h3 id="news-\d+">([^<]+)</h3>', home)
    assert shown == ["Najnowsza", "Nowsza", "Starsza"] and "<em>Najnowsza</em>" in home
    assert 'href="/me/news"' in home
    everything = client.get("/me/news").text
    assert re.findall(r'<h2 id="news-\d+">([^<]+)</h2>', everything) == ["Najnowsza", "Nowsza", "Starsza",
                                                                          "Najstarsza"]
