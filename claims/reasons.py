"""Reason codes shown to participants and reviewers, with their Polish and English messages."""

from __future__ import annotations

from enum import StrEnum


class ReasonCode(StrEnum):
    UNREADABLE = "unreadable"
    UNKNOWN_SELLER = "unknown_seller"
    NO_SELLER_NIP = "no_seller_nip"
    NO_TOTAL = "no_total"
    NO_DATE = "no_date"
    UNSUPPORTED_FILE = "unsupported_file"
    INVALID_CODE = "invalid_code"
    CODE_ALREADY_USED = "code_already_used"
    PROCESSING_FAILED = "processing_failed"
    # reviewer decisions
    NOT_OUR_SALE = "not_our_sale"
    DOCUMENT_NOT_MATCHING = "document_not_matching"
    PRODUCT_NOT_ELIGIBLE = "product_not_eligible"
    DUPLICATE = "duplicate"
    SUSPECTED_FRAUD = "suspected_fraud"
    OTHER = "other"
    CONFIRMED = "confirmed"
    AUDIT_OVERRIDE = "audit_override"


MESSAGES: dict[ReasonCode, tuple[str, str]] = {
    ReasonCode.UNREADABLE: (
        "Nie udało się odczytać dokumentu. Zrób nowe zdjęcie: cały paragon w kadrze, ostro, w dobrym świetle.",
        "The document could not be read. Take a new photo: the whole receipt in frame, sharp, in good light.",
    ),
    ReasonCode.UNKNOWN_SELLER: (
        "Sprzedawca z tego dokumentu nie jest partnerem programu.",
        "The seller on this document is not a partner of the programme.",
    ),
    ReasonCode.NO_SELLER_NIP: (
        "Nie znaleźliśmy NIP sprzedawcy na dokumencie.",
        "We could not find the seller's tax number (NIP) on the document.",
    ),
    ReasonCode.NO_TOTAL: ("Nie znaleźliśmy kwoty do zapłaty.", "We could not find the total amount."),
    ReasonCode.NO_DATE: ("Nie znaleźliśmy daty zakupu.", "We could not find the purchase date."),
    ReasonCode.UNSUPPORTED_FILE: (
        "Tego pliku nie da się otworzyć. Prześlij zdjęcie (JPEG, PNG, WebP, HEIC) lub PDF.",
        "This file cannot be opened. Upload a photo (JPEG, PNG, WebP, HEIC) or a PDF.",
    ),
    ReasonCode.INVALID_CODE: ("Kod produktu jest nieprawidłowy.", "The product code is not valid."),
    ReasonCode.CODE_ALREADY_USED: ("Ten kod został już wykorzystany.", "This code has already been used."),
    ReasonCode.PROCESSING_FAILED: (
        "Wystąpił błąd podczas przetwarzania. Zgłoszenie zostanie sprawdzone ręcznie.",
        "Processing failed. The claim will be checked by hand.",
    ),
    ReasonCode.NOT_OUR_SALE: (
        "Partner nie potwierdził tej sprzedaży.",
        "The partner did not confirm this sale.",
    ),
    ReasonCode.DOCUMENT_NOT_MATCHING: (
        "Dane na dokumencie nie zgadzają się z danymi sprzedaży.",
        "The document does not match the partner's sales records.",
    ),
    ReasonCode.PRODUCT_NOT_ELIGIBLE: (
        "Zakupione produkty nie biorą udziału w programie.",
        "The purchased products are not part of the programme.",
    ),
    ReasonCode.DUPLICATE: ("Ten dokument został już zgłoszony.", "This document has already been submitted."),
    ReasonCode.SUSPECTED_FRAUD: (
        "Zgłoszenie odrzucone po weryfikacji.",
        "The claim was rejected after verification.",
    ),
    ReasonCode.OTHER: ("Zgłoszenie odrzucone przez weryfikatora.", "The claim was rejected by the reviewer."),
    ReasonCode.CONFIRMED: ("Zakup potwierdzony przez partnera.", "The purchase was confirmed by the partner."),
    ReasonCode.AUDIT_OVERRIDE: (
        "Decyzja zmieniona przez audytora programu.",
        "The decision was changed by the programme's auditor.",
    ),
}

#: Codes a reviewer may give when rejecting a claim.
REJECTION_CODES = frozenset(
    {
        ReasonCode.NOT_OUR_SALE,
        ReasonCode.DOCUMENT_NOT_MATCHING,
        ReasonCode.PRODUCT_NOT_ELIGIBLE,
        ReasonCode.DUPLICATE,
        ReasonCode.SUSPECTED_FRAUD,
        ReasonCode.UNREADABLE,
        ReasonCode.OTHER,
    }
)


def message(code: ReasonCode | str, locale: str = "pl") -> str:
    """The participant-facing message for a reason code, Polish unless `locale` starts with 'en'."""
    try:
        pl, en = MESSAGES[ReasonCode(code)]
    except (ValueError, KeyError):
        return str(code)
    return en if locale.startswith("en") else pl


def reason(code: ReasonCode | str, locale: str = "pl", **evidence: object) -> dict:
    """A reason record as stored on a claim: code, both messages, optional evidence."""
    record: dict = {"code": str(code), "message_pl": message(code, "pl"), "message_en": message(code, "en")}
    if evidence:
        record["evidence"] = evidence
    return record
