"""The upload quality gate: one photo per problem, readable photos pass, messages in Polish and English."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from reportlab.pdfgen import canvas

from claims.i18n import has_key, translate
from ocr.config import DEFAULT_CONFIG
from ocr.formats import sniff_media_type
from ocr.images import load_preview
from ocr.photo import PhotoMeasures, measure_photo
from ocr.quality import PREVIEW_SIDE, QualityProblem, check_photo, clearly_fine, judge_photo
from tests.hostile import photos

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "fixtures" / "samples"
DEV = ROOT.parent / "shared" / "datasets" / "pl-receipts-dev"
PHOTO_PROBLEMS = [
    p
    for p in QualityProblem
    if p.value in {"too_blurry", "too_dark", "overexposed", "glare", "too_small", "cut_off", "no_document"}
]


def _check(data: bytes):
    return check_photo(data, sniff_media_type(data) or "")


def _pdf(pages: int) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for number in range(pages):
        pdf.drawString(72, 720, f"Faktura VAT strona {number + 1}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_readable_photo_passes(seed):
    quality = _check(photos.readable_photo(seed))
    assert quality.ok and quality.problems == ()


def test_slightly_blurred_but_readable_photo_passes():
    assert _check(photos.readable_photo(4, blur=0.07 * photos.TEXT_PX)).ok


def test_small_receipt_in_a_high_resolution_frame_passes_when_its_print_is_large_enough():
    # 10% of a 12 MP frame: print ~10 px tall, which the reader reads; seen only by the gate's closer look
    assert _check(photos.small_photo(7, fraction=0.1, frame=(4000, 3000))).ok
    assert _check(photos.small_photo(7, fraction=0.04, frame=(4000, 3000))).problems == (QualityProblem.TOO_SMALL,)


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda: photos.blurry_photo(5, strength=0.2), QualityProblem.TOO_BLURRY),
        (lambda: photos.dark_photo(6, gain=0.12), QualityProblem.TOO_DARK),
        (lambda: photos.overexposed_photo(7, gain=3.0, lift=0.6), QualityProblem.OVEREXPOSED),
        (lambda: photos.glare_photo(8, size=0.8), QualityProblem.GLARE),
        (lambda: photos.small_photo(9, fraction=0.1), QualityProblem.TOO_SMALL),
        (lambda: photos.low_resolution_photo(10, text_px=5), QualityProblem.TOO_SMALL),
        (lambda: photos.cut_off_photo(11), QualityProblem.CUT_OFF),
        (lambda: photos.no_document_photo(12, "cat"), QualityProblem.NO_DOCUMENT),
        (lambda: photos.no_document_photo(13, "table"), QualityProblem.NO_DOCUMENT),
    ],
)
def test_bad_photo_is_refused_with_its_problem(make, problem):
    quality = _check(make())
    assert not quality.ok and quality.problems[0] is problem


def test_bundled_samples_pass_except_the_unreadable_photo():
    for path in sorted(SAMPLES.glob("*.png")) + [SAMPLES / "receipt-photo-stalbud.jpg"]:
        assert _check(path.read_bytes()).ok, path.name
    assert not _check((SAMPLES / "photo-unreadable.jpg").read_bytes()).ok


def test_a_dark_theme_screenshot_of_an_e_receipt_passes():
    from fixtures.wideset import build_one

    screens = [build_one(("dev", "receipt_screen", i)) for i in range(10)]
    dark = [s for s in screens if s.labels["screen"]["theme"] == "dark"]
    assert len(dark) >= 3  # light print on a near-black screen: once refused as "no document"
    assert all(_check(s.data).ok for s in dark)


@pytest.mark.skipif(not DEV.is_dir(), reason="development photos not available")
def test_every_real_development_document_passes():
    files = [p for p in sorted(DEV.iterdir()) if p.suffix.lower() in {".jpg", ".png", ".webp", ".pdf"}]
    refused = {p.name: _check(p.read_bytes()).problems for p in files if not _check(p.read_bytes()).ok}
    assert len(files) == 8 and refused == {}


def test_pdf_passes_unless_unreadable():
    assert _check(_pdf(2)).ok
    assert _check(b"%PDF-1.7\n1 0 obj garbage").problems == (QualityProblem.UNREADABLE_FILE,)
    assert _check(_pdf(25)).problems == (QualityProblem.FILE_TOO_LARGE,)


def test_broken_or_unsupported_files_never_raise():
    jpeg = photos.readable_photo(14)
    assert _check(jpeg[: len(jpeg) // 3]).problems == (QualityProblem.UNREADABLE_FILE,)
    assert check_photo(b"GIF89a....", "image/gif").problems == (QualityProblem.UNREADABLE_FILE,)
    assert check_photo(b"", "image/png").problems == (QualityProblem.UNREADABLE_FILE,)


def test_check_reports_the_time_it_took():
    quality = _check(photos.readable_photo(15))
    assert 0 < quality.seconds < 60


@pytest.mark.parametrize("problem", list(QualityProblem))
def test_every_problem_has_advice_in_polish_and_english(problem):
    polish, english = translate(f"quality.{problem}", "pl"), translate(f"quality.{problem}", "en-GB")
    assert has_key(f"quality.{problem}", "pl") and has_key(f"quality.{problem}", "en")
    assert polish and english and polish != english
    assert translate(f"quality.{problem.value}", "pl-PL") == polish


def test_photo_advice_tells_how_to_retake():
    assert translate("quality.too_blurry", "pl").startswith("Zdjęcie jest nieostre")
    assert "closer" in translate("quality.too_small", "en")
    assert all(translate(f"quality.{p}", "pl").endswith(".") for p in PHOTO_PROBLEMS)


@pytest.mark.parametrize("size", [1, 2, 3, 10, 999, 250_000])
def test_grey_percentiles_are_numpys_linear_percentiles_exactly(size):
    import numpy as np

    from ocr.photo import grey_percentiles

    rng = np.random.default_rng(size)
    levels = np.clip(rng.normal(190, 40, size), 0, 255).astype(np.uint8)
    percents = (0, 1, 2, 50, 90, 95, 98, 99, 100)
    expected = np.percentile(levels, percents)
    assert grey_percentiles(levels, percents) == pytest.approx(tuple(expected), abs=1e-9, rel=0)  # last-bit lerp


def _fine(**changes) -> PhotoMeasures:
    """Measures of a clearly good half-size preview, with `changes` applied."""
    values = dict(scale=4.0, paper_fraction=0.5, paper_level=230.0, ink_level=40.0, washed_share=0.0, chars=200,
                  char_height=8.0, edge_width=2.3, glare_disc=0.1, glare_fade=0.0, cut_sides=())
    return PhotoMeasures(**{**values, **changes})


@pytest.mark.parametrize("changes", [
    {"paper_level": 60.0},  # dim: near DARK_PAPER
    {"paper_level": 247.0},  # near clipped: overexposure is judged on the full preview
    {"chars": 20},
    {"char_height": 2.0},  # 8 original pixels: near MIN_TEXT_PX
    {"edge_width": 3.2},  # blur 0.31 per character height
    {"washed_share": 0.3},
    {"glare_disc": 5.0},
    {"cut_sides": ("left",)},
])
def test_the_quick_look_accepts_only_photos_far_from_every_limit(changes):
    assert clearly_fine(_fine())
    assert not clearly_fine(_fine(**changes))


@pytest.mark.parametrize(("make", "seed"), [
    (photos.readable_photo, 104), (photos.blurry_photo, 104), (photos.shaken_photo, 105),
    (photos.glare_photo, 106), (photos.cut_off_photo, 107),
])
def test_the_quick_look_never_changes_a_verdict(make, seed):
    """Whatever the quick look decides, the gate's verdict is the one the full preview gives."""
    data = make(seed, 1.5)
    preview, scale = load_preview(data, "image/jpeg", DEFAULT_CONFIG, PREVIEW_SIDE)
    assert check_photo(data, "image/jpeg").problems == judge_photo(measure_photo(np.asarray(preview), scale))


def test_an_ordinary_photo_is_accepted_by_the_quick_look_and_a_blurred_one_is_not():
    from ocr.quality import _passes_quick_look

    def quick(data: bytes) -> bool:
        return _passes_quick_look(*load_preview(data, "image/jpeg", DEFAULT_CONFIG, PREVIEW_SIDE))

    assert quick(photos.readable_photo(104, 1.5))
    assert not quick(photos.blurry_photo(104, 1.5, strength=0.15))
