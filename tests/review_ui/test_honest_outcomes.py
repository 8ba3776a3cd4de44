"""Honest outcomes in every channel a participant reads: their pages, the API's claim JSON, the status e-mail and
the data export. Internal signals, risk scores and staff notes never reach them; a rejected claim is worth 0."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import User
from claims.services.accounts import issue_api_token
from claims.services.notifications import status_message
from claims.services.privacy import export_participant
from claims.services.review import appeal_claim, decide_claim, reverse_claim
from paragon.web import create_app as create_web_app
from tests.review_ui.helpers import AUDITOR, PARTICIPANT, REVIEWER_A, RecordingQueue, login
from vocabulary.claims import ClaimStatus

#: What verification stores on a suspicious claim: a head reason with the risk score, and the signals.
SIGNALS = [{"code": "needs_audit", "severity": "warning", "evidence": {"risk_score": 0.93}},
           {"code": "velocity_participant", "severity": "warning", "evidence": {"count": 14}},
           {"code": "edited_image", "severity": "warning", "evidence": {"software": "Photoshop"}}]
INTERNAL_WORDS = ("Bardzo wiele zgłoszeń", "programie do edycji", "dodatkowej weryfikacji", "0.93", "Photoshop",
                  "risk")
REVERSAL_NOTE = "Hurtownia przysłała korektę, uczestnik podejrzany"


def _user(runtime, email: str) -> User:
    with runtime.sessions() as session:
        return session.scalar(select(User).where(User.email == email))


def _decide(runtime, email: str, action, *args) -> None:
    with transaction(runtime.sessions) as session:
        action(session, session.scalar(select(User).where(User.email == email)), *args)


def _rejected_after_signals(runtime, claims) -> str:
    """A flagged claim with fraud signals that the auditor rejects for suspected fraud, with an inside note."""
    claim_id = claims.pending(status=ClaimStatus.FLAGGED, reasons=list(SIGNALS), points=537, risk_score=0.93)
    _decide(runtime, AUDITOR, decide_claim, claim_id, "reject", "suspected_fraud", "ten sam co u szwagra")
    return claim_id


def _reversed(runtime, claims) -> str:
    claim_id = claims.pending(points=80)
    _decide(runtime, REVIEWER_A, decide_claim, claim_id, "approve", "confirmed")
    _decide(runtime, AUDITOR, reverse_claim, claim_id, REVERSAL_NOTE)
    return claim_id


def test_the_participants_pages_show_no_signal_no_risk_and_no_staff_note(client, runtime, claims):
    flagged = claims.pending(status=ClaimStatus.FLAGGED, reasons=list(SIGNALS), points=120, risk_score=0.93)
    rejected = _rejected_after_signals(runtime, claims)
    reversed_ = _reversed(runtime, claims)
    login(client, PARTICIPANT)

    pages = [client.get(path).get_data(as_text=True)
             for path in ("/me", f"/me/claims/{flagged}", f"/me/claims/{rejected}", f"/me/claims/{reversed_}")]

    for html in pages:
        assert not [word for word in (*INTERNAL_WORDS, REVERSAL_NOTE, "szwagra") if word in html]
    assert "Zgłoszenie nie spełnia warunków programu." in pages[2]
    assert "Przyznanie punktów za to zgłoszenie zostało cofnięte" in pages[3]


def test_a_rejected_claim_shows_zero_points_not_the_proposal(client, runtime, claims):
    rejected = _rejected_after_signals(runtime, claims)
    login(client, PARTICIPANT)

    html = client.get(f"/me/claims/{rejected}").get_data(as_text=True)

    # the proposed 537 points appear nowhere (the claim's own id, in its links, may hold those digits)
    assert 'id="points-credited">0<' in html and "537" not in html.replace(str(rejected), "")
    assert "Proponowane punkty" not in client.get("/me").get_data(as_text=True)


def test_the_api_gives_the_participant_their_reasons_and_the_partner_everything(runtime, claims):
    claim_id = claims.pending(status=ClaimStatus.FLAGGED, reasons=list(SIGNALS), points=120)
    with transaction(runtime.sessions) as session:
        owner = issue_api_token(session, session.scalar(select(User).where(User.email == PARTICIPANT)))
        auditor = issue_api_token(session, session.scalar(select(User).where(User.email == AUDITOR)))
    _decide(runtime, AUDITOR, decide_claim, claim_id, "reject", "suspected_fraud", "inside note")
    api = create_web_app(runtime, RecordingQueue(), testing=True).test_client()

    mine = api.get(f"/api/v1/claims/{claim_id}", headers={"Authorization": f"Bearer {owner}"}).get_json()
    staff = api.get(f"/api/v1/claims/{claim_id}", headers={"Authorization": f"Bearer {auditor}"}).get_json()

    assert [r["code"] for r in mine["reasons"]] == ["not_accepted"]
    assert mine["reasons"][0]["next_step"] == "appeal" and mine["points"] == 0 and mine["stage"] == "decided"
    assert "inside note" not in json.dumps(mine) and "risk" not in json.dumps(mine)
    assert {"needs_audit", "velocity_participant", "suspected_fraud"} <= {r["code"] for r in staff["reasons"]}


def test_the_reversal_email_says_what_happened_without_the_auditors_note(runtime, claims):
    claim_id = _reversed(runtime, claims)
    with runtime.sessions() as session:
        message = status_message(session, claim_id, "approved", "reversed")
    assert "Odjęliśmy 80 pkt" in message.body and "cofnięte po kontroli" in message.body
    assert REVERSAL_NOTE not in message.body


def test_the_rejection_email_lists_no_risk_signal(runtime, claims):
    claim_id = _rejected_after_signals(runtime, claims)
    with runtime.sessions() as session:
        message = status_message(session, claim_id, "flagged", "rejected")
    assert "Zgłoszenie nie spełnia warunków programu." in message.body
    assert not [word for word in (*INTERNAL_WORDS, "szwagra", "oszust") if word in message.body]


def test_the_data_export_keeps_the_participants_own_words_and_nothing_of_the_staffs(runtime, claims):
    rejected = _rejected_after_signals(runtime, claims)
    appealed = _rejected_after_signals(runtime, claims)
    _decide(runtime, PARTICIPANT, appeal_claim, appealed, "Mam oryginał paragonu")
    _reversed(runtime, claims)
    duplicate = claims.pending()
    _decide(runtime, REVIEWER_A, decide_claim, duplicate, "reject", "duplicate", "już był w marcu")
    with runtime.sessions() as session:
        archive = export_participant(session, runtime.blobs, session.scalar(select(User).where(
            User.email == PARTICIPANT)))
    data = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("data.json"))
    text = json.dumps(data, ensure_ascii=False)

    assert not [word for word in ("needs_audit", "velocity", "edited_image", "risk", "suspected_fraud",
                                  "audit_override", "szwagra", REVERSAL_NOTE, "points_proposed") if word in text]
    assert "Mam oryginał paragonu" in text and "już był w marcu" in text  # the appeal, the partner's words to them
    by_id = {c["id"]: c for c in data["claims"]}
    assert by_id[rejected]["points"] == 0 and by_id[rejected]["reasons"] == [{"code": "not_accepted"}]
