"""Review UI, the claim's line items: each printed line with its catalogue match, points and eligibility; the
reviewer's picker (suggestions, catalogue search as JSON, "not a programme product") and what it teaches."""

from __future__ import annotations

import re

from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import AuditEvent, Campaign, Claim, Outlet, PartnerItemName, Product
from claims.services.rules import catalogue_index
from tests.review_ui.helpers import AUDITOR, PARTICIPANT, REVIEWER_A, REVIEWER_B, login
from verification.matching import match_line
from verification.normalise import normalise_name

PRINTED = "KLEJ PLYT. C2TE 25KG"


def _products(runtime) -> tuple[int, int]:
    with transaction(runtime.sessions) as session:
        glue = Product(sku="KLEJ-C2TE-25", name="Klej do płytek C2TE 25 kg", unit="worek")
        grout = Product(sku="FUGA-5", name="Fuga elastyczna 5 kg", unit="worek")
        session.add_all([glue, grout])
        session.flush()
        return glue.id, grout.id


def _claim_with_a_line(runtime, claims, glue: int, grout: int) -> str:
    """A pending claim whose one line (120 zł) was not matched; the reader suggested the grout, then the glue."""
    claim_id = claims.pending(points=0)
    with transaction(runtime.sessions) as session:
        claim = session.get(Claim, claim_id)
        claim.fields = {**claim.fields, "items": [{"name": PRINTED, "quantity": 4, "amount": "120.00"}]}
        claim.lines = [{"item": PRINTED, "product_id": None, "product_name": None, "score": 41.5, "points": 0,
                        "eligible": False, "reason": "product_not_recognised", "auto": False, "method": "fuzzy",
                        "alternatives": [[grout, 41.5], [glue, 38.0]]}]
    return claim_id


def _line(runtime, claim_id: str) -> tuple[dict, int]:
    with runtime.sessions() as session:
        claim = session.get(Claim, claim_id)
        return claim.lines[0], claim.points_proposed


def test_claim_page_shows_each_line_with_its_match_points_and_suggestions(client, runtime, claims):
    glue, grout = _products(runtime)
    claim_id = _claim_with_a_line(runtime, claims, glue, grout)
    login(client, REVIEWER_A)

    html = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)

    row = re.search(r'<tr id="line-0".*?</tr>', html, re.S).group(0)
    assert PRINTED in row and "nie dopasowano (42%)" in row and 'class="num line-points">0<' in row
    assert "Nie rozpoznaliśmy tego produktu w katalogu programu." in row  # the reason, in Polish
    assert "120,00\u00a0zł" in row and ">4<" in row  # the read amount and quantity on the same row
    ids = re.findall(r'<option value="[^"]*" data-id="(\w+)">', row)
    assert ids == [str(grout), str(glue), "none"]  # the suggestions first, then "not ours"
    assert row.count("<input") == 2 and "<select" not in row  # one product box (and its hidden choice) a line
    assert f'action="/review/claims/{claim_id}/lines"' in html and "lines.js" in html


def test_correcting_a_line_changes_the_points_and_teaches_the_partners_printed_name(client, runtime, claims):
    glue, grout = _products(runtime)
    claim_id = _claim_with_a_line(runtime, claims, glue, grout)
    login(client, REVIEWER_A)

    response = client.post(f"/review/claims/{claim_id}/lines/0", data={"product_id": str(glue)})

    assert response.status_code == 303 and response.headers["Location"].endswith(f"/review/claims/{claim_id}#line-0")
    line, points = _line(runtime, claim_id)
    assert (line["product_id"], line["eligible"], line["method"]) == (glue, True, "reviewer")
    assert points == line["points"] == 120  # 1 point per złoty of the 120 zł line
    page = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)
    assert "Pozycja dopasowana do: Klej do płytek C2TE 25 kg. Punkty za zgłoszenie: 120." in page
    assert 'id="points-proposed">120<' in page and "poprawione ręcznie" in page
    with runtime.sessions() as session:
        partner_id = session.scalar(select(Outlet.partner_id).where(Outlet.code == "A-WAW"))
        learned = session.scalar(select(PartnerItemName).where(PartnerItemName.partner_id == partner_id))
        assert (learned.product_id, learned.normalised) == (glue, normalise_name(PRINTED))
        again = match_line(catalogue_index(session), PRINTED, partner_id)
        assert (again.product_id, again.auto) == (glue, True)  # the next receipt matches by itself


def test_corrections_count_the_points_again_under_the_caps(client, runtime, claims):
    """A rematched line or a corrected purchase date counts the whole claim again as verification does: the
    campaign's cap per day still cuts it, given the participant's other claims of that day."""
    glue, grout = _products(runtime)
    claim_id = _claim_with_a_line(runtime, claims, glue, grout)
    other = claims.pending(points=100)
    with transaction(runtime.sessions) as session:
        session.get(Claim, other).fields = {**session.get(Claim, other).fields, "date": "2026-03-20"}
        campaign = session.get(Campaign, session.get(Claim, claim_id).campaign_id)
        campaign.rules = {**(campaign.rules or {}), "caps": {"per_day": 150}}
    login(client, REVIEWER_A)

    client.post(f"/review/claims/{claim_id}/lines/0", data={"product_id": str(glue)})
    assert _line(runtime, claim_id)[1] == 120  # 14 March: the day has room
    client.post(f"/review/claims/{claim_id}/fields", data={"total": "99.00"})
    assert _line(runtime, claim_id)[1] == 120  # the total does not price the lines
    preview = client.post(f"/review/claims/{claim_id}/fields/preview", data={"date": "20.03.2026"}).get_json()
    assert (preview["points"], preview["after"]) == (120, 50) and "50 pkt" in preview["text"]
    assert _line(runtime, claim_id)[1] == 120  # the preview saved nothing
    client.post(f"/review/claims/{claim_id}/fields", data={"date": "2026-03-20"})

    line, points = _line(runtime, claim_id)
    assert (line["points"], points) == (120, 50)  # the other claim's 100 leave 50 of that day's 150
    with runtime.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.claim_id == claim_id,
                                                         AuditEvent.action == "claim_fields_corrected")
                                .order_by(AuditEvent.id)).all()[-1]
    assert (event.before["points_proposed"], event.after["points_proposed"]) == (120, 50)
    capped = [r for r in _reasons(runtime, claim_id) if r["code"] == "points_capped"]
    assert [(r["evidence"]["points_before_caps"], r["evidence"]["points_granted"]) for r in capped] == [(120, 50)]
    client.post(f"/review/claims/{claim_id}/fields", data={"date": "2026-03-14"})
    assert _line(runtime, claim_id)[1] == 120
    assert "points_capped" not in {r["code"] for r in _reasons(runtime, claim_id)}


def _reasons(runtime, claim_id: str) -> list[dict]:
    with runtime.sessions() as session:
        return session.get(Claim, claim_id).reasons


def test_a_line_can_be_marked_not_a_programme_product(client, runtime, claims):
    glue, grout = _products(runtime)
    claim_id = _claim_with_a_line(runtime, claims, glue, grout)
    login(client, AUDITOR)
    client.post(f"/review/claims/{claim_id}/lines/0", data={"product_id": str(glue)})

    response = client.post(f"/review/claims/{claim_id}/lines/0", data={"product_id": "none"}, follow_redirects=True)

    assert "Pozycja oznaczona jako produkt spoza programu. Punkty za zgłoszenie: 0." in response.get_data(as_text=True)
    line, points = _line(runtime, claim_id)
    assert (line["product_id"], line["eligible"], line["points"], points) == (None, False, 0, 0)


def test_a_typed_sku_is_used_when_nothing_is_picked_and_unknown_ones_are_refused(client, runtime, claims):
    glue, grout = _products(runtime)
    claim_id = _claim_with_a_line(runtime, claims, glue, grout)
    login(client, REVIEWER_A)

    unknown = client.post(f"/review/claims/{claim_id}/lines/0", data={"product_id": "", "sku": "NOPE"},
                          follow_redirects=True)
    assert "Nie znaleziono takiego produktu w katalogu." in unknown.get_data(as_text=True)
    empty = client.post(f"/review/claims/{claim_id}/lines/0", data={}, follow_redirects=True)
    assert "Wybierz produkt z listy lub wpisz SKU albo EAN." in empty.get_data(as_text=True)
    client.post(f"/review/claims/{claim_id}/lines/0", data={"product_id": "", "sku": "FUGA-5"})
    assert _line(runtime, claim_id)[0]["product_id"] == grout


def test_product_search_answers_json_for_the_picker(client, runtime):
    glue, _ = _products(runtime)
    login(client, REVIEWER_B)

    found = client.get("/review/products?q=klej").get_json()
    assert found == {"products": [{"id": glue, "sku": "KLEJ-C2TE-25", "name": "Klej do płytek C2TE 25 kg",
                                   "ean": None}]}
    assert client.get("/review/products?q=%25").get_json() == {"products": []}  # wildcards are literal
    assert client.get("/review/products?q=k").get_json() == {"products": []}  # two letters at least


def test_only_the_claims_partner_and_staff_correct_lines(client, app, runtime, claims):
    glue, grout = _products(runtime)
    claim_id = _claim_with_a_line(runtime, claims, glue, grout)
    login(client, REVIEWER_B)
    assert client.post(f"/review/claims/{claim_id}/lines/0", data={"product_id": str(glue)}).status_code == 404
    participant = app.test_client()
    login(participant, PARTICIPANT)
    assert participant.post(f"/review/claims/{claim_id}/lines/0", data={"product_id": "none"}).status_code == 403
    assert participant.get("/review/products?q=klej").status_code == 403
    assert _line(runtime, claim_id)[0]["product_id"] is None


def test_decided_claims_show_lines_without_the_picker_and_refuse_corrections(client, runtime, claims):
    glue, grout = _products(runtime)
    claim_id = _claim_with_a_line(runtime, claims, glue, grout)
    login(client, REVIEWER_A)
    client.post(f"/review/claims/{claim_id}/approve")

    page = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)
    assert PRINTED in page and 'id="lines-form"' not in page
    refused = client.post(f"/review/claims/{claim_id}/lines/0", data={"product_id": str(glue)}, follow_redirects=True)
    assert refused.status_code == 200 and _line(runtime, claim_id)[0]["product_id"] is None


def _two_line_claim(runtime, claims, glue: int, grout: int) -> str:
    claim_id = claims.pending(points=0)
    with transaction(runtime.sessions) as session:
        claim = session.get(Claim, claim_id)
        claim.fields = {**claim.fields, "items": [{"name": PRINTED, "quantity": 4, "amount": "120.00"},
                                                  {"name": "FUGA 5KG", "quantity": 1, "amount": "30.00"}]}
        claim.lines = [
            {"item": PRINTED, "product_id": glue, "product_name": "Klej do płytek C2TE 25 kg", "score": 82.0,
             "points": 0, "eligible": False, "reason": "product_match_uncertain", "auto": False, "method": "fuzzy",
             "alternatives": [[glue, 82.0]]},
            {"item": "FUGA 5KG", "product_id": None, "product_name": None, "score": 55.0, "points": 0,
             "eligible": False, "reason": "product_not_recognised", "auto": False, "method": "fuzzy",
             "alternatives": [[grout, 55.0]]}]
    return claim_id


def test_every_line_is_saved_at_once(client, runtime, claims):
    glue, grout = _products(runtime)
    claim_id = _two_line_claim(runtime, claims, glue, grout)
    login(client, REVIEWER_A)
    response = client.post(f"/review/claims/{claim_id}/lines",
                           data={"line-0": str(glue), "q-0": "Klej do płytek C2TE 25 kg", "line-1": "",
                                 "q-1": "FUGA-5"}, follow_redirects=True)
    assert "Zapisano 2 dopasowania; punkty zgłoszenia: 150." in response.get_data(as_text=True)
    with runtime.sessions() as session:
        lines = session.get(Claim, claim_id).lines
    assert [(line["product_id"], line["method"]) for line in lines] == [(glue, "reviewer"), (grout, "reviewer")]


def test_accept_all_takes_only_the_suggestions_above_the_threshold(client, runtime, claims):
    glue, grout = _products(runtime)
    claim_id = _two_line_claim(runtime, claims, glue, grout)
    login(client, REVIEWER_A)
    client.post(f"/review/claims/{claim_id}/lines", data={"accept_suggestions": "1"})
    with runtime.sessions() as session:
        claim = session.get(Claim, claim_id)
    assert [line["product_id"] for line in claim.lines] == [glue, None]  # 82% taken, 55% left to the reviewer
    assert claim.points_proposed == 120


def test_a_lines_place_on_the_document_is_boxed_for_the_viewer(client, runtime, claims):
    glue, grout = _products(runtime)
    claim_id = _claim_with_a_line(runtime, claims, glue, grout)
    from claims.services.processing import save_reading

    reading = {"media_type": "image/png", "seconds": 0.1, "pages": [
        {"number": 1, "width": 400, "height": 600, "source": "ocr", "mean_confidence": 0.9, "steps": [],
         "lines": [{"text": "PARAGON FISKALNY", "box": [10, 10, 200, 20], "words": []},
                   {"text": "KLEJ PLYT. C2TE 25KG 4 x 30,00 120,00A", "box": [10, 200, 380, 22], "words": []}]}]}
    with transaction(runtime.sessions) as session:
        save_reading(session, claims.document_ids(claim_id)[0], reading, {"fields": {}}, None)
    login(client, REVIEWER_A)
    html = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)
    assert re.search(r'<rect class="box" data-field="line-0" x="10" y="200" width="380" height="22">', html)
    assert 'tr id="line-0" data-line="0" data-field="line-0"' in html
