"""The competition pages: partner scorecards (the agency sees every partner and exports them; a partner sees its
own card only, whatever it asks for), a region contest shown only to its region, and the tier's multiplier and
level changes as the participant sees them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import LedgerEntry, Participant, Partner, User
from claims.ledger import post
from claims.services.review import decide_claim
from tests.review_ui.helpers import ADMIN, AUDITOR, PARTICIPANT, REVIEWER_A, login


def _approve(runtime, claims, points: int = 100, outlet: str = "A-WAW") -> str:
    claim_id = claims.pending(outlet, points=points)
    with transaction(runtime.sessions) as session:
        reviewer = session.scalar(select(User).where(User.email == REVIEWER_A))
        decide_claim(session, reviewer, claim_id, "approve", "")
    return claim_id


def _participant_id(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(Participant.id).join(User).where(User.email == PARTICIPANT))


def test_the_agency_sees_every_partners_scorecard_and_a_partner_only_its_own(client, runtime, claims):
    _approve(runtime, claims)
    claims.pending("B-LDZ")
    login(client, AUDITOR)
    page = client.get("/reports/scorecards?days=30").get_data(as_text=True)
    assert 'data-partner="HURT-A"' in page and 'data-partner="HURT-B"' in page and 'id="fair-reviewer"' in page
    assert 'data-why="too_few"' in page  # one decision is not enough to compete
    csv = client.get("/reports/scorecards.csv?days=30")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert "Hurtownia A" in text and "Skład B" in text and "Sprowadzeni uczestnicy" in text
    assert client.get("/reports/scorecards.pdf").status_code == 404
    client.post("/logout")
    login(client, REVIEWER_A)
    with runtime.sessions() as session:
        other = session.scalar(select(Partner.id).where(Partner.code == "HURT-B"))
    own = client.get(f"/partner/scorecard?days=30&partner={other}").get_data(as_text=True)
    assert 'data-partner="HURT-A"' in own and "HURT-B" not in own and "Skład B" not in own
    assert 'data-key="brought_in">1<' in own
    assert client.get("/reports/scorecards").status_code == 403


def test_a_region_contest_is_shown_only_to_its_region(client, runtime):
    today = datetime.now(UTC).date()
    login(client, ADMIN)
    form = client.get("/admin/contests/new").get_data(as_text=True)
    assert 'name="audience"' in form and 'name="tie_break"' in form and 'value="product_quantity"' in form
    data = {"code": "K-POM", "title": "Pomorze gra", "metric": "points", "prizes": "50", "audience": "region",
            "audience_region": "", "tie_break": "claims", "starts_on": (today - timedelta(days=1)).isoformat(),
            "ends_on": (today + timedelta(days=3)).isoformat()}
    refused = client.post("/admin/contests/new", data=data)
    assert refused.status_code == 422 and "regio" in refused.get_data(as_text=True)
    saved = client.post("/admin/contests/new", data={**data, "audience_region": "pomorskie"})
    contest_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    client.post("/logout")
    login(client, PARTICIPANT)
    assert client.get(f"/me/contests/{contest_id}").status_code == 404
    assert f'data-contest="{contest_id}"' not in client.get("/me/activities").get_data(as_text=True)
    profile = {"name": "Jan Kowalski", "company_name": "Kowalski Instalacje", "company_nip": "5213017228"}
    assert client.post("/me/account", data={**profile, "region": "Atlantyda"}).status_code == 422
    assert client.post("/me/account", data={**profile, "region": "pomorskie"}).status_code == 303
    page = client.get(f"/me/contests/{contest_id}").get_data(as_text=True)
    assert "Pomorze gra" in page and "więcej zatwierdzonych zgłoszeń" in page
    assert f'data-contest="{contest_id}"' in client.get("/me/activities").get_data(as_text=True)


def test_the_participant_sees_the_multiplier_and_is_told_when_the_level_changes(client, runtime, claims):
    login(client, ADMIN)
    assert client.post("/admin/tiers", data={"ladder": "Brązowy; 0; 1\nSrebrny; 500; 1,25"}).status_code == 303
    client.post("/logout")
    pid = _participant_id(runtime)
    with transaction(runtime.sessions) as session:
        post(session, LedgerEntry(participant_id=pid, kind="training", points=600, cause=f"t:{uuid.uuid4().hex}"))
    _approve(runtime, claims, points=100)
    login(client, PARTICIPANT)
    points = client.get("/me/points").get_data(as_text=True)
    assert "x1.25 (Srebrny)" in points and "+125" in points
    first = client.get("/me/activities").get_data(as_text=True)
    assert 'data-change="promoted"' in first and "Srebrny" in first
    assert "data-change=" not in client.get("/me/activities").get_data(as_text=True)  # told once
    client.post("/logout")
    login(client, ADMIN)
    client.post("/admin/tiers", data={"ladder": "Brązowy; 0; 1\nSrebrny; 5000; 1,25"})
    client.post("/logout")
    login(client, PARTICIPANT)
    demoted = client.get("/me/activities").get_data(as_text=True)
    assert 'data-change="demoted"' in demoted and 'data-missing="4275"' in demoted
