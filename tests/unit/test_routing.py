from decimal import Decimal

from verification import CampaignRules, points_for_total

RULES = CampaignRules(points_per_pln=Decimal("1"))


def test_points_round_down_and_follow_the_campaign_rate():
    assert points_for_total(Decimal("99.99"), CampaignRules(Decimal("1"))) == 99
    assert points_for_total(Decimal("99.99"), CampaignRules(Decimal("0.5"))) == 49
    assert points_for_total(None, RULES) == 0
    assert points_for_total(Decimal("-5"), RULES) == 0
