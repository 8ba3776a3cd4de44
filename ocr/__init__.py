"""Document reader: turns uploaded receipts and invoices into positioned text and extracted fields.

No infrastructure imports, no environment access, and nothing runs at import time: configuration is
passed in as a `ReaderConfig`.
"""

from __future__ import annotations

from ocr.config import ReaderConfig
from ocr.errors import (
    CorruptFileError,
    EncryptedPdfError,
    EngineError,
    FileTooLargeError,
    OcrError,
    ReadTimeoutError,
    UnsupportedFileError,
)
from ocr.extract import FIELD_NAMES, DocumentKind, Extraction, FieldName, FieldValue, PageBox, extract_fields
from ocr.model import Box, DocumentReading, Line, PageReading, PageSource, Word
from ocr.quality import Quality, QualityProblem, assess_quality, check_photo
from ocr.reader import read_document
from ocr.result import extract_file_result
from ocr.sandbox import read_document_isolated
from ocr.sniff import ALLOWED_UPLOAD_TYPES, sniff_media_type

__all__ = [
    "check_photo",
    "read_document_isolated",
    "ALLOWED_UPLOAD_TYPES",
    "FIELD_NAMES",
    "Box",
    "CorruptFileError",
    "DocumentKind",
    "DocumentReading",
    "EncryptedPdfError",
    "EngineError",
    "Extraction",
    "FieldName",
    "FieldValue",
    "FileTooLargeError",
    "Line",
    "OcrError",
    "PageBox",
    "PageReading",
    "PageSource",
    "Quality",
    "QualityProblem",
    "ReadTimeoutError",
    "ReaderConfig",
    "UnsupportedFileError",
    "Word",
    "assess_quality",
    "extract_fields",
    "extract_file_result",
    "read_document",
    "sniff_media_type",
]
