"""Seller -> partner outlet: by NIP, or by name and address when the NIP could not be read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from verification.normalise import fold
from verification.programme import Outlet
from vocabulary.nip import nip_is_valid, normalise_nip

NAME_MATCH_MIN = 85.0
NAME_MATCH_MARGIN = 5.0
NAME_SHARE = 0.6  # of the score; the address gives the rest when both sides have one


class SellerMethod(StrEnum):
    NIP = "nip"
    NAME = "name_address"
    UNKNOWN_NIP = "unknown_nip"  # a valid NIP of no partner outlet
    NONE = "none"


@dataclass(frozen=True)
class SellerMatch:
    outlet: Outlet | None
    method: SellerMethod
    score: float = 0.0
    nip: str | None = None  # the normalised NIP when it was read and valid


def resolve_seller(seller_nip: str | None, seller_name: str | None, seller_address: str | None,
                   outlets_by_nip: Mapping[str, Outlet]) -> SellerMatch:
    """The outlet that sold, and how sure we are.

    A valid NIP decides alone (its check digit makes a misread NIP that is another valid NIP very unlikely).
    Without a valid NIP, the name and address are compared (rapidfuzz token_set_ratio) with every outlet's
    name, aliases and address; the best must reach 85 and lead the next other outlet by 5.
    """
    nip = normalise_nip(seller_nip) if seller_nip else ""
    if nip and nip_is_valid(nip):
        outlet = outlets_by_nip.get(nip)
        return SellerMatch(outlet, SellerMethod.NIP if outlet else SellerMethod.UNKNOWN_NIP, 100.0, nip)
    if not seller_name:
        return SellerMatch(None, SellerMethod.NONE)
    scored = sorted(((_name_score(seller_name, seller_address, o), o) for o in _unique(outlets_by_nip)),
                    key=lambda pair: (-pair[0], pair[1].id))
    if not scored or scored[0][0] < NAME_MATCH_MIN:
        return SellerMatch(None, SellerMethod.NONE, scored[0][0] if scored else 0.0)
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if scored[0][0] - runner_up < NAME_MATCH_MARGIN:
        return SellerMatch(None, SellerMethod.NONE, scored[0][0])
    return SellerMatch(scored[0][1], SellerMethod.NAME, round(scored[0][0], 1))


def _unique(outlets_by_nip: Mapping[str, Outlet]) -> list[Outlet]:
    return list({o.id: o for o in outlets_by_nip.values()}.values())


def _name_score(name: str, address: str | None, outlet: Outlet) -> float:
    names = (outlet.name, *outlet.aliases)
    name_score = max(fuzz.token_set_ratio(fold(name), fold(n)) for n in names)
    if not address or not outlet.address:
        return float(name_score)
    address_score = fuzz.token_set_ratio(fold(address), fold(outlet.address))
    return NAME_SHARE * name_score + (1 - NAME_SHARE) * address_score
