"""What concurrent campaigns cost: verify_campaigns over 1, 2 and 5 active campaigns against verify_claim
alone, on the same claim (ratios, so the machine's speed cancels out).

    python -m bench.campaigns
"""

from __future__ import annotations

import dataclasses
import time
from datetime import date

from tests.unit.test_verification_verify import CAMPAIGN, CATALOGUE, OUTLETS, SECRET, TODAY, claim
from verification import Campaign, History, PointsRules, verify_claim
from verification.campaigns import verify_campaigns

ROUNDS = 400


def _timed(call) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(ROUNDS):
            call()
        best = min(best, time.perf_counter() - start)
    return best / ROUNDS


def main() -> None:
    facts = claim()
    promotions = [Campaign(f"P{i}", date(2026, 1, 1), date(2026, 12, 31), rules=PointsRules(fixed_bonus=i))
                  for i in range(4)]
    elsewhere = dataclasses.replace(promotions[0], code="X", partner_ids=frozenset({999}))
    alone = _timed(lambda: verify_claim(facts, CAMPAIGN, OUTLETS, CATALOGUE, History(),
                                        [], today=TODAY, identity_secret=SECRET))
    print(f"verify_claim, one campaign: {alone * 1e3:.2f} ms")
    for label, campaigns in (("1 campaign", [CAMPAIGN]), ("2 applicable", [CAMPAIGN, promotions[0]]),
                             ("5 applicable", [CAMPAIGN, *promotions]),
                             ("1 applicable + 4 of other partners", [CAMPAIGN, *[dataclasses.replace(
                                 elsewhere, code=f"X{i}") for i in range(4)]])):
        took = _timed(lambda c=campaigns: verify_campaigns(facts, c, OUTLETS, CATALOGUE, {}, [], today=TODAY,
                                                           identity_secret=SECRET))
        print(f"verify_campaigns, {label}: {took * 1e3:.2f} ms ({took / alone:.2f}x verify_claim)")


if __name__ == "__main__":
    main()
