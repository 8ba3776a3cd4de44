"""Document reader: turns uploaded receipts and invoices into positioned text and extracted fields.

No infrastructure imports, no environment access, and nothing runs at import time: configuration is
passed in as a `ReaderConfig`. The accepted formats, with their readers and extractors, are one table
(`ocr.formats`); the field names are `vocabulary.fields`.
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
from ocr.extract import ClaimExtraction, DocumentKind, Extraction, FieldValue, PageBox, merge_documents
from ocr.formats import ALLOWED_UPLOAD_TYPES, Format, extract_fields, sniff_media_type
from ocr.model import Box, DocumentReading, DocumentTraits, Line, PageReading, PageSource, Word
from ocr.quality import Quality, QualityProblem, assess_quality, check_photo
from ocr.reader import read_document
from ocr.result import extract_file_result
from ocr.sandbox import read_document_isolated
from ocr.traits import document_traits

__all__ = [
    "ALLOWED_UPLOAD_TYPES",
    "Box",
    "ClaimExtraction",
    "CorruptFileError",
    "DocumentKind",
    "DocumentReading",
    "DocumentTraits",
    "EncryptedPdfError",
    "EngineError",
    "Extraction",
    "FieldValue",
    "FileTooLargeError",
    "Format",
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
    "check_photo",
    "document_traits",
    "extract_fields",
    "extract_file_result",
    "merge_documents",
    "read_document",
    "read_document_isolated",
    "sniff_media_type",
]
