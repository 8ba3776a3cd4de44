"""Review UI: document previews (safe PNGs of every page) and originals (downloads)."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from PIL import Image

from ocr.config import ReaderConfig
from review_ui.previews import COUNT_LIMIT, MAX_PAGES, MAX_SIDE, count_pages, placeholder_png, render_preview
from tests.review_ui.helpers import (
    AUDITOR,
    PARTICIPANT,
    PARTICIPANT_2,
    REVIEWER_A,
    REVIEWER_B,
    login,
    pdf_bytes,
    png_bytes,
)


def _jpeg_with_orientation(size=(60, 30), orientation=6) -> bytes:
    image = Image.new("RGB", size, (250, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "SecretPhone"  # Make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _preview(client, claims, data: bytes, media_type: str, filename: str = "doc"):
    claim_id = claims.pending(data=data, media_type=media_type, filename=filename)
    login(client, REVIEWER_A)
    return client.get(f"/documents/{claims.document_ids(claim_id)[0]}/preview")


def test_preview_is_a_png_with_private_cache_and_nosniff(client, claims):
    response = _preview(client, claims, png_bytes(), "image/png")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert Image.open(io.BytesIO(response.data)).format == "PNG"


def test_preview_honours_exif_orientation_and_strips_metadata(client, claims):
    response = _preview(client, claims, _jpeg_with_orientation((60, 30)), "image/jpeg")

    image = Image.open(io.BytesIO(response.data))
    assert image.size == (30, 60)  # turned upright
    assert not image.getexif()
    assert b"SecretPhone" not in response.data


def test_preview_downscales_large_images(client, claims):
    big = io.BytesIO()
    Image.new("RGB", (3200, 1000), (0, 120, 0)).save(big, format="PNG")

    response = _preview(client, claims, big.getvalue(), "image/png")

    assert Image.open(io.BytesIO(response.data)).size == (MAX_SIDE, 500)


def test_pdf_preview_renders_the_first_page(client, claims):
    pdf = io.BytesIO()
    Image.new("RGB", (595, 842), (255, 255, 255)).save(pdf, format="PDF", resolution=72)

    response = _preview(client, claims, pdf.getvalue(), "application/pdf")

    image = Image.open(io.BytesIO(response.data))
    assert response.data != placeholder_png()
    assert 850 < image.size[1] <= MAX_SIDE  # 842 pt at ~110 dpi


def test_heic_preview_is_rendered(client, claims):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    heic = io.BytesIO()
    try:
        Image.new("RGB", (64, 32), (0, 0, 200)).save(heic, format="HEIF")
    except Exception:  # noqa: BLE001 — no HEVC encoder in this build
        pytest.skip("this pillow_heif cannot write HEIC")

    response = _preview(client, claims, heic.getvalue(), "image/heic")

    assert Image.open(io.BytesIO(response.data)).size == (64, 32)


@pytest.mark.parametrize(
    ("data", "media_type"),
    [(b"\x89PNG\r\n\x1a\nnot really a png", "image/png"), (b"%PDF-1.7 broken", "application/pdf")],
    ids=["broken-png", "broken-pdf"],
)
def test_undecodable_file_gets_a_placeholder_not_an_error(client, claims, data, media_type):
    response = _preview(client, claims, data, media_type)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.data == placeholder_png()


def test_original_is_served_as_an_attachment_with_nosniff(client, claims):
    data = b"%PDF-1.4 <html><script>alert(1)</script>"
    claim_id = claims.pending(data=data, media_type="application/pdf", filename="Faktura ąę.pdf")
    login(client, REVIEWER_A)

    response = client.get(f"/documents/{claims.document_ids(claim_id)[0]}/original")

    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Faktura%20%C4%85%C4%99.pdf" in disposition


def test_participant_can_preview_own_documents_but_not_others(client, claims):
    mine = claims.document_ids(claims.pending(participant_email=PARTICIPANT))[0]
    theirs = claims.document_ids(claims.pending(participant_email=PARTICIPANT_2))[0]
    login(client, PARTICIPANT)

    assert client.get(f"/documents/{mine}/preview").status_code == 200
    assert client.get(f"/documents/{theirs}/preview").status_code == 404
    assert client.get(f"/documents/{theirs}/original").status_code == 404


# ---- every page of a multi-page document -----------------------------------------------------------------

A4_POINTS = (595.3, 841.9)  # A4 in PDF points, as the reader stores a page's size (one decimal)
#: The total read on page 2 and the seller's NIP on page 1 of a three-page invoice (boxes in PDF points).
THREE_PAGE_EXTRACTION = {"kind": "invoice", "items": [], "fields": {
    "total": {"value": "120.00", "confidence": 0.9, "sure": True,
              "boxes": [{"page": 2, "box": [400.0, 700.0, 120.0, 18.0]}]},
    "seller_nip": {"value": "5260250274", "confidence": 0.95, "sure": True,
                   "boxes": [{"page": 1, "box": [60.0, 80.0, 150.0, 14.0]}]},
}}


def _tiff(colours: list[tuple[int, int, int]], size: tuple[int, int] = (80, 120)) -> bytes:
    """A multi-page TIFF (a scanner's output): one frame of each colour."""
    frames = [Image.new("RGB", size, colour) for colour in colours]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    return out.getvalue()


class _Viewer(HTMLParser):
    """The claim page's viewer, page by page: {sheet id: {"img": [src], "viewBox": str, "boxes": [field]}}."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[str, dict] = {}
        self.lazy: list[bool] = []
        self._page: dict | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if tag == "div" and "viewer-sheet" in (found.get("class") or "").split():
            self._page, self._depth = self.pages.setdefault(found["id"], {"img": [], "viewBox": None, "boxes": []}), 0
        if self._page is None:
            return
        self._depth += tag == "div"
        if tag == "img":
            self._page["img"].append(found["src"])
            self.lazy.append(found.get("loading") == "lazy")
        elif tag == "svg":
            self._page["viewBox"] = found.get("viewbox")
        elif tag == "rect":
            self._page["boxes"].append(found["data-field"])

    def handle_endtag(self, tag: str) -> None:
        if self._page is not None and tag == "div":
            self._depth -= 1
            if self._depth == 0:
                self._page = None


def _viewer(html: str) -> _Viewer:
    parser = _Viewer()
    parser.feed(html)
    return parser


def _pdf_claim(claims, pages: int = 3) -> tuple[str, int]:
    claim_id = claims.pending(data=pdf_bytes(pages), media_type="application/pdf", filename="faktura.pdf")
    return claim_id, claims.document_ids(claim_id)[0]


def test_claim_page_shows_every_pdf_page_with_each_box_on_the_page_it_was_read_on(client, claims):
    claim_id, document_id = _pdf_claim(claims)
    claims.read(claim_id, THREE_PAGE_EXTRACTION, *A4_POINTS, pages=3)
    login(client, REVIEWER_A)

    viewer = _viewer(client.get(f"/review/claims/{claim_id}").get_data(as_text=True))

    sheet = f"document-{document_id}-page-"
    assert list(viewer.pages) == [f"{sheet}1", f"{sheet}2", f"{sheet}3"]
    assert [page["img"] for page in viewer.pages.values()] == [
        [f"/documents/{document_id}/preview"], [f"/documents/{document_id}/preview?page=2"],
        [f"/documents/{document_id}/preview?page=3"]]
    assert viewer.lazy == [True, True, True]
    assert viewer.pages[f"{sheet}2"]["boxes"] == ["total"]
    assert viewer.pages[f"{sheet}2"]["viewBox"] == "0 0 595.3 841.9"
    assert viewer.pages[f"{sheet}1"]["boxes"] == ["seller_nip"]
    assert viewer.pages[f"{sheet}3"] == {"img": [f"/documents/{document_id}/preview?page=3"], "viewBox": None,
                                         "boxes": []}


def test_claim_page_shows_the_pages_of_a_document_not_read_yet_without_boxes(client, claims):
    claim_id, document_id = _pdf_claim(claims)
    login(client, REVIEWER_A)

    html = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)

    viewer = _viewer(html)
    assert len(viewer.pages) == 3 and all(page["boxes"] == [] for page in viewer.pages.values())
    assert "Strona 2 z 3" in html
    assert "data-toggle-boxes" not in html and "data-pages-capped" not in html


def test_preview_renders_the_requested_pdf_page(client, claims):
    _, document_id = _pdf_claim(claims)
    login(client, REVIEWER_A)

    first, second, default = (client.get(f"/documents/{document_id}/preview{query}")
                              for query in ("?page=1", "?page=2", ""))

    assert second.status_code == 200
    assert second.headers["Content-Type"] == "image/png"
    assert second.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(second.data)).format == "PNG"
    assert second.data not in (first.data, placeholder_png())
    assert default.data == first.data
    assert 850 < Image.open(io.BytesIO(second.data)).size[1] <= MAX_SIDE  # an A4 page at ~110 dpi


@pytest.mark.parametrize("page", ["0", "4", "99", "abc", "-1", "2.0", "", "²"])
def test_preview_of_a_page_the_document_does_not_have_is_a_404_page(client, claims, page):
    _, document_id = _pdf_claim(claims)
    login(client, REVIEWER_A)

    response = client.get(f"/documents/{document_id}/preview", query_string={"page": page})

    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")


def test_page_count_comes_from_the_stored_reading_when_there_is_one(client, claims):
    claim_id, document_id = _pdf_claim(claims)
    claims.read(claim_id, THREE_PAGE_EXTRACTION, *A4_POINTS, pages=3)
    login(client, REVIEWER_A)

    assert client.get(f"/documents/{document_id}/preview?page=3").status_code == 200
    assert client.get(f"/documents/{document_id}/preview?page=4").status_code == 404


def test_every_page_is_refused_to_whoever_may_not_see_the_claim_exactly_like_page_one(app, claims):
    claim_id, document_id = _pdf_claim(claims)
    expected = {None: 302, PARTICIPANT: 200, PARTICIPANT_2: 404, REVIEWER_A: 200, REVIEWER_B: 404, AUDITOR: 200}
    for email, status in expected.items():
        client = app.test_client()
        if email:
            login(client, email)
        got = [client.get(f"/documents/{document_id}/preview{q}").status_code for q in ("", "?page=2", "?page=3")]
        assert got == [status] * 3, email


def test_multi_page_tiff_frames_are_pages(client, claims):
    colours = [(250, 0, 0), (0, 160, 0), (0, 0, 250)]
    claim_id = claims.pending(data=_tiff(colours), media_type="image/tiff", filename="skan.tiff")
    document_id = claims.document_ids(claim_id)[0]
    login(client, REVIEWER_A)

    viewer = _viewer(client.get(f"/review/claims/{claim_id}").get_data(as_text=True))
    previews = [client.get(f"/documents/{document_id}/preview?page={n}") for n in (1, 2, 3)]

    assert len(viewer.pages) == 3
    assert [Image.open(io.BytesIO(p.data)).convert("RGB").getpixel((40, 60)) for p in previews] == colours
    assert client.get(f"/documents/{document_id}/preview?page=4").status_code == 404


def test_a_photo_has_one_page(client, claims):
    claim_id = claims.pending()
    document_id = claims.document_ids(claim_id)[0]
    login(client, REVIEWER_A)

    html = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)

    assert len(_viewer(html).pages) == 1 and "page-label" not in html
    assert client.get(f"/documents/{document_id}/preview?page=2").status_code == 404


def test_pages_beyond_the_readers_cap_are_not_shown_and_the_page_says_so(client, claims):
    claim_id, document_id = _pdf_claim(claims, pages=MAX_PAGES + 3)
    login(client, REVIEWER_A)

    html = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)
    english = client.get(f"/review/claims/{claim_id}?lang=en").get_data(as_text=True)

    assert len(_viewer(html).pages) == MAX_PAGES
    assert "Pokazano 20 z 23 stron" in html
    assert "Showing 20 of 23 pages" in english
    assert client.get(f"/documents/{document_id}/preview?page={MAX_PAGES}").status_code == 200
    assert client.get(f"/documents/{document_id}/preview?page={MAX_PAGES + 1}").status_code == 404


def test_page_cap_is_the_readers_page_cap():
    assert MAX_PAGES == ReaderConfig().max_pdf_pages
    assert count_pages(pdf_bytes(2), "application/pdf") == 2
    assert count_pages(b"%PDF-1.7 broken", "application/pdf") == 1


def test_tiff_frames_are_counted_up_to_a_limit_and_the_page_says_at_least(client, claims):
    frames = [Image.new("1", (1, 1))] * (COUNT_LIMIT + 5)
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    claim_id = claims.pending(data=out.getvalue(), media_type="image/tiff", filename="skan.tiff")
    login(client, REVIEWER_A)

    html = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)

    assert count_pages(out.getvalue(), "image/tiff") == COUNT_LIMIT
    assert f"Pokazano 20 z {COUNT_LIMIT}+ stron" in html


def test_an_oversized_later_tiff_frame_gets_the_placeholder():
    small, huge = Image.new("1", (100, 100), 1), Image.new("1", (7000, 6000), 1)  # 42 Mpx, a few kB as group4
    out = io.BytesIO()
    small.save(out, format="TIFF", save_all=True, append_images=[huge], compression="group4")

    assert render_preview(out.getvalue(), "image/tiff", 1) != placeholder_png()
    assert render_preview(out.getvalue(), "image/tiff", 2) == placeholder_png()


def test_participant_sees_every_page_of_the_documents_they_uploaded(client, claims):
    claim_id, document_id = _pdf_claim(claims)
    login(client, PARTICIPANT)

    html = client.get(f"/me/claims/{claim_id}").get_data(as_text=True)

    for url in (f"/documents/{document_id}/preview\"", f"/documents/{document_id}/preview?page=2\"",
                f"/documents/{document_id}/preview?page=3\""):
        assert f'src="{url}' in html
    assert "Strona 3 z 3" in html and f"/documents/{document_id}/original" not in html
    assert client.get(f"/documents/{document_id}/preview?page=3").status_code == 200
