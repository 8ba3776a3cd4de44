"""Concurrent campaigns through the database: a base programme and a promotion decide a claim together, each
campaign's part is stored and shown, a correction counts every part again, and an overlapping campaign warns."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Campaign, Claim, ClaimCampaignPart, Partner, Product
from claims.services.campaigns import claim_parts
from claims.services.corrections import correct_fields
from claims.services.processing import start_processing, verify_and_route
from claims.services.programme import load_programme
from ocr import DocumentKind, Extraction, FieldValue
from tests.review_ui.helpers import ADMIN, PARTICIPANT, PROGRAMME, REVIEWER_A, login

PRINTED = "KLEJ DO PLYTEK C2TE 25KG"


def _programme(runtime, with_bonus: bool = True, later: bool = False) -> None:
    with transaction(runtime.sessions) as session:
        session.add(Product(sku="KL-25", name="Klej do płytek C2TE 25 kg", unit="worek", points_per_unit=5))
        partner_a = session.scalar(select(Partner.id).where(Partner.code == "HURT-A"))
        if with_bonus:
            session.add(Campaign(code="PROMO", name="Premia za klej", starts_on=date(2026, 1, 1),
                                 ends_on=date(2026, 12, 31), points_per_pln=0, rules={"per_unit": {"KL-25": 10}},
                                 eligible_skus=["KL-25"], partner_ids=[partner_a]))
        if later:
            session.add(Campaign(code="WIOSNA2027", name="Wiosna 2027", starts_on=date(2027, 2, 1),
                                 ends_on=date(2027, 3, 31), points_per_pln=2))


def _processed(runtime, claims, day: str = "2026-11-25") -> str:
    claim_id = claims.submit()
    fields = {name: FieldValue(value, 0.95) for name, value in {
        "seller_nip": "5260250274", "seller_name": "Hurtownia A Warszawa", "date": day, "total": "100.00",
        "document_number": "PAR/1/2026"}.items()}
    items = [{"name": PRINTED, "qty": "2", "unit_price": "50.00", "amount": "100.00", "vat_rate": 23}]
    claims.read(claim_id, Extraction(DocumentKind.RECEIPT, fields, items).to_dict())
    with transaction(runtime.sessions) as session:
        start_processing(session, claim_id)
        verify_and_route(session, claim_id, "test-secret", now=datetime(2026, 11, 30, 12, tzinfo=UTC))
    return claim_id


def test_a_claim_earns_in_the_base_programme_and_the_promotion_and_each_part_is_shown(runtime, claims, client):
    _programme(runtime)
    claim_id = _processed(runtime, claims)
    with runtime.sessions() as session:
        claim = session.get(Claim, claim_id)
        parts = [(p.code, p.points) for p in claim_parts(session, claim_id)]
        # base: 100 zł x 1 + 2 bags x 5 = 110; promotion: 2 bags x 10 = 20
        assert parts == [("TEST-2026", 110), ("PROMO", 20)] and claim.points_proposed == 130
        assert claim.status == "pending_review"
    login(client, REVIEWER_A)
    html = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)
    table = re.search(r'<table class="campaign-parts".*?</table>', html, re.S).group(0)
    assert "Program testowy" in table and "Premia za klej" in table and ">110<" in table and ">20<" in table


def test_a_later_campaign_does_not_take_over_a_claim_of_the_running_one(runtime, claims):
    _programme(runtime, with_bonus=False, later=True)
    claim_id = _processed(runtime, claims)
    with runtime.sessions() as session:
        claim = session.get(Claim, claim_id)
        assert claim.status == "pending_review" and claim.points_proposed == 110
        assert "outside_campaign_period" not in [r["code"] for r in claim.reasons]
        assert [p.code for p in claim_parts(session, claim_id)] == ["TEST-2026"]


def test_a_corrected_date_counts_each_campaign_again(runtime, claims):
    _programme(runtime)
    claim_id = _processed(runtime, claims)
    with transaction(runtime.sessions) as session:
        session.get(Campaign, session.scalar(select(Campaign.id).where(Campaign.code == "PROMO"))).ends_on = \
            date(2026, 11, 20)
    with transaction(runtime.sessions) as session:
        from claims.db.models import User

        reviewer = session.scalar(select(User).where(User.email == REVIEWER_A))
        correct_fields(session, reviewer, claim_id, {"date": "2026-11-26"})
    with runtime.sessions() as session:
        assert [(p.code, p.points) for p in claim_parts(session, claim_id)] == [("TEST-2026", 110)]
        assert session.get(Claim, claim_id).points_proposed == 110
        assert session.scalars(select(ClaimCampaignPart)).all()


def test_programme_file_takes_a_list_of_campaigns_and_a_single_one_still_loads(runtime):
    bonus = {"code": "BONUS", "name": "Bonus", "starts_on": "2026-10-01", "ends_on": "2026-12-31",
             "points_per_pln": "0", "partners": ["HURT-B"], "products": [], "rules": {"fixed_bonus": 5}}
    listed = {**{k: v for k, v in PROGRAMME.items() if k != "campaign"}, "campaigns": [PROGRAMME["campaign"], bonus]}
    with transaction(runtime.sessions) as session:
        load_programme(session, listed)
        load_programme(session, PROGRAMME)  # the single form, already loaded: nothing new
        rows = session.scalars(select(Campaign).order_by(Campaign.id)).all()
        partner_b = session.scalar(select(Partner.id).where(Partner.code == "HURT-B"))
        assert [c.code for c in rows] == ["TEST-2026", "BONUS"]
        assert rows[1].partner_ids == [partner_b] and rows[1].rules == {"fixed_bonus": 5}


def test_saving_an_overlapping_campaign_warns_and_shows_the_overlap(client, runtime):
    login(client, ADMIN)
    form = {"code": "ZIMA", "name": "Zimowa premia", "starts_on": "2026-12-01",
            "ends_on": "2027-02-28", "submission_days": "30", "points_per_pln": "2", "basis": "gross",
            "fixed_bonus": "0", "minimum_purchase": "0", "active": "1", "partners": "HURT-A"}
    saved = client.post("/admin/campaigns/new", data=form, follow_redirects=True)
    html = saved.get_data(as_text=True)
    assert "nakłada się na inne aktywne akcje" in html
    overlap = re.search(r'<li data-overlap="TEST-2026">(.*?)</li>', html, re.S).group(1)
    assert "Program testowy" in overlap and "2026-12-01" in overlap and "Hurtownia A" in overlap
    unknown = client.post("/admin/campaigns/new", data={**form, "code": "X", "partners": "NOPE"})
    assert unknown.status_code == 422 and "NOPE" in unknown.get_data(as_text=True)


def test_the_participant_sees_each_campaigns_part(runtime, claims, client):
    _programme(runtime)
    claim_id = _processed(runtime, claims)
    login(client, PARTICIPANT)
    html = client.get(f"/me/claims/{claim_id}").get_data(as_text=True)
    assert 'id="campaign-parts"' in html and "Premia za klej" in html
