"""Display activities in the web app: the admin defines one, a participant sends a photo from its page (the
upload form and its refusals), the outlet's partner reviews it with the checklist beside the photo (another
partner gets 404), approval needs the checklist and credits once, and the points history says it in words."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from claims.db.display_models import DisplayActivity
from claims.db.models import Claim, Outlet
from tests.integration.display_helpers import CHECKLIST, photo
from tests.review_ui.helpers import ADMIN, AUDITOR, PARTICIPANT, REVIEWER_A, REVIEWER_B, login
from vocabulary.claims import ClaimStatus
from workers import runtime as worker_runtime
from workers.jobs import process_claim

JSON = {"Accept": "application/json"}


def _outlet(runtime, code: str) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(Outlet.id).where(Outlet.code == code))


def _new_display(client, runtime) -> int:
    login(client, ADMIN)
    today = date.today()
    form = {"code": "EKS-1", "title": "Półka marki", "description": "Cała półka z cenówkami",
            "starts_on": (today - timedelta(days=5)).isoformat(), "ends_on": (today + timedelta(days=60)).isoformat(),
            "points": "150", "frequency": "month", "outlets": [str(_outlet(runtime, "A-WAW")),
                                                               str(_outlet(runtime, "B-LDZ"))],
            "checklist": "", "min_ticked": "", "active": "1"}
    refused = client.post("/admin/displays/new", data=form)
    assert refused.status_code == 422 and 'data-field="checklist"' in refused.get_data(as_text=True)
    saved = client.post("/admin/displays/new", data={**form, "checklist": "\n".join(CHECKLIST)})
    assert saved.status_code == 303, saved.get_data(as_text=True)[:500]
    assert "Półka marki" in client.get("/admin/displays").get_data(as_text=True)
    client.post("/logout")
    return int(saved.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _send(client, activity_id: int, outlet_id: int, data: bytes, name: str = "polka.jpg"):
    from io import BytesIO

    return client.post(f"/me/displays/{activity_id}", headers=JSON, content_type="multipart/form-data",
                       data={"outlet_id": str(outlet_id), "files": (BytesIO(data), name)})


def test_a_display_is_defined_claimed_reviewed_with_the_checklist_and_credited_once(client, runtime):
    activity_id = _new_display(client, runtime)
    login(client, PARTICIPANT)
    listing = client.get("/me/activities").get_data(as_text=True)
    assert f'data-display="{activity_id}"' in listing and "Hurtownia A Warszawa" in listing
    page = client.get(f"/me/displays/{activity_id}").get_data(as_text=True)
    assert 'data-upload' in page and 'name="outlet_id"' in page and "cenówki" in page
    sent = _send(client, activity_id, _outlet(runtime, "A-WAW"), photo(1))
    assert sent.status_code == 202, sent.get_data(as_text=True)
    claim_id = sent.get_json()["id"]
    again = _send(client, activity_id, _outlet(runtime, "A-WAW"), photo(2))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "display_slot_used"
    pdf = _send(client, activity_id, _outlet(runtime, "B-LDZ"), b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n", "a.pdf")
    assert pdf.status_code in (415, 422) and pdf.get_json()["error"]["code"] != "display_slot_used"
    outside = _send(client, activity_id, _outlet(runtime, "A-KRK"), photo(3))
    assert outside.status_code == 422 and outside.get_json()["error"]["code"] == "outlet_not_in_activity"
    client.post("/logout")

    worker_runtime.install(runtime)
    process_claim(claim_id)
    login(client, REVIEWER_B)
    assert client.get(f"/review/claims/{claim_id}").status_code == 404
    client.post("/logout")
    login(client, REVIEWER_A)
    queue = client.get("/review").get_data(as_text=True)
    assert claim_id in queue and f'name="claim_id" value="{claim_id}"' not in queue  # no bulk approval
    review = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)
    assert 'id="display-checklist"' in review and all(f'value="{item}" form="approve-form"' in review
                                                      for item in CHECKLIST)
    assert "52.229778, 21.011778" in review  # the EXIF place, as evidence
    half = client.post(f"/review/claims/{claim_id}/approve", data={"checklist": CHECKLIST[:1]},
                       follow_redirects=True).get_data(as_text=True)
    assert "co najmniej 3" in half
    with runtime.sessions() as session:
        assert session.get(Claim, claim_id).status == ClaimStatus.PENDING_REVIEW
    assert client.post(f"/review/claims/{claim_id}/approve", data={"checklist": CHECKLIST}).status_code == 303
    client.post(f"/review/claims/{claim_id}/approve", data={"checklist": CHECKLIST})
    client.post("/logout")

    login(client, PARTICIPANT)
    history = client.get("/me/points").get_data(as_text=True)
    assert "Półka marki — Hurtownia A Warszawa, Warszawa" in history and "+150" in history
    assert claim_id[:8] not in history.replace(f"/me/claims/{claim_id}", "")
    home = client.get("/me").get_data(as_text=True)
    assert home.count("Półka marki — Hurtownia A Warszawa") == 1


def test_auditors_read_the_display_admin_pages_but_only_admins_change_them(client, runtime):
    login(client, AUDITOR)
    assert client.get("/admin/displays").status_code == 200
    assert client.get("/admin/displays/new").status_code == 403
    with runtime.sessions() as session:
        assert session.scalars(select(DisplayActivity)).all() == []
