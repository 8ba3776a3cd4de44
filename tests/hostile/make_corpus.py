"""Generate hostile and broken uploads (bombs, loops, lies about the format) into a directory.

Every file is made on the fly from a few lines of code, so the repository holds no large binaries.
`CASES` maps a file name to the error codes the reader may end with (an empty set: it must read the
file, possibly finding no text).

    python -m tests.hostile.make_corpus /tmp/hostile
"""

from __future__ import annotations

import functools
import io
import random
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw
from reportlab.pdfgen import canvas

from fixtures.documents import make_receipt
from fixtures.render import render_receipt_png


def _chunk(kind: bytes, payload: bytes) -> bytes:
    """One PNG chunk: length, type, payload, CRC."""
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png(width: int, height: int, idat: bytes, depth: int = 1, colour: int = 0) -> bytes:
    """A PNG with the given header and raw (already compressed) IDAT payload."""
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _zeros_compressed(size: int, block: int = 1 << 20) -> bytes:
    """`size` zero bytes deflated, without ever holding them all in memory."""
    compressor = zlib.compressobj(9)
    zero = bytes(block)
    out = [compressor.compress(zero) for _ in range(size // block)]
    out.append(compressor.compress(bytes(size % block)))
    return b"".join(out) + compressor.flush()


def decompression_bomb_png() -> bytes:
    """A ~100-byte PNG declaring 100000 x 100000 pixels (10 gigapixels)."""
    return _png(100_000, 100_000, zlib.compress(b"\x00" * 1000))


def huge_png() -> bytes:
    """A genuine, fully decodable 20000 x 20000 black-and-white PNG (~50 kB on disk, 400 megapixels)."""
    row = 1 + 20_000 // 8  # filter byte + 1-bit pixels
    return _png(20_000, 20_000, _zeros_compressed(row * 20_000))


def _jpeg(image: Image.Image, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **params)
    return buffer.getvalue()


def truncated_jpeg() -> bytes:
    """The first 40% of a real photo-sized JPEG."""
    data = _jpeg(Image.effect_noise((800, 600), 60).convert("RGB"), quality=90)
    return data[: len(data) * 2 // 5]


def png_with_jpeg_name() -> bytes:
    """A readable receipt PNG (stored under a .jpg name: the type is sniffed from the bytes)."""
    return render_receipt_png(make_receipt(3))


def polyglot_jpeg_html() -> bytes:
    """A valid JPEG whose comment segment and tail are an HTML page with a script."""
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    image = Image.new("RGB", (320, 240), "white")
    ImageDraw.Draw(image).text((10, 10), "not a receipt", fill="black")
    return _jpeg(image, comment=html) + html


def svg_with_script() -> bytes:
    """An SVG image (unsupported) carrying a script."""
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        b"<script>alert(1)</script><text x='10' y='50'>SUMA PLN 10,00</text></svg>"
    )


def random_bytes() -> bytes:
    """64 kB of seeded noise that starts with no known magic number."""
    return b"\x00RANDOM" + random.Random(7).randbytes(65_536)


def empty_file() -> bytes:
    """Zero bytes."""
    return b""


def tiff_with_1000_pages() -> bytes:
    """A TIFF with 1000 tiny pages."""
    frames = [Image.new("1", (8, 8), 1) for _ in range(1000)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def tiff_g4_20_pages_6320() -> bytes:
    """20 pages of 6320 x 6320 1-bit Group 4 fax (about 64 KB): each page just under the reader's pixel cap,
    decoded to RGB they would take 2.4 GB (issue 17: the work horse once decoded them all to hash page 1)."""
    page = Image.new("1", (6320, 6320), 1)
    draw = ImageDraw.Draw(page)
    for y in range(200, 6200, 400):
        draw.line((200, y, 6100, y), fill=0, width=3)
    buffer = io.BytesIO()
    page.save(buffer, "TIFF", compression="group4", save_all=True, append_images=[page] * 19)
    return buffer.getvalue()


def truncated_heic() -> bytes:
    """The first half of a HEIC photo."""
    from pillow_heif import from_pillow

    buffer = io.BytesIO()
    from_pillow(Image.effect_noise((640, 480), 60).convert("RGB")).save(buffer, format="HEIF", quality=80)
    data = buffer.getvalue()
    return data[: len(data) // 2]


def truncated_avif() -> bytes:
    """The first half of an AVIF photo."""
    buffer = io.BytesIO()
    Image.effect_noise((640, 480), 60).convert("RGB").save(buffer, "AVIF", quality=60)
    data = buffer.getvalue()
    return data[: len(data) // 2]


def _pdf_file(objects: list[bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """Assemble a PDF from numbered object bodies (1-based) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        trailer_extra,
        xref,
    )
    return bytes(out)


def _stream(dictionary: bytes, payload: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(payload) + payload + b"\nendstream"


def pdf_compression_bomb() -> bytes:
    """A one-page PDF whose FlateDecode content stream inflates to 1 GB (the file is ~1 MB)."""
    return _pdf_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            _stream(b"/Filter /FlateDecode", _zeros_compressed(1 << 30)),
        ]
    )


def pdf_self_referencing() -> bytes:
    """A PDF whose page tree lists itself among its own kids (an endless loop for a naive walker)."""
    return _pdf_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def encrypted_pdf() -> bytes:
    """A receipt PDF that needs the user password "tajne"."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt="tajne")
    pdf.drawString(72, 720, "PARAGON FISKALNY  SUMA PLN 12,30")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def pdf_with_300_pages() -> bytes:
    """A 300-page text PDF."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for page in range(300):
        pdf.drawString(72, 720, f"Strona {page + 1}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def pdf_cat_drawing() -> bytes:
    """A PDF that is only a drawing of a cat: no text layer and nothing to read."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(400, 400))
    pdf.setFillColorRGB(0.9, 0.55, 0.2)
    pdf.circle(200, 180, 110, stroke=0, fill=1)
    path = pdf.beginPath()
    for ear in ((110, 240, 130, 360, 180, 280), (290, 240, 270, 360, 220, 280)):
        path.moveTo(ear[0], ear[1])
        path.lineTo(ear[2], ear[3])
        path.lineTo(ear[4], ear[5])
        path.close()
    pdf.drawPath(path, stroke=0, fill=1)
    pdf.setFillColorRGB(0.1, 0.5, 0.2)
    pdf.circle(160, 200, 18, stroke=0, fill=1)
    pdf.circle(240, 200, 18, stroke=0, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


#: file name -> (maker, error codes the reader may end with; empty: it must read the file).
CASES: dict[str, tuple[Callable[[], bytes], frozenset[str]]] = {
    "empty.jpg": (empty_file, frozenset({"corrupt_file"})),
    "truncated.jpg": (truncated_jpeg, frozenset({"corrupt_file"})),
    "receipt-png-named.jpg": (png_with_jpeg_name, frozenset()),
    "decompression-bomb.png": (decompression_bomb_png, frozenset({"too_large"})),
    "huge-20000x20000.png": (huge_png, frozenset({"too_large"})),
    "compression-bomb.pdf": (pdf_compression_bomb, frozenset({"too_large", "read_timeout", "corrupt_file"})),
    "self-referencing.pdf": (pdf_self_referencing, frozenset({"corrupt_file"})),
    "encrypted.pdf": (encrypted_pdf, frozenset({"encrypted_pdf"})),
    "300-pages.pdf": (pdf_with_300_pages, frozenset({"too_large"})),
    "cat.pdf": (pdf_cat_drawing, frozenset()),
    "polyglot-jpeg-html.jpg": (polyglot_jpeg_html, frozenset()),
    "script.svg": (svg_with_script, frozenset({"unsupported_type"})),
    "random.bin": (random_bytes, frozenset({"unsupported_type"})),
    "1000-pages.tiff": (tiff_with_1000_pages, frozenset({"too_large"})),
    "g4-20-pages-6320.tiff": (tiff_g4_20_pages_6320, frozenset({"too_large", "read_timeout"})),
    "truncated.heic": (truncated_heic, frozenset({"corrupt_file"})),
    "truncated.avif": (truncated_avif, frozenset({"corrupt_file"})),
}


def make_corpus(directory: Path) -> dict[str, Path]:
    """Write every case into `directory` (created if needed) and return name -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in CASES:
        paths[name] = directory / name
        paths[name].write_bytes(case_bytes(name))
    return paths


@functools.cache
def case_bytes(name: str) -> bytes:
    """One case's bytes, made once per process (the PDF bomb alone deflates 1 GB: seconds; three test modules
    each write the corpus)."""
    return CASES[name][0]()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for name, path in make_corpus(target).items():
        print(f"{path.stat().st_size:>10}  {name}")
