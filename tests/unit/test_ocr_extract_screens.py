"""Seller, address and time where a receipt prints them amid other things: an app's frame, a village address."""

from __future__ import annotations

from ocr import extract_fields
from ocr.textreading import reading_from_text

RECEIPT = (
    "PHU MURBUD Zenon Wierzbowy\nul. Żwirowa 21\n61-315 Poznań\nNIP 805-673-09-87\n03.07.2026\n"
    "PARAGON FISKALNY\nPIASEK KWARCOWY KG 12,5 x2,00 25,00 A\nSprzedaż opodatk. A 25,00\nKwota A 23,00% 4,67\n"
    "Razem PTU 4,67\nSUMA: 25,00\nKarta 25,00\n"
)


def _fields(text: str) -> dict[str, str | None]:
    extraction = extract_fields(reading_from_text(text))
    return {name: extraction.value(name) for name in ("seller_name", "time", "date", "total")}


def test_the_status_bar_clock_is_not_the_time_of_purchase():
    screen = "10:25 LTE 67%\n< Szczegóły zakupu\n" + RECEIPT + "Paragon nr 5132/7 08:53\nKasa 9 Kasjer nr 21\n"
    assert _fields(screen)["time"] == "08:53"
    # with no other time on the screen, none is read rather than the phone's clock
    assert _fields("10:25 LTE 67%\n" + RECEIPT)["time"] is None


def test_a_time_printed_after_the_date_wins_over_one_above_it():
    text = "Otwarte 08:00-20:00\n" + RECEIPT + "#4521 17:46\n"
    assert _fields(text)["time"] == "17:46"


def test_the_app_title_and_its_summary_card_are_not_the_seller_name():
    screen = "10:25 LTE 67%\n< Szczegóły zakupu\nMURBUD\nData zakupu 03.07.2026, 08:53\nDo zapłaty 25,00 zł\n" + RECEIPT
    fields = _fields(screen)
    assert fields["seller_name"] == "PHU MURBUD Zenon Wierzbowy"
    assert (fields["date"], fields["time"], fields["total"]) == ("2026-07-03", "08:53", "25.00")


def test_a_village_address_without_a_street_is_no_part_of_the_name():
    text = RECEIPT.replace("PHU MURBUD Zenon Wierzbowy\nul. Żwirowa 21\n61-315 Poznań",
                           "Skład Opału i Materiałów Bud. Anna\nKlonowa\nDębowiec 112\n38-220 Dębowiec")
    extraction = extract_fields(reading_from_text(text))
    assert extraction.value("seller_name") == "Skład Opału i Materiałów Bud. Anna Klonowa"
    assert extraction.value("seller_address") == "Dębowiec 112 38-220 Dębowiec"
