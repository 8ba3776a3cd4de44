"""Review UI, CSV import and export on the admin pages: a file with any wrong row imports nothing and comes back
as a row-by-row report in Polish; a good one is counted; each kind downloads as an attachment."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from claims.db.models import AuditEvent, Product
from tests.review_ui.helpers import ADMIN, login

GOOD = ("sku;name;ean;unit;pack_size;points_per_unit;aliases;partner_names\n"
        "KLEJ-1;Klej do płytek 25 kg;5901234123457;worek;25;3;KLEJ 25|KL.25;HURT-A:KLEJ PLYT 25\n"
        "FUGA-1;Fuga szara 5 kg;;worek;5;1;;\n")
BAD = ("sku;name;ean;unit;pack_size;points_per_unit;aliases;partner_names\n"
       "KLEJ-1;Klej do płytek 25 kg;5901234123458;worek;25;3;;\n"
       "FUGA-1;;;worek;-5;x;;NIEMA:FUGA\n"
       "KLEJ-1;Klej ponownie;;;;;;\n")


def _upload(client, kind: str, text: str | bytes, name: str = "plik.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(f"/admin/import/{kind}", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _products(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count(Product.id)))


def test_a_file_with_errors_imports_nothing_and_shows_each_row_in_polish(client, runtime):
    login(client, ADMIN)

    response = _upload(client, "catalogue", BAD)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Plik zawiera błędy (6) – nic nie zostało wczytane." in html
    rows = re.findall(r'<tr data-line="(\d+)"><td class="num">\d+</td><td><code>([^<]*)</code></td><td>([^<]*)</td>',
                      html)
    assert rows == [
        ("2", "ean", "Nieprawidłowa cyfra kontrolna EAN."),
        ("3", "name", "Pole wymagane."),
        ("3", "pack_size", "Musi być liczbą większą od zera."),
        ("3", "points_per_unit", "Musi być liczbą całkowitą ≥ 0."),
        ("3", "partner_names", "„NIEMA:FUGA”: użyj postaci KODPARTNERA:nazwa z paragonu ze znanym partnerem."),
        ("4", "—", "Powtórzenie wiersza 2."),
    ]
    assert _products(runtime) == 0


def test_an_outlet_nip_of_another_partner_is_explained_in_polish(client, runtime):
    login(client, ADMIN)
    text = ("partner_code;partner_name;partner_nip;outlet_code;outlet_name;outlet_nip\n"
            "HURT-B;Hurtownia B;;B-WAW;Skład B Warszawa;5260250274\n")

    response = _upload(client, "partners", text)

    assert response.status_code == 422
    assert ("Ten NIP ma już punkt A-WAW innego partnera; jeden NIP kieruje zgłoszenia do jednego partnera."
            in response.get_data(as_text=True))


def test_a_good_file_is_imported_and_counted(client, runtime):
    login(client, ADMIN)

    response = _upload(client, "catalogue", GOOD)

    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Wczytano wierszy: 2 (nowych: 2, zaktualizowanych: 0)." in page
    assert _products(runtime) == 2
    with runtime.sessions() as session:
        assert session.scalar(select(AuditEvent.after).where(AuditEvent.action == "import_catalogue")) == {
            "rows": 2, "created": 2, "updated": 0}


def test_a_windows_1250_file_keeps_its_polish_letters(client, runtime):
    login(client, ADMIN)
    _upload(client, "catalogue", GOOD.encode("cp1250"))
    with runtime.sessions() as session:
        assert session.scalar(select(Product.name).where(Product.sku == "KLEJ-1")) == "Klej do płytek 25 kg"


def test_missing_file_and_unknown_kind(client):
    login(client, ADMIN)
    empty = client.post("/admin/import/codes", data={})
    assert empty.status_code == 422 and "Wybierz niepusty plik CSV." in empty.get_data(as_text=True)
    assert _upload(client, "users", GOOD).status_code == 404
    assert client.get("/admin/export/users.csv").status_code == 404


def test_each_kind_downloads_as_an_attachment_in_the_import_format(client):
    login(client, ADMIN)
    _upload(client, "catalogue", GOOD)

    for kind, header in (("catalogue", "sku,name,ean"), ("partners", "partner_code,partner_name"),
                         ("codes", "code,points,batch,campaign")):
        response = client.get(f"/admin/export/{kind}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert re.fullmatch(rf'attachment; filename="paragon-{kind}-\d{{8}}-\d{{4}}\.csv"',
                            response.headers["Content-Disposition"])
        assert response.get_data(as_text=True).lstrip("\ufeff").startswith(header)
    catalogue = client.get("/admin/export/catalogue.csv").get_data(as_text=True)
    assert "KLEJ-1,Klej do płytek 25 kg,5901234123457,worek,25.000,3,KLEJ 25|KL.25,HURT-A:KLEJ PLYT 25" in catalogue
    assert "A-WAW" in client.get("/admin/export/partners.csv").get_data(as_text=True)
