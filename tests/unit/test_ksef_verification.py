"""KSeF evidence in verification: the same invoice in any form is one document; XML and QR hashes must agree;
a KSeF number must be the seller's and not older than the invoice."""

from __future__ import annotations

import dataclasses
from datetime import date

from tests.unit.test_verification_verify import NIP_A, claim, key_of, prior, verify
from verification import Route
from verification.facts import KsefFacts
from verification.ksef import document_keys, invoice_key

HASH_A = "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE"
HASH_B = "qn0DzTlCpRt7QjIvQr17obKtmIu8W4CgUPNyk98uKEE"
NUMBER = f"{NIP_A}-20261104-0100001AF629-00"  # the form is what verification checks; the CRC is the reader's


def codes(facts) -> list[str]:
    return [reason.code for reason in facts.reasons]


def ksef_claim(**ksef) -> object:
    return claim(ksef=KsefFacts(**ksef), sha256s=("c" * 64,), phashes=())


def prior_of(facts, **changes):
    return prior(document_keys=document_keys(facts), **changes)


def test_a_photo_of_the_print_after_the_xml_is_a_duplicate_by_the_hash_whoever_sends_it():
    xml_claim = ksef_claim(xml_hash=HASH_A)
    photo = dataclasses.replace(ksef_claim(qr_hash=HASH_A), claim_id="claim-2", participant_id=2,
                                document_number="OTHER-READING", total=None)  # OCR read the rest differently
    verdict = verify(photo, priors=[prior_of(xml_claim, participant_id=1, xml_hash=HASH_A)])
    assert verdict.route is Route.AUTO_REJECTED and codes(verdict) == ["duplicate"]
    evidence = verdict.reasons[0].evidence
    assert evidence["by"] == "ksef_hash" and evidence["ksef_hash"] == HASH_A and evidence["other_participant"]


def test_the_same_ksef_number_is_a_duplicate_key():
    first = ksef_claim(ksef_number=NUMBER)
    again = dataclasses.replace(first, claim_id="claim-2", document_number="X", total=None)
    verdict = verify(again, priors=[prior_of(first)])
    assert verdict.route is Route.AUTO_REJECTED and verdict.reasons[0].evidence["by"] == "ksef_number"


def test_an_xml_whose_hash_is_not_its_qr_codes_is_flagged_with_both_hashes():
    verdict = verify(ksef_claim(xml_hash=HASH_A, qr_hash=HASH_B))
    assert verdict.route is Route.FLAGGED and "ksef_hash_mismatch" in codes(verdict)
    evidence = next(r.evidence for r in verdict.reasons if r.code == "ksef_hash_mismatch")
    assert (evidence["xml_hash"], evidence["qr_hash"], evidence["in"]) == (HASH_A, HASH_B, "this_claim")


def test_an_xml_in_another_claim_of_the_same_invoice_with_another_hash_flags_instead_of_rejecting():
    xml_claim = ksef_claim(xml_hash=HASH_A)
    photo = dataclasses.replace(ksef_claim(qr_hash=HASH_B), claim_id="claim-2")
    earlier = prior_of(xml_claim, xml_hash=HASH_A, identity_key=key_of(xml_claim))
    assert invoice_key(NIP_A, xml_claim.document_number) in earlier.document_keys
    verdict = verify(photo, priors=[earlier])
    assert verdict.route is Route.FLAGGED
    assert codes(verdict)[:2] == ["needs_audit", "ksef_hash_mismatch"] and "duplicate" in codes(verdict)


def test_matching_hashes_in_one_claim_raise_nothing():
    verdict = verify(ksef_claim(xml_hash=HASH_A, qr_hash=HASH_A, ksef_number=NUMBER, issue_date=date(2026, 11, 3)))
    assert "ksef_hash_mismatch" not in codes(verdict) and "ksef_number_mismatch" not in codes(verdict)
    assert verdict.route is Route.PENDING_REVIEW


def test_a_ksef_number_of_another_seller_or_older_than_the_invoice_is_a_warning():
    other = verify(ksef_claim(ksef_number="1132191233-20261104-0100001AF629-00"))
    older = verify(ksef_claim(ksef_number=f"{NIP_A}-20261102-0100001AF629-00", issue_date=date(2026, 11, 3)))
    for verdict, problem in ((other, "nip"), (older, "date")):
        evidence = next(r.evidence for r in verdict.reasons if r.code == "ksef_number_mismatch")
        assert evidence["problem"] == problem


def test_a_claim_without_ksef_data_has_no_document_keys():
    assert document_keys(claim()) == frozenset()
