"""Evidence in words: duplicates linked and compared side by side, appeals marked in queues, codes shown as
words (payment method, audit events), every stored evidence key said as a sentence in both languages."""

from __future__ import annotations

import re

from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Claim, Decision
from claims.i18n import has_key
from claims.services.evidence import evidence_sentences, sentence_key
from tests.review_ui.helpers import AUDITOR, PARTICIPANT_2, REVIEWER_A, REVIEWER_B, login
from vocabulary.reasons import ReasonCode


def _duplicate_pair(claims, runtime, prior_outlet: str = "A-WAW") -> tuple[str, str]:
    prior = claims.pending(prior_outlet)
    duplicate = claims.pending(participant_email=PARTICIPANT_2, reasons=[{
        "code": "duplicate", "severity": "blocking",
        "evidence": {"by": "same_document", "other_participant": True, "prior_claim": prior}}])
    return prior, duplicate


def test_a_duplicate_says_so_in_words_and_links_to_the_other_claim(client, claims, runtime):
    prior, duplicate = _duplicate_pair(claims, runtime)
    login(client, REVIEWER_A)
    html = client.get(f"/review/claims/{duplicate}").get_data(as_text=True)
    assert ("Dokument o tych samych danych (NIP sprzedawcy, numer, data i suma) inny uczestnik zgłosił już w "
            f"{prior[:8]}.") in html
    assert f'href="/review/claims/{prior}" data-prior-claim="{prior}"' in html
    assert f'href="/review/claims/{duplicate}/compare/{prior}"' in html
    assert "other_participant" not in html and "True" not in html


def test_both_documents_side_by_side_with_the_matching_fields_highlighted(client, claims, runtime):
    prior, duplicate = _duplicate_pair(claims, runtime)
    with transaction(runtime.sessions) as session:
        session.get(Claim, duplicate).fields = {**session.get(Claim, duplicate).fields, "total": "130.00"}
    login(client, REVIEWER_A)
    html = client.get(f"/review/claims/{duplicate}/compare/{prior}").get_data(as_text=True)
    assert html.count('class="compare-side"') == 2 and 'id="compare-zoom"' in html
    matching = re.findall(r'<tr data-field="(\w+)" class="match">', html)
    assert {"seller_nip", "document_number", "date"} <= set(matching) and "total" not in matching


def test_a_partner_never_sees_another_partners_claim_beside_its_own(client, claims, runtime):
    prior, duplicate = _duplicate_pair(claims, runtime, prior_outlet="B-LDZ")
    login(client, REVIEWER_A)
    html = client.get(f"/review/claims/{duplicate}/compare/{prior}").get_data(as_text=True)
    assert html.count('class="compare-side"') == 1 and 'id="compare-hidden"' in html
    other = client.application.test_client()
    login(other, REVIEWER_B)
    assert other.get(f"/review/claims/{duplicate}/compare/{prior}").status_code == 404


def test_appeals_are_marked_in_the_queues(client, claims, runtime):
    appealed = claims.pending()
    with transaction(runtime.sessions) as session:
        session.add(Decision(claim_id=appealed, action="appeal", from_status="rejected", to_status="pending_review",
                             reason_code="appeal", comment="To był nasz zakup"))
    plain = claims.pending()
    login(client, REVIEWER_A)
    html = client.get("/review").get_data(as_text=True)
    row = re.search(rf'data-claim-id="{appealed}".*?</tr>', html, re.S).group(0)
    assert "data-appeal" in row and "Odwołanie" in row
    assert "data-appeal" not in re.search(rf'data-claim-id="{plain}".*?</tr>', html, re.S).group(0)


def test_codes_are_shown_as_words(client, claims, runtime):
    claim_id = claims.pending()  # the helper's fields read the payment method as "karta"
    with transaction(runtime.sessions) as session:
        session.get(Claim, claim_id).fields = {**session.get(Claim, claim_id).fields, "payment_method": "transfer"}
    login(client, REVIEWER_A)
    client.post(f"/review/claims/{claim_id}/reject", data={"reason_code": "not_our_sale"})
    with runtime.sessions() as session:
        assert session.scalar(select(Claim.status).where(Claim.id == claim_id)) == "rejected"
    auditor = client.application.test_client()
    login(auditor, AUDITOR)
    page = auditor.get(f"/review/claims/{claim_id}").get_data(as_text=True)
    assert "przelew" in page and ">transfer<" not in page
    log = auditor.get("/audit/log").get_data(as_text=True)
    assert 'value="claim_rejected"' in log and "claim_rejectd" not in log
    options = re.findall(r'<option value="(\w+)"[^>]*>([^<]*)</option>', log)
    assert all(label.strip() and label.strip() != value for value, label in options if value not in ("",))


EVIDENCE = {
    "duplicate": {"by": "same_file", "other_participant": False, "prior_claim": "c1", "sha256": "a" * 64},
    "near_duplicate": {"prior_claim": "c1", "distance": 3, "same": ["seller_nip", "date"], "weight": 0.7},
    "edited_image": {"image": 1, "software": "GIMP"}, "screenshot": {"hint": "screenshot"},
    "totals_mismatch": {"items_sum": "10.00", "total": "12.00", "lines_not_adding_up": []},
    "outside_campaign_period": {"purchase_date": "2026-11-25", "starts_on": "2027-02-01", "ends_on": "2027-03-31"},
    "submitted_too_late": {"purchase_date": "2026-01-01", "deadline": "2026-01-31", "submitted_on": "2026-03-01"},
    "date_in_future": {"purchase_date": "2027-01-01", "today": "2026-12-01"},
    "velocity_participant": {"claims_24h": 12, "claims_1h": 5},
    "velocity_device": {"device_id": "d", "other_participants_30d": [2, 3], "claims_24h": 4},
    "velocity_ip": {"ip": "203.0.113.7", "other_participants_24h": [2, 3, 4]},
    "unusual_amount": {"scope": "participant", "total": "5000", "median": "300", "robust_z": 9.1, "samples": 12},
    "buyer_nip_mismatch": {"buyer_nip": "5213017228", "participant_company_nip": "1132191233"},
    "needs_audit": {"risk_score": 0.65}, "uncertain_fields": {"fields": ["date", "total"]},
    "seller_matched_by_name": {"score": 91.5, "seller_name": "BUDMAX", "outlet_id": 3},
    "product_not_eligible": {"items": ["CEMENT"]}, "points_capped": {
        "points_before_caps": 300, "points_granted": 150,
        "caps": [{"cap": "per_day", "limit": 150, "used": 0, "left": 150}]},
    "below_minimum_purchase": {"eligible_amount": "20.00", "minimum_purchase": "50.00"},
    "unknown_seller": {"seller_nip": "7773294846"}, "no_seller_nip": {"seller_name": "Sklep"},
}


def test_every_evidence_is_a_sentence_in_both_languages_without_raw_keys():
    for code, evidence in EVIDENCE.items():
        assert code in {str(c) for c in ReasonCode}
        assert has_key(sentence_key(code, evidence), "pl") and has_key(sentence_key(code, evidence), "en"), code
        for locale in ("pl", "en"):
            text = " ".join(evidence_sentences({"code": code, "evidence": evidence}, locale))
            assert text and "{" not in text and "—" not in text, (code, text)
            assert not any(f"{key} " in text or f"'{key}'" in text for key in evidence if "_" in key), (code, text)
    pl = " ".join(evidence_sentences({"code": "points_capped", "evidence": EVIDENCE["points_capped"]}, "pl"))
    assert pl == "Limit obciął punkty z 300 do 150: limit dzienny 150 pkt, wcześniej wykorzystano 0."
    en = " ".join(evidence_sentences({"code": "unusual_amount", "evidence": EVIDENCE["unusual_amount"]}, "en"))
    assert en == ("The total 5,000.00 PLN is unusually high for this participant: the median is 300.00 PLN over "
                  "12 claims.")
