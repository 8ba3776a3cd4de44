"""The links in a campaign e-mail, on PostgreSQL, through the real web app with CSRF checks on: the unsubscribe
link works without logging in (the page's form, and a mail client's RFC 8058 one-click POST), withdraws the
marketing consent as an audited withdrawal, and the next campaign skips the person; a bad or expired link is a
clear 4xx page; the open image is a GIF whatever the token and counts the first open once."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from claims.db.models import AuditEvent, Consent, Participant, User
from claims.db.reach_models import MailDelivery
from claims.services.mail_delivery import delivery_counts
from claims.services.mail_tokens import unsubscribe_token
from claims.services.privacy import export_participant
from review_ui import create_app
from tests.integration.reach_helpers import PUBLIC_URL, campaign, people, reach_runtime, run_campaign
from tests.integration.test_mail_campaigns import outbox

pytestmark = pytest.mark.integration
HTTPS = {"base_url": PUBLIC_URL}  # the session cookie is Secure under an https public address


@pytest.fixture
def rt(tmp_path, postgres_url):
    runtime = reach_runtime(tmp_path, postgres_url)
    yield runtime
    runtime.close()


@pytest.fixture
def web(rt):
    return create_app(rt, None, testing=False)


def links(rt) -> dict[str, tuple[str, str | None]]:
    """Per recipient address: the unsubscribe path and the open image path (None without one)."""
    found = {}
    for mail in outbox(rt):
        leave = mail["List-Unsubscribe"].strip("<>").removeprefix(PUBLIC_URL)
        image = re.search(r'<img src="([^"]+)"', mail.get_body(("html",)).get_content())
        found[mail["To"]] = (leave, image.group(1).removeprefix(PUBLIC_URL) if image else None)
    return found


def marketing_on(rt, pid: int) -> bool:
    with rt.sessions() as session:
        return session.scalar(select(Consent.id).where(Consent.participant_id == pid, Consent.kind == "marketing",
                                                       Consent.withdrawn_at.is_(None))) is not None


def delivery_of(rt, campaign_id: int, pid: int) -> MailDelivery | None:
    with rt.sessions() as session:
        return session.scalar(select(MailDelivery).where(MailDelivery.campaign_id == campaign_id,
                                                         MailDelivery.participant_id == pid))


def test_the_unsubscribe_link_works_without_login_and_the_next_campaign_skips_the_person(rt, web):
    page_person, one_click_person = people(rt, 2)
    first = campaign(rt)
    run_campaign(rt, first)
    leave = {pid: links(rt)[_email(rt, pid)][0] for pid in (page_person, one_click_person)}
    client = web.test_client()
    page = client.get(leave[page_person], **HTTPS)
    assert page.status_code == 200 and 'id="unsubscribe-form"' in page.text
    assert client.post(leave[page_person], data={}, **HTTPS).status_code == 400  # the form without its CSRF token
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    done = client.post(leave[page_person], data={"csrf_token": token}, **HTTPS)
    assert done.status_code == 200 and "unsubscribe-form" not in done.text
    # a mail client's one-click POST: no cookies, no session, only the signed address
    assert web.test_client().post(leave[one_click_person], data={"List-Unsubscribe": "One-Click"},
                                  **HTTPS).status_code == 204
    assert not marketing_on(rt, page_person) and not marketing_on(rt, one_click_person)
    with rt.sessions() as session:
        audited = [e.after for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "consent_withdrawn"))]
    assert {(a["via"], a["campaign"], a["channel"]) for a in audited} == {("unsubscribe", first, "page"),
                                                                          ("unsubscribe", first, "one_click")}
    assert delivery_of(rt, first, page_person).unsubscribed_at is not None
    second = campaign(rt, subject="Kolejna")
    run_campaign(rt, second)
    assert delivery_of(rt, second, page_person) is None and delivery_of(rt, second, one_click_person) is None
    with rt.sessions() as session:
        assert delivery_counts(session, [first])[first]["unsubscribed"] == 2
        person = session.scalar(select(User).join(Participant).where(Participant.id == page_person))
        with zipfile.ZipFile(io.BytesIO(export_participant(session, rt.blobs, person))) as archive:
            emails = json.loads(archive.read("data.json"))["campaign_emails"]
    assert [(e["subject"], e["status"], e["unsubscribed_at"] is not None) for e in emails] == [("Nowości", "sent",
                                                                                                True)]


def _email(rt, pid: int) -> str:
    with rt.sessions() as session:
        return session.scalar(select(User.email).join(Participant).where(Participant.id == pid))


def test_a_bad_or_expired_unsubscribe_link_is_a_clear_page_not_an_error(rt, web, monkeypatch):
    pid, = people(rt, 1)
    cid = campaign(rt)
    run_campaign(rt, cid)
    good = links(rt)[_email(rt, pid)][0]
    client = web.test_client()
    for path in ("/unsubscribe/forged", good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"),
                 "/unsubscribe/" + "x" * 300):
        answer = client.get(path, **HTTPS)
        assert answer.status_code == 400 and "nieprawidłowy" in answer.text, path
        assert client.post(path, data={"List-Unsubscribe": "One-Click"}, **HTTPS).status_code == 400
    real_timestamp = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real_timestamp(self) - 400 * 86400)
    with rt.sessions() as session:
        delivery_id = session.scalar(select(MailDelivery.id).where(MailDelivery.participant_id == pid))
    old = "/unsubscribe/" + unsubscribe_token(rt.settings.secret_key, delivery_id)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real_timestamp)
    expired = client.get(old, **HTTPS)
    assert expired.status_code == 410 and "wygasł" in expired.text
    assert marketing_on(rt, pid)


def test_the_open_image_counts_the_first_open_once_and_never_tells_anything(rt, web):
    pid, = people(rt, 1)
    measured, blind = campaign(rt, track_opens=True), campaign(rt, track_opens=False, subject="Bez obrazka")
    run_campaign(rt, measured)
    image = links(rt)[_email(rt, pid)][1]
    client = web.test_client()
    answers = [client.get(image, **HTTPS), client.get("/mail/open/forged.gif", **HTTPS)]
    first_open = delivery_of(rt, measured, pid).opened_at
    answers.append(client.get(image, **HTTPS))
    assert {(a.status_code, a.mimetype, a.data[:6]) for a in answers} == {(200, "image/gif", b"GIF89a")}
    assert first_open is not None and delivery_of(rt, measured, pid).opened_at == first_open
    with rt.sessions() as session:
        report = delivery_counts(session, [measured])[measured]
    assert report["opened"] == 1 and report["open_rate"] == round(1 / report["sent"], 4)
    run_campaign(rt, blind)
    blind_mails = [m for m in outbox(rt) if m["Subject"] == "Bez obrazka"]
    assert blind_mails and all("<img" not in m.get_body(("html",)).get_content() for m in blind_mails)
