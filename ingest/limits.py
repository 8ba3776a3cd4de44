"""Upload checks that answer before anything is stored: count, size, real type from the bytes."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from claims.errors import InvalidInputError
from claims.services.intake import Upload
from ocr import sniff_media_type

#: What participants may upload (the type is sniffed from the bytes, never taken from the name).
ACCEPTED_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/webp", "image/heic", "image/avif", "image/tiff", "application/pdf"}
)
MAX_CODES = 20


class UnsupportedMediaError(InvalidInputError):
    code = "unsupported_type"


class PayloadTooLargeError(InvalidInputError):
    code = "file_too_large"


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_files: int


def safe_filename(name: str | None) -> str:
    """A display name with no path, control characters or direction tricks; never used as a path."""
    base = (name or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    return cleaned.strip()[:120] or "upload"


def check_upload(filename: str | None, data: bytes, limits: UploadLimits) -> Upload:
    """An Upload with its sniffed type, or an error with a reason code."""
    if not data:
        raise InvalidInputError(f"file {safe_filename(filename)!r} is empty", code="empty_file")
    if len(data) > limits.max_bytes:
        raise PayloadTooLargeError(
            f"file {safe_filename(filename)!r} is larger than {limits.max_bytes // (1024 * 1024)} MB"
        )
    media_type = sniff_media_type(data)
    if media_type not in ACCEPTED_TYPES:
        raise UnsupportedMediaError(
            f"file {safe_filename(filename)!r} is not a photo (JPEG, PNG, WebP, HEIC, AVIF, TIFF) or a PDF"
        )
    return Upload(filename=safe_filename(filename), media_type=media_type, data=data)


def check_codes(raw_codes: list[str]) -> list[str]:
    """Trimmed, upper-cased, de-duplicated product codes in the order given."""
    codes: list[str] = []
    for raw in raw_codes:
        for part in raw.replace(",", " ").split():
            code = part.strip().upper()
            if len(code) > 32 or not code.isalnum():
                raise InvalidInputError("product codes are letters and digits, at most 32", code="bad_code_format")
            if code not in codes:
                codes.append(code)
    if len(codes) > MAX_CODES:
        raise InvalidInputError(f"at most {MAX_CODES} product codes per claim", code="too_many_codes")
    return codes
