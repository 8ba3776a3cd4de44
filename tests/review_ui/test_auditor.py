"""Review UI, the auditor's tools: the flagged queue by risk, the search, the daily sample, the audit log,
partners' figures, and the reports dashboard with its CSV exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from claims.db.engine import transaction
from claims.db.models import Decision
from claims.reasons import reason
from claims.services.worklists import daily_sample
from review_ui.reports import safe_cell, to_csv
from tests.review_ui.helpers import AUDITOR, PARTICIPANT_2, REVIEWER_A, REVIEWER_B, login
from vocabulary.claims import ClaimStatus
from vocabulary.reasons import ReasonCode

WARN = dict(reason(ReasonCode.NEAR_DUPLICATE, distance=3), severity="warning")
BLOCK = dict(reason(ReasonCode.EDITED_IMAGE, software="GIMP"), severity="blocking")


def _rows(html: str) -> list[str]:
    return re.findall(r'class="queue-row[^"]*" data-claim-id="([^"]+)"', html)


def _approve_by(app, email: str, claim_id: str) -> None:
    reviewer = app.test_client()
    login(reviewer, email)
    reviewer.post(f"/review/claims/{claim_id}/approve")


def test_flagged_queue_puts_the_riskiest_first_then_the_oldest(client, claims):
    calm = claims.pending(status=ClaimStatus.FLAGGED)
    risky = claims.pending(status=ClaimStatus.FLAGGED, reasons=[WARN, BLOCK], risk_score=0.9)
    one = claims.pending(status=ClaimStatus.FLAGGED, reasons=[WARN], risk_score=0.6)
    also_calm = claims.pending(status=ClaimStatus.FLAGGED)
    claims.pending()  # pending review: not flagged
    login(client, AUDITOR)
    assert _rows(client.get("/audit/flagged").get_data(as_text=True)) == [risky, one, calm, also_calm]


def test_auditor_overrides_a_flagged_claim_from_its_page(client, claims):
    claim_id = claims.pending(status=ClaimStatus.FLAGGED, reasons=[WARN])
    login(client, AUDITOR)
    client.post(f"/review/claims/{claim_id}/reject", data={"reason_code": "suspected_fraud"})
    assert claims.status(claim_id) == "rejected"


def test_search_finds_by_id_email_nip_document_status_and_dates(client, claims):
    mine = claims.pending("A-WAW")
    theirs = claims.pending("B-LDZ", participant_email=PARTICIPANT_2)
    login(client, AUDITOR)

    def found(query: str) -> list[str]:
        return sorted(_rows(client.get(f"/audit/search?{query}").get_data(as_text=True)))

    assert found(f"claim_id={mine[:8]}") == [mine]
    assert found("email=drugi.uczestnik") == [theirs]
    assert found("nip=7251801126") == [theirs]  # the outlet's (seller's) NIP
    assert found("nip=521-301-72-28") == [mine]  # the participant company's NIP
    assert found("document_number=PAR/123/2026") == sorted([mine, theirs])
    assert found("status=pending_review&email=uczestnik@example.pl") == [mine]
    today = date.today()
    assert found(f"date_from={today - timedelta(days=1)}&date_to={today + timedelta(days=1)}") == \
        sorted([mine, theirs])
    assert found(f"date_to={today - timedelta(days=2)}") == []
    assert "Podaj co najmniej jedno kryterium." in client.get("/audit/search").get_data(as_text=True)


def test_daily_sample_is_the_same_all_day_and_only_partner_approvals(app, claims, runtime):
    ids = [claims.pending() for _ in range(6)]
    for claim_id in ids[:5]:
        _approve_by(app, REVIEWER_A, claim_id)
    auditor_approved = ids[5]
    _approve_by(app, AUDITOR, auditor_approved)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    with transaction(runtime.sessions) as session:
        session.execute(update(Decision).values(created_at=yesterday))
    today = date.today()
    with runtime.sessions() as session:
        first = [c.id for c in daily_sample(session, today, size=3)]
        second = [c.id for c in daily_sample(session, today, size=3)]
        everything = {c.id for c in daily_sample(session, today, size=50)}
        other_day = [c.id for c in daily_sample(session, today + timedelta(days=1), size=5)]
    assert first == second and len(first) == 3
    assert everything == set(ids[:5])  # the auditor's own approval is not re-checked
    assert sorted(other_day) == sorted(ids[:5])


def test_daily_sample_includes_the_days_own_approvals(app, claims, runtime):
    approved_today = claims.pending()
    _approve_by(app, REVIEWER_A, approved_today)
    with runtime.sessions() as session:
        assert [c.id for c in daily_sample(session, date.today(), size=5)] == [approved_today]


def test_audit_log_shows_decisions_and_edits_with_before_and_after(client, app, claims):
    claim_id = claims.pending()
    reviewer = app.test_client()
    login(reviewer, REVIEWER_A)
    reviewer.post(f"/review/claims/{claim_id}/fields", data={"total": "99.00"})
    reviewer.post(f"/review/claims/{claim_id}/approve")
    login(client, AUDITOR)

    html = client.get("/audit/log?action=decisions").get_data(as_text=True)

    assert 'data-action="claim_fields_corrected"' in html and 'data-action="claim_approved"' in html
    assert 'data-action="claim_submitted"' not in html
    assert "Weryfikator A" in html and "120,00\u00a0zł" in html and "99,00\u00a0zł" in html
    assert "<dt>Suma</dt>" in html and "<dt>Status</dt>" in html and "Zatwierdzone" in html  # words, not keys
    assert 'data-action="claim_submitted"' in client.get("/audit/log").get_data(as_text=True)


def test_partner_figures_count_approvals_rates_and_overturned_decisions(client, app, claims):
    approved, reversed_, rejected = claims.pending(), claims.pending(), claims.pending()
    claims.pending("B-LDZ")
    _approve_by(app, REVIEWER_A, approved)
    _approve_by(app, REVIEWER_A, reversed_)
    reviewer = app.test_client()
    login(reviewer, REVIEWER_A)
    reviewer.post(f"/review/claims/{rejected}/reject", data={"reason_code": "not_our_sale"})
    login(client, AUDITOR)
    client.post(f"/review/claims/{reversed_}/reverse", data={"comment": "korekta"})

    html = client.get("/audit/partners").get_data(as_text=True)

    row_a = re.search(r'data-partner="HURT-A">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row_a)
    assert cells[:3] == ["3", "3", "66,7%"] and cells[4] == "1"
    row_b = re.search(r'data-partner="HURT-B">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num[^"]*">([^<]*)</td>', row_b)[:3] == ["1", "0", "—"]


def test_reports_dashboard_has_kpis_a_league_table_and_a_chart_beside_each_table(client, app, claims):
    claim_id = claims.pending(points=50)
    slow = claims.pending(points=10)
    claims.age(slow, 72)
    _approve_by(app, REVIEWER_A, claim_id)
    _approve_by(app, REVIEWER_A, slow)
    login(client, AUDITOR)
    html = client.get("/reports").get_data(as_text=True)
    assert html.count("<canvas ") == 7 and html.count('class="chart-and-table"') == 7
    assert "vendor/chartjs/chart.umd.min.js" in html and "<svg" not in html and "cdn" not in html.lower()
    assert "<script>" not in html  # only files: the CSP allows script-src 'self'
    assert "Klej do płytek 25 kg" in html and "Kowalski Instalacje" in html
    tiles = dict(re.findall(r'data-kpi="(\w+)">.*?<strong class="kpi-value">([^<]*)</strong>', html, re.S))
    assert tiles["claims_today"] == "1" and tiles["approval_rate"] == "100,0%" and tiles["sla_share"] == "50,0%"
    assert tiles["points_issued"] == "60" and tiles["points_outstanding"] == "60"
    league = re.search(r'<tr data-partner="HURT-A">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", league)[:5] == ["1", "Hurtownia A", "2", "1", "50,0%"]
    narrowed = client.get("/reports?partner=999999&campaign=abc")
    assert narrowed.status_code == 200  # an unknown filter means all


def test_csv_export_is_for_polish_excel_and_safe_from_formulas(client, app, claims, runtime):
    claim_id = claims.pending()
    with transaction(runtime.sessions) as session:
        from claims.db.models import Claim

        claim = session.get(Claim, claim_id)
        claim.fields = {**claim.fields, "items": [{"name": "=HYPERLINK(\"http://x\")", "quantity": 0.8}]}
    _approve_by(app, REVIEWER_A, claim_id)
    login(client, AUDITOR)

    response = client.get("/reports/top_products.csv?days=7")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="paragon-top_products-7d-') and disposition.endswith('.csv"')
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Produkt", "Zgłoszenia", "Ilość"]
    assert rows[1] == ["'=HYPERLINK(\"http://x\")", "1", "0,8"]
    partners = list(csv.reader(io.StringIO(client.get("/reports/partners.csv").get_data(as_text=True)
                                           .lstrip("\ufeff")), delimiter=";"))
    assert partners[0][5].endswith("(%)") and partners[1][5] == "100"
    assert client.get("/reports/nothing.csv").status_code == 404
    for name in ("claims_per_day", "partners", "participants", "points_per_day", "sla"):
        assert client.get(f"/reports/{name}.csv").status_code == 200, name


def test_xlsx_export_has_a_header_and_numbers_as_numbers(client, app, claims):
    from openpyxl import load_workbook

    _approve_by(app, REVIEWER_A, claims.pending(points=50))
    login(client, AUDITOR)
    response = client.get("/reports/sla.xlsx?days=30")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Miejsce" and rows[0][4] == "Odsetek decyzji w 48 h (%)"
    assert rows[1][0] == 1 and rows[1][1] == "Hurtownia A" and rows[1][4] == 100


def test_csv_cells():
    assert [safe_cell(v) for v in ("+48 600", "-1", "@SUM", "\tx", "ok", 5, -5, 1.5, None)] == \
        ["'+48 600", "'-1", "'@SUM", "'\tx", "ok", 5, -5, 1.5, ""]
    assert to_csv(["a"], [["=1"]]) == "\ufeffa\r\n'=1\r\n"
    assert to_csv(["a", "b"], [[0.8, 1234]]) == "\ufeffa;b\r\n0,8;1234\r\n"


def test_partners_and_participants_cannot_open_auditor_pages(client, claims):
    login(client, REVIEWER_B)
    for path in ("/audit/flagged", "/audit/search", "/audit/sample", "/audit/log", "/audit/partners",
                 "/reports", "/reports/partners.csv"):
        assert client.get(path).status_code == 403, path
    assert select  # keep the import used
