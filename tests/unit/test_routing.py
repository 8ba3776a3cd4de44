from decimal import Decimal

from verification import CampaignRules, OutletRef, ReadFields, Route, points_for_total, route_document_claim

OUTLETS = {"5260250274": OutletRef(id=7, partner_id=3, nip="5260250274", name="Sklep A")}
RULES = CampaignRules(points_per_pln=Decimal("1"))


def test_known_seller_goes_to_its_partner_with_points_for_the_total():
    verdict = route_document_claim(ReadFields("5260250274", "2026-11-03", "123.99"), OUTLETS, RULES)
    assert verdict.route is Route.PENDING_REVIEW
    assert (verdict.outlet_id, verdict.partner_id, verdict.points) == (7, 3, 123)
    assert verdict.reasons == ()


def test_seller_outside_the_programme_is_rejected_as_unknown_seller():
    verdict = route_document_claim(ReadFields("1132191233", "2026-11-03", "10.00"), OUTLETS, RULES)
    assert verdict.route is Route.AUTO_REJECTED
    assert [r.code for r in verdict.reasons] == ["unknown_seller"]
    assert verdict.reasons[0].evidence == {"seller_nip": "1132191233"}


def test_unreadable_document_asks_for_a_retake():
    verdict = route_document_claim(ReadFields(readable=False), OUTLETS, RULES)
    assert verdict.route is Route.NEEDS_RETAKE
    assert verdict.reasons[0].code == "unreadable"
    assert "zdjęcie" in verdict.reasons[0].message_pl


def test_missing_or_bad_nip_asks_for_a_retake_not_a_rejection():
    for nip in (None, "5260250275"):
        verdict = route_document_claim(ReadFields(nip, "2026-11-03", "10.00"), OUTLETS, RULES)
        assert verdict.route is Route.NEEDS_RETAKE
        assert {r.code for r in verdict.reasons} == {"unreadable", "no_seller_nip"}


def test_missing_total_still_reaches_the_partner_with_a_warning_and_no_points():
    verdict = route_document_claim(ReadFields("5260250274", None, None), OUTLETS, RULES)
    assert verdict.route is Route.PENDING_REVIEW and verdict.points == 0
    assert {r.code for r in verdict.reasons} == {"no_total", "no_date"}


def test_points_round_down_and_follow_the_campaign_rate():
    assert points_for_total(Decimal("99.99"), CampaignRules(Decimal("1"))) == 99
    assert points_for_total(Decimal("99.99"), CampaignRules(Decimal("0.5"))) == 49
    assert points_for_total(None, RULES) == 0
    assert points_for_total(Decimal("-5"), RULES) == 0
