"""verify_claim end to end: a table of claims and the route and reason codes each must get."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from claims.i18n import has_key
from claims.services.processing import facts_from_extraction
from ocr import DocumentKind, Extraction, FieldValue, merge_documents
from verification import (
    Campaign,
    Caps,
    CatalogueIndex,
    ClaimFacts,
    History,
    LineItem,
    Outlet,
    PointsRules,
    PriorClaim,
    Product,
    Route,
    SubmissionEvent,
    identity_key,
    verify_claim,
)

NIP_A, NIP_STRANGER, NIP_COMPANY, NIP_OTHER_COMPANY = "5260250274", "1132191233", "5213017228", "7251801126"
SECRET = b"test-identity-secret"
TODAY = date(2026, 11, 5)
SUBMITTED = datetime(2026, 11, 5, 10, 0, tzinfo=timezone(timedelta(hours=1)))
PHASH = 0x0F0F_3C3C_A5A5_5A5A
SHA = "a" * 64

PRODUCTS = [
    Product(1, "MAXBUD-KLP-FLEX-25", "5904411000015", "Klej do płytek MAXBUD Flex C2TE 25 kg", points_per_unit=8),
    Product(2, "MAXBUD-KLP-FLEX-5", "5904411000022", "Klej do płytek MAXBUD Flex C2TE 5 kg", points_per_unit=2),
    Product(3, "MAXBUD-CEM-25", "5904411000039", "Cement CEM I 42,5R MAXBUD 25 kg", points_per_unit=1),
    Product(4, "MAXBUD-FGE-SZ-2", "5904411000046", "Fuga elastyczna MAXBUD CE40 szara 2 kg", points_per_unit=3),
    Product(5, "MAXBUD-FGE-BI-2", "5904411000053", "Fuga elastyczna MAXBUD CE40 biała 2 kg", points_per_unit=3),
]
CATALOGUE = CatalogueIndex.build(PRODUCTS)
OUTLETS = {NIP_A: Outlet(7, 3, NIP_A, "BUDMAX Warszawa Sp. z o.o.", "ul. Przemysłowa 14, 02-232 Warszawa")}
CAMPAIGN = Campaign("BUDUJ2026", date(2026, 1, 1), date(2026, 12, 31), submission_days=30,
                    eligible_skus=frozenset({"MAXBUD-KLP-FLEX-25", "MAXBUD-KLP-FLEX-5", "MAXBUD-FGE-SZ-2",
                                             "MAXBUD-FGE-BI-2"}))
KLEJ = LineItem("KL.PLYT MAXBUD FLEX C2TE 25KG", Decimal(2), Decimal("89.90"), Decimal("179.80"), 23)


def claim(**changes) -> ClaimFacts:
    base = ClaimFacts(
        claim_id="claim-1", participant_id=1, submitted_at=SUBMITTED, seller_nip=NIP_A,
        seller_name="BUDMAX Warszawa Sp. z o.o.", seller_address="ul. Przemysłowa 14 02-232 Warszawa",
        date=date(2026, 11, 3), document_number="000123", total=Decimal("179.80"), items=(KLEJ,),
        sure_fields=frozenset({"seller_nip", "date", "total"}), sha256s=(SHA,), phashes=(PHASH,),
        participant_company_nip=NIP_COMPANY, device_id="dev-1", ip="203.0.113.7",
    )
    return dataclasses.replace(base, **changes)


def key_of(facts: ClaimFacts) -> str | None:
    return identity_key(facts.identity_fields(), SECRET)


NO_HISTORY = History()


def verify(facts: ClaimFacts, campaign: Campaign = CAMPAIGN, history: History = NO_HISTORY, priors=()):
    return verify_claim(facts, campaign, OUTLETS, CATALOGUE, history, list(priors), today=TODAY,
                        identity_secret=SECRET)


def prior(**changes) -> PriorClaim:
    return dataclasses.replace(PriorClaim(id="claim-0", participant_id=1, sha256s=frozenset({"b" * 64})), **changes)


AUTO = dataclasses.replace(CAMPAIGN, auto_approve=True)
CAPPED = dataclasses.replace(CAMPAIGN, rules=PointsRules(caps=Caps(per_day=20)))
REQUIRES_NIP = dataclasses.replace(CAMPAIGN, require_buyer_nip=True)

SCENARIOS = {
    "happy_path_goes_to_the_partner": (dict(), CAMPAIGN, History(), (), Route.PENDING_REVIEW, set()),
    "unknown_seller_is_rejected": (dict(seller_nip=NIP_STRANGER), CAMPAIGN, History(), (), Route.AUTO_REJECTED,
                                   {"unknown_seller"}),
    "unreadable_asks_for_a_retake": (dict(readable=False), CAMPAIGN, History(), (), Route.NEEDS_RETAKE,
                                     {"unreadable"}),
    "no_nip_and_unknown_name_asks_for_a_retake": (
        dict(seller_nip=None, seller_name="Sklep Zupełnie Inny", seller_address="ul. Polna 1 00-001 Kraków"),
        CAMPAIGN, History(), (), Route.NEEDS_RETAKE, {"no_seller_nip"}),
    "no_nip_but_name_and_address_match_goes_to_the_partner_with_a_warning": (
        dict(seller_nip=None, sure_fields=frozenset({"date", "total"})), CAMPAIGN, History(), (),
        Route.PENDING_REVIEW, {"seller_matched_by_name", "uncertain_fields"}),
    "duplicate_by_file_is_rejected": (dict(), CAMPAIGN, History(), (prior(sha256s=frozenset({SHA})),),
                                      Route.AUTO_REJECTED, {"duplicate"}),
    "duplicate_by_identity_across_participants_is_rejected": (
        dict(), CAMPAIGN, History(), (prior(participant_id=2, identity_key=key_of(claim())),), Route.AUTO_REJECTED,
        {"duplicate"}),
    "near_duplicate_photo_is_flagged": (
        dict(), CAMPAIGN, History(),
        (prior(participant_id=2, phashes=(PHASH ^ 0b1011,), seller_nip=NIP_A, date=date(2026, 11, 3)),),
        Route.FLAGGED, {"needs_audit", "near_duplicate"}),
    "similar_photo_of_another_purchase_is_not_a_duplicate": (
        dict(), CAMPAIGN, History(),
        (prior(phashes=(PHASH ^ 0b1011,), seller_nip=NIP_A, date=date(2026, 10, 1), total=Decimal("12.00")),),
        Route.PENDING_REVIEW, set()),
    "purchase_outside_the_period_is_rejected": (
        dict(date=date(2025, 12, 30), submitted_at=datetime(2026, 1, 5, 9, tzinfo=UTC)), CAMPAIGN,
        History(), (), Route.AUTO_REJECTED, {"outside_campaign_period"}),
    "submission_too_late_is_rejected": (dict(date=date(2026, 9, 1)), CAMPAIGN, History(), (), Route.AUTO_REJECTED,
                                        {"submitted_too_late"}),
    "no_eligible_product_is_rejected": (
        dict(items=(LineItem("WODA MINERALNA 1,5L", Decimal(1), Decimal("2.49"), Decimal("2.49"), 5),
                    LineItem("CEMENT CEM I 42,5R MAXBUD 25KG", Decimal(1), Decimal("24.99"), Decimal("24.99"), 23)),
             total=Decimal("27.48")), CAMPAIGN, History(), (), Route.AUTO_REJECTED, {"product_not_eligible"}),
    "unrecognised_lines_that_do_not_add_up_to_the_total_go_to_the_partner": (
        dict(items=(LineItem("WODA MINERALNA 1,5L", Decimal(1), Decimal("2.49"), Decimal("2.49"), 5),),
             total=Decimal("27.48")), CAMPAIGN, History(), (), Route.PENDING_REVIEW,
        {"totals_mismatch", "product_not_recognised"}),
    "a_competitors_product_resembling_ours_goes_to_the_partner": (
        dict(items=(LineItem("KLEJ CERAFIX ELASTIK C2TE 25KG", Decimal(1), Decimal("49.99"), Decimal("49.99"), 23),),
             total=Decimal("49.99")), CAMPAIGN, History(), (), Route.PENDING_REVIEW, {"product_not_recognised"}),
    "cap_reached_goes_to_the_partner_with_the_points_cut": (
        dict(), CAPPED, History(points_by_day={date(2026, 11, 3): 15}), (), Route.PENDING_REVIEW,
        {"points_capped"}),
    "buyer_nip_of_another_company_when_required_is_flagged": (
        dict(buyer_nip=NIP_OTHER_COMPANY), REQUIRES_NIP, History(), (), Route.FLAGGED,
        {"needs_audit", "buyer_nip_mismatch"}),
    "missing_buyer_nip_when_required_asks_for_another_document": (
        dict(), REQUIRES_NIP, History(), (), Route.NEEDS_RETAKE, {"buyer_nip_required"}),
    "own_company_nip_when_required_goes_to_the_partner": (
        dict(buyer_nip=NIP_COMPANY), REQUIRES_NIP, History(), (), Route.PENDING_REVIEW, set()),
    "auto_approve_when_nothing_is_uncertain": (dict(), AUTO, History(), (), Route.AUTO_APPROVED, {"auto_approved"}),
    "auto_approve_campaign_with_an_uncertain_line_goes_to_the_partner": (
        dict(items=(KLEJ, LineItem("FUGA CE40 2KG", Decimal(1), Decimal("19.99"), Decimal("19.99"), 23)),
             total=Decimal("199.79")), AUTO, History(), (), Route.PENDING_REVIEW, {"product_match_uncertain"}),
    "auto_approve_campaign_with_unsure_fields_goes_to_the_partner": (
        dict(sure_fields=frozenset({"seller_nip"})), AUTO, History(), (), Route.PENDING_REVIEW,
        {"uncertain_fields"}),
    "edited_photo_is_flagged": (dict(exif=({"Software": "Adobe Photoshop 25.0"},)), AUTO, History(), (),
                                Route.FLAGGED, {"needs_audit", "edited_image"}),
    "many_accounts_on_one_device_are_flagged": (
        dict(), CAMPAIGN, History(device_submissions=(SubmissionEvent(SUBMITTED - timedelta(days=1), 2),
                                                      SubmissionEvent(SUBMITTED - timedelta(days=2), 3))), (),
        Route.FLAGGED, {"needs_audit", "velocity_device"}),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_claim_is_routed_with_its_reasons(name):
    changes, campaign, history, priors, route, codes = SCENARIOS[name]
    verdict = verify(claim(**changes), campaign, history, priors)
    assert verdict.route is route, verdict.codes()
    assert set(verdict.codes()) == codes
    for reason in verdict.reasons:  # every reason can be told in both languages
        assert has_key(f"reason.{reason.code}", "pl") and has_key(f"reason.{reason.code}", "en")


def test_happy_path_points_outlet_and_lines():
    verdict = verify(claim())
    assert (verdict.outlet_id, verdict.partner_id, verdict.points) == (7, 3, 16)
    (line,) = verdict.lines
    assert (line.product_id, line.auto, line.eligible, line.points) == (1, True, True, 16)
    assert verdict.identity_key == key_of(claim())
    assert verdict.to_dict()["lines"][0]["product_name"] == "Klej do płytek MAXBUD Flex C2TE 25 kg"


def test_cap_cuts_points_to_what_the_cap_leaves():
    verdict = verify(claim(), CAPPED, History(points_by_day={date(2026, 11, 3): 15}))
    assert verdict.points == 5
    capped = next(r for r in verdict.reasons if r.code == "points_capped")
    assert capped.evidence["points_before_caps"] == 16 and capped.evidence["points_granted"] == 5


def test_duplicate_across_participants_says_so_in_the_evidence():
    verdict = verify(claim(), priors=[prior(participant_id=2, identity_key=key_of(claim()))])
    assert verdict.reasons[0].evidence["by"] == "same_document"
    assert verdict.reasons[0].evidence["other_participant"] is True


def test_the_claim_itself_among_priors_is_not_its_own_duplicate_and_reruns_agree():
    itself = PriorClaim(id="claim-1", participant_id=1, sha256s=frozenset({SHA}), phashes=(PHASH,),
                        identity_key=key_of(claim()), seller_nip=NIP_A, date=date(2026, 11, 3))
    first, second = verify(claim(), priors=[itself]), verify(claim(), priors=[itself])
    assert first.route is Route.PENDING_REVIEW and first == second


def test_a_retaken_claim_does_not_make_the_new_photo_a_duplicate():
    verdict = verify(claim(), priors=[prior(sha256s=frozenset({SHA}), status="needs_retake")])
    assert verdict.route is Route.PENDING_REVIEW


def test_flagged_claim_still_proposes_points_and_explains_the_risk():
    verdict = verify(claim(exif=({"Software": "GIMP 2.10"},)))
    assert verdict.points == 16 and verdict.risk_score >= 0.5
    assert verdict.reasons[0].code == "needs_audit"
    assert next(r for r in verdict.reasons if r.code == "edited_image").evidence["software"] == "GIMP 2.10"


def test_facts_from_a_claims_typed_fields_read_the_extracted_strings():
    fields = {name: FieldValue(value, 0.9, sure=name != "document_number") for name, value in
              {"seller_nip": NIP_A, "date": "2026-11-03", "total": "179.80", "document_number": "000123"}.items()}
    items = [{"name": KLEJ.name, "qty": "2", "unit_price": "89.90", "amount": "179.80", "vat_rate": 23}]
    merged = merge_documents([Extraction(DocumentKind.RECEIPT, fields, items)])
    facts = facts_from_extraction(merged, claim_id="claim-1", participant_id=1, submitted_at=SUBMITTED,
                                  sha256s=(SHA,))
    assert facts.items == (KLEJ,) and facts.total == Decimal("179.80") and facts.date == date(2026, 11, 3)
    assert facts.sure_fields == {"seller_nip", "date", "total"} and facts.kind == "receipt" and facts.readable
    assert verify(facts).points == 16
