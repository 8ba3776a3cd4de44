"""KSeF evidence: ``python -m bench.ksef [--photos N] [--pdfs N] [--packaging N] [--split dev|held-out] [--ocr N]``.

1. KOD I decoded on generated photographed invoices (fixtures.ksef.prints.photographed_invoice: rotation up to
   15 degrees, keystone up to 0.08, focus blur up to 1.2, JPEG 60) and on their PDFs, as the reader does it
   (`ocr.images.load_images` with the JPEG's grey, `ocr.pdf.rendered_pages` at `PDF_DPI`,
   `ocr.ksef.barcodes.decode_pages`).
2. Product codes on generated packaging photos (QR, GS1 DataMatrix, Code 128, EAN-13; modules 3-6 px, rotation
   up to 15 degrees, blur up to 1.5, JPEG 60): decoded and turned into what a participant would type; each
   failure printed with its kind, module size, angle and blur.
3. A 1,000-line FA(3) XML parsed and verified: `parse_invoice_xml` + merge + facts + `verify_claim` against a
   catalogue holding every line's GTIN among 2,000 products (median and max of 20 runs).
4. GTIN line matches on the generated invoices: every line must match its own product.
5. Worker time of an XML claim against the same invoice's photographed print read by OCR, both in the sandboxed
   child the worker uses (`ocr.sandbox.read_document_forked`) plus extraction, measured in one run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, date, datetime

from fixtures.ksef import DEV_SEEDS, HELD_OUT_SEEDS
from fixtures.ksef.invoices import make_invoice
from fixtures.ksef.packaging import packaging_photo
from fixtures.ksef.prints import invoice_pdf, photographed_invoice
from ocr import extract_fields, merge_documents
from ocr.config import DEFAULT_CONFIG
from ocr.extract.values import Extraction
from ocr.images import load_images, page_grey
from ocr.ksef.barcodes import PDF_DPI, decode_pages
from ocr.ksef.evidence import product_code_candidates
from ocr.ksef.invoice_xml import parse_invoice_xml
from ocr.model import DocumentReading
from ocr.pdf import rendered_pages
from ocr.sandbox import read_document_forked
from verification import Campaign, CatalogueIndex, ClaimFacts, History, Outlet, Product, verify_claim
from verification.facts import parse_date, parse_item
from verification.matching import match_line
from vocabulary.numbers import parse_decimal


def _seeds(split: str, count: int) -> list[int]:
    return list(DEV_SEEDS if split == "dev" else HELD_OUT_SEEDS)[:count]


def kod_i_photos(seeds: list[int]) -> None:

    found, started = 0, time.perf_counter()
    for seed in seeds:
        invoice = make_invoice(seed)
        photo, spec = photographed_invoice(invoice, seed)
        codes = decode_pages(page_grey(image) for image in load_images(photo, "image/jpeg", DEFAULT_CONFIG, grey=True))
        if any(code["text"] == invoice.link for code in codes):
            found += 1
        else:
            print(f"  KOD I missed: seed {seed} rotation {spec.rotation_deg:.1f} keystone {spec.perspective:.3f} "
                  f"blur {spec.blur:.2f}")
    seconds = (time.perf_counter() - started) / len(seeds)
    print(f"KOD I on photographed invoices: {found}/{len(seeds)} = {100 * found / len(seeds):.1f}% "
          f"({seconds * 1000:.0f} ms a photo with rendering)")


def kod_i_pdfs(seeds: list[int]) -> None:
    found = 0
    for seed in seeds:
        invoice = make_invoice(seed)
        codes = decode_pages(rendered_pages(invoice_pdf(invoice), DEFAULT_CONFIG, PDF_DPI))
        found += any(code["text"] == invoice.link for code in codes)
    print(f"KOD I on PDFs: {found}/{len(seeds)} = {100 * found / len(seeds):.1f}%")


def packaging(seeds: list[int]) -> None:

    found, by_kind = 0, {}
    for seed in seeds:
        photo = packaging_photo(seed)
        images = load_images(photo.jpeg, "image/jpeg", DEFAULT_CONFIG, grey=True)
        reading = DocumentReading("image/jpeg", (), codes=decode_pages(page_grey(image) for image in images))
        ok = photo.code in product_code_candidates(reading)
        found += ok
        hits, total = by_kind.get(photo.kind, (0, 0))
        by_kind[photo.kind] = (hits + ok, total + 1)
        if not ok:
            print(f"  product code missed: seed {seed} {photo.kind} module {photo.module_px}px rotation "
                  f"{photo.rotation_deg:.1f} keystone {photo.perspective:.3f} blur {photo.blur:.2f}")
    kinds = ", ".join(f"{kind} {hits}/{total}" for kind, (hits, total) in sorted(by_kind.items()))
    print(f"Product codes on packaging photos: {found}/{len(seeds)} = {100 * found / len(seeds):.1f}% ({kinds})")


def _catalogue(invoice, distractors: int = 2000) -> CatalogueIndex:
    import random

    from fixtures.ksef.invoices import gtin

    rng = random.Random(99)
    own = [Product(n, f"SKU-{n}", line.gtin, f"PRODUKT {n}", points_per_unit=1)
           for n, line in enumerate(invoice.lines, start=1)]
    others = [Product(10_000 + n, f"X-{n}", gtin(rng), f"INNY PRODUKT {n}") for n in range(distractors)]
    return CatalogueIndex.build(own + others)


def parse_and_verify(runs: int = 20) -> None:
    invoice = make_invoice(7, lines=1000)
    xml = invoice.xml
    catalogue = _catalogue(invoice)
    outlets = {invoice.seller_nip: Outlet(1, 1, invoice.seller_nip, invoice.seller_name, "")}
    campaign = Campaign("K", date(2026, 1, 1), date(2026, 12, 31), submission_days=365,
                        eligible_skus=frozenset(f"SKU-{n}" for n in range(1, 1001)))
    times, lines = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        merged = merge_documents([Extraction.from_dict(parse_invoice_xml(xml))])
        facts = ClaimFacts(claim_id="c", participant_id=1, submitted_at=datetime(2026, 12, 20, tzinfo=UTC),
                           kind=str(merged.kind), seller_nip=merged.value("seller_nip"),
                           date=parse_date(merged.value("date")), document_number=merged.value("document_number"),
                           total=parse_decimal(merged.value("total")), sure_fields=frozenset(merged.sure),
                           items=tuple(parse_item(item) for item in merged.items))
        verdict = verify_claim(facts, campaign, outlets, catalogue, History(), [], today=date(2026, 12, 20),
                               identity_secret=b"bench")
        times.append(time.perf_counter() - started)
        lines = len(verdict.lines)
    print(f"1,000-line FA(3) XML ({len(xml) // 1024} KB) parsed and verified: median "
          f"{statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms over {runs} runs "
          f"({lines} lines matched, catalogue of {len(catalogue)} products)")


def gtin_matches(seeds: list[int]) -> None:
    right = total = 0
    for seed in seeds:
        invoice = make_invoice(seed)
        catalogue = _catalogue(invoice, distractors=200)
        items = [parse_item(item) for item in Extraction.from_dict(parse_invoice_xml(invoice.xml)).items]
        for n, item in enumerate(items, start=1):
            total += 1
            right += match_line(catalogue, item.name, gtin=item.gtin).product_id == n
    print(f"Line matches by GTIN: {right}/{total} = {100 * right / total:.1f}%")


def worker_time(seeds: list[int]) -> None:
    xml_times, ocr_times = [], []
    for seed in seeds:
        invoice = make_invoice(seed)
        photo, _ = photographed_invoice(invoice, seed)
        for data, into in ((invoice.xml, xml_times), (photo, ocr_times)):
            started = time.perf_counter()
            extract_fields(read_document_forked(data, DEFAULT_CONFIG))
            into.append(time.perf_counter() - started)
    xml_s, ocr_s = statistics.median(xml_times), statistics.median(ocr_times)
    print(f"Worker read of a KSeF claim: XML median {xml_s * 1000:.0f} ms, OCR'd photo of its print median "
          f"{ocr_s * 1000:.0f} ms over {len(seeds)} invoices: the XML costs {xml_s / ocr_s:.4f} of the OCR "
          f"(1/{ocr_s / xml_s:.0f})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--pdfs", type=int, default=100)
    parser.add_argument("--packaging", type=int, default=200)
    parser.add_argument("--ocr", type=int, default=5, help="invoices read both ways for the worker-time ratio")
    parser.add_argument("--split", choices=("dev", "held-out"), default="held-out")
    args = parser.parse_args(argv)
    print(f"split: {args.split}")
    kod_i_photos(_seeds(args.split, args.photos))
    kod_i_pdfs(_seeds(args.split, args.pdfs))
    packaging(_seeds(args.split, args.packaging))
    parse_and_verify()
    gtin_matches(_seeds(args.split, 100))
    worker_time(_seeds(args.split, args.ocr))


if __name__ == "__main__":
    main()
