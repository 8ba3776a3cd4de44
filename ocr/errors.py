"""Errors raised by the document reader, each with a stable code and a participant-readable message."""

from __future__ import annotations


class OcrError(Exception):
    """Base class for every failure of the reader; carries a stable `code` and an English `message`."""

    code: str = "ocr_failed"
    default_message: str = "We could not read this document."

    def __init__(self, message: str | None = None) -> None:
        """Store the participant-facing message (the class default when none is given)."""
        self.message: str = message or self.default_message
        super().__init__(self.message)

    def to_dict(self) -> dict[str, str]:
        """Return the error as a JSON-ready mapping with `code` and `message`."""
        return {"code": self.code, "message": self.message}


class UnsupportedFileError(OcrError):
    """The upload is not one of the accepted formats (ocr/formats.py): images, PDF, KSeF invoice XML."""

    code = "unsupported_type"
    default_message = (
        "This file type is not supported. Please upload a photo (JPEG, PNG, WebP, HEIC, AVIF, TIFF), a PDF or a KSeF "
        "invoice XML."
    )


class CorruptFileError(OcrError):
    """The file claims a supported format but cannot be decoded."""

    code = "corrupt_file"
    default_message = "The file appears to be damaged or incomplete. Please upload it again."


class FileTooLargeError(OcrError):
    """The file is too big to process: too many pixels, pages, or a decompression bomb."""

    code = "too_large"
    default_message = "The file is too large to process. Please upload a smaller photo or a shorter PDF."


class EncryptedPdfError(OcrError):
    """The PDF is password-protected or encrypted."""

    code = "encrypted_pdf"
    default_message = "The PDF is password-protected. Please upload a version without a password."


class ReadTimeoutError(OcrError):
    """Reading the document took longer than the configured time limit."""

    code = "read_timeout"
    default_message = "Reading the document took too long. Please upload a clearer or smaller file."


class EngineError(OcrError):
    """The OCR engine is missing or failed while reading."""

    code = "ocr_engine_failed"
    default_message = "The text-recognition engine failed. Please try again later."


class ForbiddenXmlError(OcrError):
    """An XML upload declares a DTD, entities or external references (never expanded, never fetched)."""

    code = "xml_forbidden"
    default_message = (
        "This XML file contains declarations an e-invoice never has. Please upload the invoice as KSeF issued it."
    )
