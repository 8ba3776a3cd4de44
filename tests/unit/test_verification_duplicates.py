"""Duplicates: identity keys, the band index's pigeonhole guarantee, and the perceptual hash on photos."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ocr.phash import perceptual_hash
from verification import BandIndex, PriorClaim, band_probes, candidate_filter, hamming, hash_bands, identity_key
from verification.duplicates import NEAR_DISTANCE, DuplicateKind, exact_duplicates, near_duplicates

KEY = b"secret"
FIELDS = {"seller_nip": "5260250274", "document_number": "000123", "date": date(2026, 11, 3),
          "total": Decimal("179.80")}


def test_identity_key_ignores_how_the_same_fields_are_written():
    same = {"seller_nip": "PL 526-025-02-74", "document_number": "123", "date": "2026-11-03", "total": "179,8"}
    assert identity_key(FIELDS, KEY) == identity_key(same, KEY)
    assert len(identity_key(FIELDS, KEY)) == 64


def test_identity_key_changes_with_any_field_or_the_secret_and_needs_all_four():
    base = identity_key(FIELDS, KEY)
    assert identity_key({**FIELDS, "total": "179.81"}, KEY) != base
    assert identity_key({**FIELDS, "document_number": "000124"}, KEY) != base
    assert identity_key(FIELDS, b"other") != base
    for name in FIELDS:
        assert identity_key({**FIELDS, name: None}, KEY) is None
    assert identity_key({**FIELDS, "seller_nip": "5260250275"}, KEY) is None  # bad check digit


def test_exact_duplicates_by_file_then_identity_skipping_itself_and_retakes():
    priors = [PriorClaim("self", 1, frozenset({"f1"})),
              PriorClaim("retake", 1, frozenset({"f1"}), status="needs_retake"),
              PriorClaim("file", 2, frozenset({"f1"})), PriorClaim("doc", 3, identity_key="k")]
    found = exact_duplicates("self", ["f1"], "k", priors)
    assert [(m.prior_id, m.kind) for m in found] == [("file", DuplicateKind.SAME_FILE),
                                                     ("doc", DuplicateKind.SAME_DOCUMENT)]


def test_near_duplicate_needs_a_close_hash_and_the_same_seller_and_date_or_total():
    h = 0xDEADBEEF_0BADF00D
    close = h ^ 0b111
    day = date(2026, 11, 3)
    kwargs = dict(seller_nip="5260250274", day=day, total=Decimal("10.00"))
    assert near_duplicates("c", [h], [PriorClaim("p", 2, phashes=(close,), seller_nip="5260250274", date=day)],
                           **kwargs)
    assert not near_duplicates("c", [h], [PriorClaim("p", 2, phashes=(close,), seller_nip="5260250274",
                                                     date=date(2026, 1, 1), total=Decimal("99.00"))], **kwargs)
    assert not near_duplicates("c", [h], [PriorClaim("p", 2, phashes=(close,), seller_nip="7251801126",
                                                     date=day)], **kwargs)
    far = h ^ int("1" * (NEAR_DISTANCE + 1), 2)
    assert not near_duplicates("c", [h], [PriorClaim("p", 2, phashes=(far,), date=day)], **kwargs)


hashes = st.integers(0, 2**64 - 1)


@settings(max_examples=300, deadline=None)
@given(hashes, st.lists(st.integers(0, 63), max_size=NEAR_DISTANCE, unique=True))
def test_every_hash_within_the_distance_shares_a_probed_band(h, flips):
    other = h
    for bit in flips:
        other ^= 1 << bit
    stored = {(n, v) for n, v in enumerate(hash_bands(other))}
    assert stored & set(band_probes(h, NEAR_DISTANCE))
    assert candidate_filter(h, [("other", other)], NEAR_DISTANCE) == [("other", len(flips))]


def test_bands_cut_the_hash_in_four_sixteen_bit_pieces():
    assert hash_bands(0x1111_2222_3333_4444) == [0x4444, 0x3333, 0x2222, 0x1111]
    assert len(band_probes(0, 7)) == 4 * 17 and len(band_probes(0, 3)) == 4


def test_band_index_finds_planted_neighbours_among_random_hashes():
    rng = np.random.default_rng(7)
    stored = rng.integers(0, 2**63, size=20_000, dtype=np.uint64)
    index = BandIndex([f"claim-{n}" for n in range(len(stored))], stored)
    query = int(stored[123]) ^ 0b1000_0001_0000_0100_0101  # 5 bits away
    hits = index.query(query, NEAR_DISTANCE)
    assert ("claim-123", 5) in hits
    assert all(d <= NEAR_DISTANCE for _, d in hits)


@cache
def photos() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import cv2

    from fixtures.camera import degrade_photo
    from fixtures.documents import make_receipt
    from fixtures.render import render_receipt_png

    def gray(jpeg: bytes) -> np.ndarray:
        return cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)

    shop = make_receipt(0)
    png = render_receipt_png(make_receipt(11, seller_nip=shop.seller_nip, seller_name=shop.seller_name))
    other = render_receipt_png(make_receipt(12, seller_nip=shop.seller_nip, seller_name=shop.seller_name))
    return (gray(degrade_photo(png, 1, rotation_deg=4, blur=0.8, shadow=0.3, jpeg_quality=80)),
            gray(degrade_photo(png, 2, rotation_deg=-6, perspective=0.05, jpeg_quality=60)),
            gray(degrade_photo(other, 3, rotation_deg=2, jpeg_quality=85)))


def test_the_same_receipt_photographed_twice_hashes_close_and_another_receipt_far():
    first, again, other = (perceptual_hash(p) for p in photos())
    assert hamming(first, again) <= NEAR_DISTANCE
    assert hamming(first, other) > hamming(first, again)


def test_perceptual_hash_is_deterministic_and_accepts_0_to_1_floats():
    first = photos()[0]
    assert perceptual_hash(first) == perceptual_hash(first.astype(np.float32) / 255.0)
    assert 0 <= perceptual_hash(first) < 2**64
