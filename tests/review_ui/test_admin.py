"""Review UI, the admin's programme set-up: campaigns with their points rules as form fields, the catalogue,
partners' printed names, partners and outlets, code batches; auditors read, only admins change; every change
is an audit event with before and after."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import AuditEvent, Campaign, Claim, Outlet, Partner, Product, ProductCode
from claims.services.imports import import_csv, remember_partner_name
from claims.services.rules import campaign_values
from tests.review_ui.helpers import ADMIN, AUDITOR, csrf_token_from, login
from verification.programme import Basis

CAMPAIGN = {"code": "LATO-2026", "name": "Lato z klejem", "starts_on": "2026-06-01", "ends_on": "2026-08-31",
            "submission_days": "45", "points_per_pln": "1,5", "basis": "net", "fixed_bonus": "10",
            "minimum_purchase": "100", "cap_day": "500", "cap_month": "", "cap_campaign": "5000",
            "mult-0-factor": "2", "mult-0-skus": "KLEJ-1, FUGA-1", "mult-0-from": "2026-07-01",
            "mult-0-to": "2026-07-31", "mult-1-factor": "", "eligible_skus": "KLEJ-1\nFUGA-1",
            "require_buyer_nip": "1", "active": "1"}


def _products(runtime, *skus: str) -> None:
    with transaction(runtime.sessions) as session:
        session.add_all([Product(sku=sku, name=f"Produkt {sku}") for sku in skus])


def _events(runtime, action: str) -> list[AuditEvent]:
    with runtime.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _errors(html: str) -> list[str]:
    return re.findall(r'class="field-error" id="e-([\w-]+)">([^<]*)<', html)


def test_admin_creates_a_campaign_whose_form_fields_become_the_points_rules(client, runtime):
    _products(runtime, "KLEJ-1", "FUGA-1")
    login(client, ADMIN)

    response = client.post("/admin/campaigns/new", data=CAMPAIGN)

    assert response.status_code == 303
    with runtime.sessions() as session:
        row = session.scalar(select(Campaign).where(Campaign.code == "LATO-2026"))
        rules = campaign_values(row)
        assert (row.submission_days, row.points_per_pln, row.eligible_skus) == (45, Decimal("1.5"),
                                                                              ["KLEJ-1", "FUGA-1"])
        assert (row.require_buyer_nip, row.auto_approve, row.active) == (True, False, True)
    points = rules.rules
    assert (points.per_pln, points.basis, points.fixed_bonus, points.minimum_purchase) == (
        Decimal("1.5"), Basis.NET, 10, Decimal("100"))
    assert (points.caps.per_day, points.caps.per_month, points.caps.per_campaign) == (500, None, 5000)
    (multiplier,) = points.multipliers
    assert (multiplier.factor, multiplier.skus, multiplier.from_date, multiplier.to_date) == (
        Decimal("2"), frozenset({"KLEJ-1", "FUGA-1"}), date(2026, 7, 1), date(2026, 7, 31))
    (event,) = _events(runtime, "campaign_created")
    assert event.before is None and event.after["code"] == "LATO-2026" and event.after["points_per_pln"] == "1.5"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="mult-0-factor" value="2"' in page and 'name="mult-1-factor" value=""' in page


def test_campaign_form_marks_every_wrong_field_in_polish_and_saves_nothing(client, runtime):
    _products(runtime, "KLEJ-1")
    login(client, ADMIN)
    unreadable = {**CAMPAIGN, "points_per_pln": "dużo", "starts_on": "1 czerwca", "cap_day": "1,5"}

    response = client.post("/admin/campaigns/new", data=unreadable)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nie zapisano – popraw zaznaczone pola." in html and 'value="Lato z klejem"' in html
    assert dict(_errors(html)) == {"points_per_pln": "Wpisz liczbę, np. 1,5.",
                                   "starts_on": "Wpisz datę w formacie RRRR-MM-DD.",
                                   "cap_day": "Wpisz liczbę całkowitą."}
    wrong = {**CAMPAIGN, "code": "TEST-2026", "ends_on": "2026-05-01", "fixed_bonus": "-5", "mult-0-factor": "0"}
    errors = dict(_errors(client.post("/admin/campaigns/new", data=wrong).get_data(as_text=True)))
    assert errors == {"code": "Ten kod jest już używany.",
                      "ends_on": "Data końcowa nie może być wcześniejsza niż początkowa.",
                      "fixed_bonus": "Wartość nie może być ujemna.",
                      "mult-0-factor": "Wartość musi być większa od zera.",
                      "mult-0-skus": "Nieznane SKU: FUGA-1.", "eligible_skus": "Nieznane SKU: FUGA-1."}
    with runtime.sessions() as session:
        assert session.scalar(select(Campaign).where(Campaign.code == "LATO-2026")) is None
    assert _events(runtime, "campaign_created") == []


def test_editing_a_campaign_keeps_rules_the_form_does_not_show_and_records_before_and_after(client, runtime):
    with transaction(runtime.sessions) as session:
        campaign = session.scalar(select(Campaign).where(Campaign.code == "TEST-2026"))
        campaign.rules, campaign_id = {"per_unit": {"KLEJ-1": 3}, "per_pln": "9"}, campaign.id
    login(client, ADMIN)
    form = client.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    assert 'name="points_per_pln" value="9"' in form  # what the rules really use

    edited = {"code": "TEST-2026", "name": "Program testowy 2", "starts_on": "2025-01-01", "ends_on": "2030-12-31",
              "submission_days": "30", "points_per_pln": "2", "basis": "gross", "active": "1", "auto_approve": "1"}
    assert client.post(f"/admin/campaigns/{campaign_id}", data=edited).status_code == 303

    with runtime.sessions() as session:
        row = session.get(Campaign, campaign_id)
        assert row.rules["per_unit"] == {"KLEJ-1": 3} and "per_pln" not in row.rules
        assert (campaign_values(row).rules.per_pln, row.auto_approve, row.eligible_skus) == (Decimal(2), True, None)
    (event,) = _events(runtime, "campaign_updated")
    assert (event.before["name"], event.after["name"]) == ("Program testowy", "Program testowy 2")
    assert event.before["rules"] == {"per_unit": {"KLEJ-1": 3}, "per_pln": "9"}
    assert client.get("/admin/campaigns/999").status_code == 404


def test_catalogue_is_paged_and_searched_by_name_sku_or_ean(client, runtime):
    with transaction(runtime.sessions) as session:
        session.add_all([Product(sku=f"P-{i:03d}", name=f"Płytka nr {i}") for i in range(60)])
        session.add(Product(sku="KLEJ-1", name="Klej elastyczny", ean="5901234123457"))
    login(client, AUDITOR)

    first = client.get("/admin/catalogue").get_data(as_text=True)
    assert len(re.findall(r'<tr data-sku="', first)) == 50 and "(61)" in first and 'rel="next"' in first
    assert 'href="/admin/catalogue/' not in first  # auditors read, they do not edit
    assert len(re.findall(r'<tr data-sku="', client.get("/admin/catalogue?page=2").get_data(as_text=True))) == 11
    for query in ("elastyczny", "klej-1", "590123412"):
        found = re.findall(r'<tr data-sku="([^"]+)"', client.get(f"/admin/catalogue?q={query}").get_data(as_text=True))
        assert found == ["KLEJ-1"], query


def test_product_edit_checks_the_ean_check_digit_and_is_audited(client, runtime):
    _products(runtime, "KLEJ-1")
    with runtime.sessions() as session:
        product_id = session.scalar(select(Product.id).where(Product.sku == "KLEJ-1"))
    login(client, ADMIN)
    form = {"name": "Klej C2TE 25 kg", "ean": "5901234123458", "unit": "worek", "pack_size": "25",
            "points_per_unit": "3", "aliases": "KLEJ C2TE\nKL. ELAST.", "active": "1"}

    refused = client.post(f"/admin/catalogue/{product_id}", data=form)
    assert refused.status_code == 422
    assert dict(_errors(refused.get_data(as_text=True))) == {
        "ean": "Nieprawidłowy EAN (8 lub 13 cyfr z poprawną cyfrą kontrolną)."}

    assert client.post(f"/admin/catalogue/{product_id}", data={**form, "ean": "5901234123457"}).status_code == 303
    with runtime.sessions() as session:
        product = session.get(Product, product_id)
        assert (product.name, product.ean, product.pack_size, product.points_per_unit, product.aliases) == (
            "Klej C2TE 25 kg", "5901234123457", Decimal("25"), 3, ["KLEJ C2TE", "KL. ELAST."])
    (event,) = _events(runtime, "product_updated")
    assert (event.before["ean"], event.after["ean"], event.after["sku"]) == (None, "5901234123457", "KLEJ-1")


def test_partners_printed_names_are_listed_and_a_wrong_one_deleted(client, runtime):
    _products(runtime, "KLEJ-1")
    with transaction(runtime.sessions) as session:
        product_id = session.scalar(select(Product.id).where(Product.sku == "KLEJ-1"))
        partner_id = session.scalar(select(Partner.id).where(Partner.code == "HURT-A"))
        name_id = remember_partner_name(session, partner_id, product_id, "KLEJ ELAST 25").id
    login(client, ADMIN)
    page = client.get(f"/admin/catalogue/{product_id}").get_data(as_text=True)
    assert "KLEJ ELAST 25" in page and "Hurtownia A" in page

    response = client.post(f"/admin/catalogue/{product_id}/names/{name_id}/delete", follow_redirects=True)

    assert "Usunięto nazwę z paragonu." in response.get_data(as_text=True)
    assert "KLEJ ELAST 25" not in client.get(f"/admin/catalogue/{product_id}").get_data(as_text=True)
    (event,) = _events(runtime, "partner_name_deleted")
    assert event.before["printed_name"] == "KLEJ ELAST 25"
    again = client.post(f"/admin/catalogue/{product_id}/names/{name_id}/delete", follow_redirects=True)
    assert "Tej nazwy już nie ma." in again.get_data(as_text=True)


def test_outlet_needs_a_valid_nip_and_a_free_code(client, runtime):
    login(client, ADMIN)
    with runtime.sessions() as session:
        partner_id = session.scalar(select(Partner.id).where(Partner.code == "HURT-B"))
    outlet = {"partner_id": str(partner_id), "code": "B-POZ", "name": "Skład B Poznań", "nip": "123-456-78-90",
              "address": "ul. Główna 5", "city": "Poznań", "aliases": "SKLAD B POZNAN", "active": "1"}

    bad = client.post("/admin/outlets/new", data={**outlet, "code": "A-WAW"})
    assert dict(_errors(bad.get_data(as_text=True))) == {"code": "Ten kod jest już używany.",
                                                         "nip": "NIP jest nieprawidłowy – sprawdź cyfry."}
    # partner A's Warsaw outlet has this NIP: a second partner under it would make the routing arbitrary
    shared = client.post("/admin/outlets/new", data={**outlet, "nip": "PL 526-025-02-74"})
    assert shared.status_code == 422
    assert dict(_errors(shared.get_data(as_text=True))) == {
        "nip": "Ten NIP ma już punkt innego partnera: A-WAW (HURT-A). Jeden NIP kieruje zgłoszenia do jednego "
               "partnera."}
    created = client.post("/admin/outlets/new", data={**outlet, "nip": "PL 899-236-72-73"})

    assert created.status_code == 303 and created.headers["Location"] == "/admin/partners"
    with runtime.sessions() as session:
        row = session.scalar(select(Outlet).where(Outlet.code == "B-POZ"))
        assert (row.partner_id, row.nip, row.aliases, row.active) == (partner_id, "8992367273", ["SKLAD B POZNAN"],
                                                                      True)
    # outlets of one partner may share a NIP (one company, many shops); editing keeps its own NIP
    same = client.post("/admin/outlets/new", data={**outlet, "code": "B-POZ-2", "nip": "8992367273"})
    assert same.status_code == 303
    listing = client.get("/admin/partners").get_data(as_text=True)
    assert 'data-outlet="B-POZ"' in listing and "Skład B Poznań" in listing
    assert _events(runtime, "outlet_created")[0].after["code"] == "B-POZ"


def test_partner_is_created_and_renamed(client, runtime):
    login(client, ADMIN)
    assert client.post("/admin/partners/new", data={"code": "HURT-C", "name": "Hurtownia C",
                                                    "nip": "1234567890"}).status_code == 422
    assert client.post("/admin/partners/new", data={"code": "HURT-C", "name": "Hurtownia C"}).status_code == 303
    with runtime.sessions() as session:
        partner_id = session.scalar(select(Partner.id).where(Partner.code == "HURT-C"))
    client.post(f"/admin/partners/{partner_id}", data={"code": "HURT-C", "name": "Hurtownia C sp. z o.o.",
                                                       "nip": "7251801126"})
    (event,) = _events(runtime, "partner_updated")
    assert (event.before["name"], event.after["name"], event.after["nip"]) == (
        "Hurtownia C", "Hurtownia C sp. z o.o.", "7251801126")


def test_code_batches_show_how_many_codes_were_used(client, runtime, claims):
    claim_id = claims.submit()
    with transaction(runtime.sessions) as session:
        import_csv(session, "codes", "code,points,batch,campaign\nABCDEFGH234M,50,Wiosna,TEST-2026\n"
                                     "QRSTUVWX678M,50,Wiosna,TEST-2026\n")
        session.get(ProductCode, "ABCDEFGH234M").claim_id = session.get(Claim, claim_id).id
    login(client, AUDITOR)

    html = client.get("/admin/codes").get_data(as_text=True)

    row = re.search(r'<tr data-batch="Wiosna">.*?</tr>', html, re.S).group(0)
    assert "TEST-2026" in row and '"num">50<' in row and '"num">2<' in row
    assert 'class="num used">1<' in row and 'class="num unused">1<' in row


def test_auditor_reads_the_set_up_but_cannot_change_it(client, runtime):
    login(client, AUDITOR)
    assert "Jako audytor widzisz ustawienia programu" in client.get("/admin").get_data(as_text=True)
    listing = client.get("/admin/campaigns").get_data(as_text=True)
    assert "TEST-2026" in listing and "/admin/campaigns/new" not in listing
    assert client.post("/admin/campaigns/new", data=CAMPAIGN).status_code == 403
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/export/codes.csv").status_code == 403


def test_admin_forms_need_the_csrf_token(csrf_app, runtime):
    client = csrf_app.test_client()
    login(client, ADMIN, csrf_token=csrf_token_from(client.get("/login").get_data(as_text=True)))

    refused = client.post("/admin/partners/new", data={"code": "HURT-C", "name": "Hurtownia C"})
    assert refused.status_code == 400
    token = csrf_token_from(client.get("/admin/partners/new").get_data(as_text=True))
    accepted = client.post("/admin/partners/new", data={"code": "HURT-C", "name": "Hurtownia C", "csrf_token": token})
    assert accepted.status_code == 303
