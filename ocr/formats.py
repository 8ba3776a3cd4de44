"""The format registry: one table of the uploads the reader accepts, each with its reader and extractor.

The sniffed media type picks the entry; its reader turns the bytes into a `DocumentReading` and its
extractor turns that reading into an `Extraction`. Images and PDFs are read as printed text (OCR, or a
PDF's text layer) and extracted by layout (`ocr.extract.extract_printed`), with the barcodes decoded on their
pages (`DocumentReading.codes`: KSeF QR codes, product codes) overlaid exactly (`ocr.ksef.evidence`). A
structured document whose
fields are exact needs no OCR: its reader parses it into `DocumentReading.structured` (JSON-ready, so it
crosses the sandbox's pipe) and its extractor builds the fields from that; a reader that stores a whole
`Extraction.to_dict()` there can use `exact_extraction`. Adding a format is one row in `FORMATS` with its
recogniser (`ocr.sniff`), reader and extractor; the upload types and the sniffing follow from the table.
(A KSeF FA(3) e-invoice is one: recognised by its root element's namespace, parsed with defusedxml into
`structured`, its fields exact and sure.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ocr import sniff
from ocr.extract import extract_printed
from ocr.extract.values import Extraction
from ocr.images import load_images, page_grey
from ocr.ksef.barcodes import PDF_DPI, decode_pages
from ocr.ksef.evidence import with_exact_evidence
from ocr.ksef.invoice_xml import parse_invoice_xml
from ocr.model import DocumentReading, DocumentTraits
from ocr.pdf import read_pdf, rendered_pages
from ocr.session import OcrSession
from ocr.traits import page_traits

#: Tells from the first `ocr.sniff.HEAD_BYTES` bytes whether an upload is in this format.
Recogniser = Callable[[bytes], bool]
#: (bytes, media type, the document's OCR session) -> the reading. Raises the reader's `OcrError`s.
Reader = Callable[[bytes, str, OcrSession], DocumentReading]
#: A reading of this format -> its fields.
Extractor = Callable[[DocumentReading], Extraction]


@dataclass(frozen=True)
class Format:
    """One accepted kind of upload: how its bytes are recognised, read and turned into fields."""

    media_type: str
    recognise: Recogniser
    read: Reader
    extract: Extractor


def read_image(data: bytes, media_type: str, session: OcrSession) -> DocumentReading:
    """Decode every page of an image upload and read each by OCR, with the barcodes on it; the traits come from
    the first page.

    Each page is turned grey once (`page_grey`: what `to_grayscale` makes of its pixels, which the preparation
    reads) and that grey is what the barcodes are searched in too: a second grey of a 12 MP photo by another
    formula cost 30 ms, its RGB copy 40 ms. A colour JPEG's grey comes straight from its decoder (nothing
    here needs its colours; the traits hash a grey thumbnail): 20 ms instead of 70 for a 12 MP photo.
    """
    images = load_images(data, media_type, session.config, grey=True)
    greys = [page_grey(image) for image in images]
    pages = tuple(session.page(grey, number) for number, grey in enumerate(greys, start=1))
    traits = page_traits(images[0], media_type, data) if session.config.image_traits else DocumentTraits()
    return DocumentReading(media_type, pages, traits=traits, codes=decode_pages(greys))


def read_pdf_document(data: bytes, media_type: str, session: OcrSession) -> DocumentReading:
    """Read a PDF: the text layer where a page has one, the other pages rendered and read by OCR; every page
    is rendered once more for its barcodes (a KSeF QR code is drawn, not written in the text layer)."""
    pages = tuple(read_pdf(data, session.config, session.pdf_page))
    return DocumentReading(media_type, pages, codes=decode_pages(rendered_pages(data, session.config, PDF_DPI)))


def extract_with_evidence(reading: DocumentReading) -> Extraction:
    """The fields of a printed document, with what its KSeF QR codes and KSeF number say exactly."""
    return with_exact_evidence(reading, extract_printed(reading))


def read_ksef_xml(data: bytes, media_type: str, session: OcrSession) -> DocumentReading:
    """Parse a KSeF e-invoice (FA(3)/FA(2) XML) hardened: its fields exact, no page to read (`ocr.ksef`)."""
    return DocumentReading(media_type, (), structured=parse_invoice_xml(data))


def exact_extraction(reading: DocumentReading) -> Extraction:
    """Return the extraction a structured format's reader stored whole (`Extraction.to_dict()`) in the reading.

    Raises:
        ValueError: the reading holds no structured content.
    """
    if reading.structured is None:
        raise ValueError(f"a {reading.media_type} reading without structured content")
    return Extraction.from_dict(reading.structured)


#: Every accepted upload, in the order the recognisers are tried.
FORMATS: tuple[Format, ...] = (
    Format(sniff.JPEG, sniff.is_jpeg, read_image, extract_with_evidence),
    Format(sniff.PNG, sniff.is_png, read_image, extract_with_evidence),
    Format(sniff.WEBP, sniff.is_webp, read_image, extract_with_evidence),
    Format(sniff.TIFF, sniff.is_tiff, read_image, extract_with_evidence),
    Format(sniff.PDF, sniff.is_pdf, read_pdf_document, extract_with_evidence),
    Format(sniff.AVIF, sniff.is_avif, read_image, extract_with_evidence),
    Format(sniff.HEIC, sniff.is_heic, read_image, extract_with_evidence),
    Format(sniff.KSEF_XML, sniff.is_ksef_xml, read_ksef_xml, exact_extraction),
)
#: The media types the upload API accepts.
ALLOWED_UPLOAD_TYPES: frozenset[str] = frozenset(entry.media_type for entry in FORMATS)
#: The media types read as images (the upload gate judges them as photos; they have image traits).
IMAGE_TYPES: frozenset[str] = frozenset(entry.media_type for entry in FORMATS if entry.read is read_image)

_active: list[Format] = list(FORMATS)


def register_format(entry: Format) -> None:
    """Accept one more format in this process (and the children it forks), tried after the others.

    Raises:
        ValueError: a format with that media type is already registered.
    """
    if format_for(entry.media_type) is not None:
        raise ValueError(f"{entry.media_type} is already registered")
    _active.append(entry)


def unregister_format(media_type: str) -> None:
    """Stop accepting a format added with `register_format` (the built-in ones stay)."""
    _active[:] = [entry for entry in _active if entry.media_type != media_type or entry in FORMATS]


def format_for(media_type: str) -> Format | None:
    """Return the registered format of `media_type`, or None."""
    return next((entry for entry in _active if entry.media_type == media_type), None)


def sniff_format(data: bytes) -> Format | None:
    """Return the format whose recogniser first accepts the leading bytes of `data`, or None."""
    head = data[: sniff.HEAD_BYTES]
    return next((entry for entry in _active if entry.recognise(head)), None)


def sniff_media_type(data: bytes) -> str | None:
    """Return the media type of `data` judged from magic bytes, or None when it is not an accepted type.

    Args:
        data: the raw bytes of the upload (only the first kilobyte is inspected).

    Returns:
        One of the registered media types (`ALLOWED_UPLOAD_TYPES` and any added with `register_format`),
        or None for anything else.
    """
    entry = sniff_format(data)
    return entry.media_type if entry else None


def extract_fields(reading: DocumentReading) -> Extraction:
    """Extract the claim-relevant fields from a document reading, with the extractor of its format.

    Args:
        reading: the output of `read_document` (or one rebuilt with `DocumentReading.from_dict`). A reading
            of a media type without a registered format (a replayed text, `ocr.textreading`) is printed text.

    Returns:
        An `Extraction` with the detected kind, the fields that were found (see `vocabulary.fields`) and the
        item lines. Fields that were not found are absent from `fields`.
    """
    entry = format_for(reading.media_type)
    return (entry.extract if entry else extract_with_evidence)(reading)
