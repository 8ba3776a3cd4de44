"""The widened generator's labels say what its documents print: the text is parsed here on its own terms."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pdfplumber
import pytest

from fixtures.documents import expected_fields
from fixtures.fonts import RECEIPT_FONTS
from fixtures.invoice_print import render_styled_invoice_pdf
from fixtures.invoice_styles import make_styled_invoice
from fixtures.receipt_print import render_styled_receipt_pdf
from fixtures.receipt_styles import TOTAL_LABELS, make_styled_receipt

DATES = (
    (re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"), lambda y, m, d: (y, m, d)),
    (re.compile(r"(?<!\d)(\d{2})\.(\d{2})\.(\d{4})(?!\d)"), lambda d, m, y: (y, m, d)),
    (re.compile(r"(?<![\d/])(\d{2})-(\d{2})-(\d{4})(?!\d)"), lambda d, m, y: (y, m, d)),
    (re.compile(r"dn\.(\d{2})r(\d{2})\.(\d{2})"), lambda y, m, d: ("20" + y, m, d)),
)
NUMBERS = (re.compile(r"nr wydr\. ?(\S+)"), re.compile(r"Nr paragonu: (\S+)"), re.compile(r"Paragon nr (\S+)"),
           re.compile(r"(?<!\S)#(\d+)(?!\S)"),
           re.compile(r"^(?:NIP\S*|\S+ \d{2}:\d{2})\s.*\s(W?\d{6})$"))  # fmt: skip (the last: a bare number)
AMOUNT = r"(-?\d[\d ]*,\d{2})"
PDF_FONTS = [f.name for f in RECEIPT_FONTS if f.pdf]


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(" ", "").replace(",", "."))


def _dates(text: str) -> list[str]:
    found = []
    for pattern, order in DATES:
        for match in pattern.finditer(text):
            y, m, d = order(*match.groups())
            found.append((text.index(match.group(0)), dt.date(int(y), int(m), int(d)).isoformat()))
    return [date for _, date in sorted(found)]


def printed_receipt_fields(text: str) -> dict[str, object]:
    """Read a receipt's fields off its printed text with patterns of this test's own."""
    lines = [line.strip() for line in text.splitlines()]
    nip_line = next(line for line in lines if line.startswith("NIP") and "nabywcy" not in line)
    nip_line = re.sub(r"\sW?\d{6}$", "", nip_line)  # a bare number printed right of the NIP
    numbers = {m.group(1) for line in lines for p in NUMBERS for m in [p.search(line)] if m}
    labels = "|".join(re.escape(label) for label in TOTAL_LABELS)
    totals = [m.group(1) for line in lines for m in [re.fullmatch(rf"(?:{labels})\s+{AMOUNT}(?: PLN)?", line)] if m]
    ptu = [_amount(m.group(1)) for line in lines
           for m in [re.fullmatch(rf"(?:PTU|Kwota|Kwota PTU) [ABC] \d+(?:,00)?%\s+{AMOUNT}", line)] if m]
    ptu_totals = [_amount(m.group(1)) for line in lines
                  for m in [re.fullmatch(rf"(?:SUMA PTU|Razem PTU|ŁĄCZNA KWOTA PTU)\s+{AMOUNT}", line)] if m]
    return {
        "seller_nip": re.sub(r"\D", "", nip_line), "dates": set(_dates(text)), "numbers": numbers,
        "totals": {_amount(t) for t in totals}, "ptu_sum": sum(ptu, Decimal("0.00")), "ptu_totals": set(ptu_totals),
    }  # fmt: skip


def _check_receipt(printed: dict[str, object], labels: dict[str, object]) -> None:
    assert printed["seller_nip"] == labels["seller_nip"]
    assert printed["dates"] == {labels["date"]}
    assert printed["numbers"] == {labels["document_number"]}
    assert printed["totals"] == {Decimal(str(labels["total"]))}
    vat = Decimal(str(labels["vat_total"]))
    assert printed["ptu_sum"] == vat and printed["ptu_totals"] <= {vat}


@pytest.mark.parametrize("seed", range(60))
def test_receipt_labels_match_its_printed_text(seed: int) -> None:
    receipt = make_styled_receipt(seed)
    _check_receipt(printed_receipt_fields(receipt.text()), expected_fields(receipt.spec))


@pytest.mark.parametrize("seed", range(8))
def test_receipt_pdf_labels_match_the_text_layer(seed: int) -> None:
    receipt = make_styled_receipt(seed, fonts=PDF_FONTS)
    with pdfplumber.open(io.BytesIO(render_styled_receipt_pdf(receipt))) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    _check_receipt(printed_receipt_fields(text), expected_fields(receipt.spec))


def test_receipt_pdf_refuses_a_font_it_cannot_embed() -> None:
    receipt = make_styled_receipt(3, fonts=["terminus-bitmap"])
    with pytest.raises(ValueError, match="cannot be embedded"):
        render_styled_receipt_pdf(receipt)


def _invoice_text(seed: int, pages: int) -> tuple[str, int, dict[str, object]]:
    invoice = make_styled_invoice(seed, pages=pages)
    with pdfplumber.open(io.BytesIO(render_styled_invoice_pdf(invoice))) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        return text, len(pdf.pages), {**expected_fields(invoice.spec), "due": invoice.style.due_label}


@pytest.mark.parametrize(("seed", "pages"), [(s, 1 + s % 3) for s in range(18)])
def test_invoice_labels_match_its_text_layer(seed: int, pages: int) -> None:
    text, printed_pages, labels = _invoice_text(seed, pages)
    assert printed_pages == pages and f"Strona {pages} z {pages}" in text
    number = re.search(r"(?:Faktura VAT nr|FAKTURA VAT|Faktura nr|Nr faktury:) (\S+(?: \S+)?)\n", text)
    assert number is not None and number.group(1).removesuffix(" (ciąg") == labels["document_number"]
    nips = [re.sub(r"\D", "", m) for m in re.findall(r"NIP:? (?:PL)?([\d-]{10,13})", text)]
    assert nips == [labels["seller_nip"], labels["buyer_nip"]]
    issued = re.search(r"Data wystawienia: (\S+)", text)
    sold = re.search(r"Data sprzedaży: (\S+)", text)
    assert issued and sold and _dates(issued.group(1)) == [labels["issue_date"]] and _dates(sold.group(1)) == [
        labels["date"]]
    due = re.search(rf"{labels['due']}: {AMOUNT} PLN", text)
    assert due is not None and _amount(due.group(1)) == Decimal(str(labels["total"]))
    razem = next(line for line in text.splitlines() if line.startswith(("Razem ", "Razem:")))
    amounts = [_amount(a) for a in re.findall(r"\d[\d ]*?,\d{2}(?!\d)", razem)]
    assert Decimal(str(labels["vat_total"])) in amounts and Decimal(str(labels["total"])) in amounts
