"""CSV import/export of the programme set-up on the real databases: all or nothing, row-by-row report."""

import pytest
from sqlalchemy import func, select

from claims.db.engine import transaction
from claims.db.models import Outlet, PartnerItemName, Product, ProductCode
from claims.services.imports import ImportRejectedError, export_csv, import_csv
from tests.conftest import NIP_A, NIP_B, NIP_STRANGER, small_programme
from tests.integration.helpers import seed

pytestmark = pytest.mark.integration

CATALOGUE = """sku;name;ean;unit;pack_size;points_per_unit;aliases;partner_names
IMP-KL-25;Klej do płytek 25 kg;5901234123457;szt;1;10;KLEJ PLYT 25KG;PA:KLEJ C1 25KG
IMP-FG-2;Fuga elastyczna szara 2 kg;;szt;1;3;;
"""


def count(rt, model):
    with rt.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_catalogue_import_creates_products_and_partner_names_then_updates(runtime):
    seed(runtime)
    with transaction(runtime.sessions) as session:
        report = import_csv(session, "catalogue", CATALOGUE)
    assert (report.rows, report.created, report.updated) == (2, 2, 0)
    with transaction(runtime.sessions) as session:
        again = import_csv(session, "catalogue", CATALOGUE.replace("Klej do płytek", "Klej C1"))
    assert (again.created, again.updated) == (0, 2)
    with runtime.sessions() as session:
        product = session.scalar(select(Product).where(Product.sku == "IMP-KL-25"))
        assert product.name == "Klej C1 25 kg" and product.aliases == ["KLEJ PLYT 25KG"]
        assert session.scalar(select(PartnerItemName.printed_name)) == "KLEJ C1 25KG"


def test_a_file_with_errors_imports_nothing_and_lists_every_bad_row(runtime):
    seed(runtime)
    bad = CATALOGUE + "X-1;;5901234123458;szt;0;-3;;NOPE:whatever\nIMP-KL-25;Duplicate;;;;;;\n"
    before = count(runtime, Product)
    with pytest.raises(ImportRejectedError) as rejected, transaction(runtime.sessions) as session:
        import_csv(session, "catalogue", bad)
    errors = {(e.line, e.column) for e in rejected.value.report.errors}
    assert {(4, "name"), (4, "ean"), (4, "pack_size"), (4, "points_per_unit"), (4, "partner_names"),
            (5, "")} <= errors
    assert count(runtime, Product) == before


def test_partners_import_checks_nips_and_round_trips_through_export(runtime):
    seed(runtime, {"campaign": {"code": "C", "name": "C", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
                   "partners": [], "users": []})
    text = ("partner_code,partner_name,partner_nip,outlet_code,outlet_name,outlet_nip,address,city,aliases\n"
            f"PA,Partner A,{NIP_A},PA-1,Sklep 1,{NIP_A},ul. A 1,00-001 Warszawa,SKLEP JEDEN\n"
            f"PA,Partner A,{NIP_A},PA-2,Sklep 2,{NIP_B},ul. B 2,00-002 Warszawa,\n")
    with transaction(runtime.sessions) as session:
        import_csv(session, "partners", text)
        exported = export_csv(session, "partners")
    assert exported.splitlines() == text.splitlines()
    with pytest.raises(ImportRejectedError) as rejected, transaction(runtime.sessions) as session:
        import_csv(session, "partners", text.replace(NIP_B, "1234567890"))
    assert [(e.line, e.column) for e in rejected.value.report.errors] == [(3, "outlet_nip")]
    assert count(runtime, Outlet) == 2


def test_one_outlet_nip_routes_to_one_partner(runtime):
    """Claims are routed by the seller NIP: a NIP under two partners is refused, in the file and against the
    stored outlets; outlets of one partner share a NIP freely, and a file may move an outlet between partners."""
    seed(runtime)  # PA-1 (partner PA) and PB-1 (partner PB) hold NIP_A and NIP_B
    header = "partner_code,partner_name,partner_nip,outlet_code,outlet_name,outlet_nip,address,city,aliases\n"
    stolen = header + f"PB,Partner B,{NIP_B},PB-2,Sklep B 2,{NIP_A},,,\n"
    twice = header + (f"PC,Partner C,,PC-1,Sklep C,{NIP_STRANGER},,,\n"
                      f"PD,Partner D,,PD-1,Sklep D,{NIP_STRANGER},,,\n")
    for text, line in ((stolen, 2), (twice, 3)):
        with pytest.raises(ImportRejectedError) as rejected, transaction(runtime.sessions) as session:
            import_csv(session, "partners", text)
        assert [(e.line, e.column) for e in rejected.value.report.errors] == [(line, "outlet_nip")]
        assert "another partner's outlet P" in rejected.value.report.errors[0].message
    with transaction(runtime.sessions) as session:
        shared = import_csv(session, "partners", header + f"PA,Partner A,{NIP_A},PA-2,Sklep A 2,{NIP_A},,,\n")
        moved = import_csv(session, "partners", header + f"PB,Partner B,{NIP_B},PA-1,Sklep 1,{NIP_A},,,\n"
                                                         f"PB,Partner B,{NIP_B},PA-2,Sklep A 2,{NIP_A},,,\n")
    assert (shared.created, moved.updated) == (1, 2)
    programme = small_programme()
    programme["partners"][1]["outlets"].append({"code": "PB-9", "name": "Sklep", "nip": NIP_B})
    programme["partners"][0]["outlets"].append({"code": "PA-9", "name": "Sklep", "nip": NIP_B})
    with pytest.raises(ValueError, match="PA-9: NIP 7251801126 belongs to outlet PB-1"):
        seed(runtime, programme)


def test_codes_import_refuses_malformed_codes_and_used_codes(runtime):
    from verification.identifiers import code_check_char

    seed(runtime)
    good = "code,points,batch,campaign\n" + "\n".join(
        f"{p}{code_check_char(p)},25,Partia 1,T2026" for p in ("22222222222", "33333333333"))
    with transaction(runtime.sessions) as session:
        assert import_csv(session, "codes", good).created == 2
    with pytest.raises(ImportRejectedError) as rejected, transaction(runtime.sessions) as session:
        import_csv(session, "codes", good + "\nABCDEFGHJKLM,10,Partia 2,NOPE")
    assert {e.column for e in rejected.value.report.errors} == {"code", "campaign"}
    assert count(runtime, ProductCode) == 4  # the two from the programme plus the two imported


def test_exported_cells_cannot_run_as_spreadsheet_formulas(runtime):
    seed(runtime)
    with transaction(runtime.sessions) as session:
        import_csv(session, "catalogue", "sku,name\nX-1,=HYPERLINK(\"http://x\")\n")
        exported = export_csv(session, "catalogue")
    assert "'=HYPERLINK" in exported
