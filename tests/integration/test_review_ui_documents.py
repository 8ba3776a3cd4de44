"""Review UI: document previews (safe PNGs) and originals (downloads)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from review_ui.previews import MAX_SIDE, placeholder_png
from tests.integration.conftest_ui import *  # noqa: F403 — fixtures
from tests.integration.conftest_ui import PARTICIPANT, PARTICIPANT_2, REVIEWER_A, login, png_bytes


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
