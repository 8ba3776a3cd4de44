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
    APPEAL = "appeal"
    NO_CAMPAIGN = "no_campaign"
    # programme rules (verification)
    OUTSIDE_CAMPAIGN_PERIOD = "outside_campaign_period"
    SUBMITTED_TOO_LATE = "submitted_too_late"
    SELLER_MATCHED_BY_NAME = "seller_matched_by_name"
    NO_ITEMS = "no_items"
    PRODUCT_NOT_RECOGNISED = "product_not_recognised"
    PRODUCT_MATCH_UNCERTAIN = "product_match_uncertain"
    BELOW_MINIMUM_PURCHASE = "below_minimum_purchase"
    POINTS_CAPPED = "points_capped"
    BUYER_NIP_REQUIRED = "buyer_nip_required"
    BUYER_NIP_MISMATCH = "buyer_nip_mismatch"
    UNCERTAIN_FIELDS = "uncertain_fields"
    AUTO_APPROVED = "auto_approved"
    # duplicates and risk signals (verification)
    NEAR_DUPLICATE = "near_duplicate"
    NEEDS_AUDIT = "needs_audit"
    EDITED_IMAGE = "edited_image"
    SCREENSHOT = "screenshot"
    SCREEN_PHOTO = "screen_photo"
    TOTALS_MISMATCH = "totals_mismatch"
    DATE_IN_FUTURE = "date_in_future"
    VELOCITY_PARTICIPANT = "velocity_participant"
    VELOCITY_DEVICE = "velocity_device"
    VELOCITY_IP = "velocity_ip"
    UNUSUAL_AMOUNT = "unusual_amount"


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
    ReasonCode.NO_CAMPAIGN: (
        "W tej chwili nie trwa żadna akcja programu; zgłoszenie sprawdzi audytor.",
        "No campaign of the programme is running now; an auditor will check the claim.",
    ),
    ReasonCode.APPEAL: (
        "Uczestnik odwołał się od decyzji; zgłoszenie sprawdzi audytor.",
        "The participant appealed the decision; an auditor will check the claim.",
    ),
    ReasonCode.AUDIT_OVERRIDE: (
        "Decyzja zmieniona przez audytora programu.",
        "The decision was changed by the programme's auditor.",
    ),
    ReasonCode.OUTSIDE_CAMPAIGN_PERIOD: (
        "Data zakupu jest poza okresem trwania akcji.",
        "The purchase date is outside the campaign period.",
    ),
    ReasonCode.SUBMITTED_TOO_LATE: (
        "Dokument zgłoszono po terminie: zakup trzeba zgłosić w określonej liczbie dni od daty zakupu.",
        "The document was submitted too late: purchases must be submitted within a set number of days.",
    ),
    ReasonCode.SELLER_MATCHED_BY_NAME: (
        "Nie odczytaliśmy NIP sprzedawcy; sklep rozpoznaliśmy po nazwie i adresie.",
        "The seller's tax number could not be read; the shop was recognised by its name and address.",
    ),
    ReasonCode.NO_ITEMS: (
        "Nie odczytaliśmy pozycji zakupu z dokumentu.",
        "The purchased items could not be read from the document.",
    ),
    ReasonCode.PRODUCT_NOT_RECOGNISED: (
        "Nie rozpoznaliśmy tego produktu w katalogu programu.",
        "This product was not recognised in the programme's catalogue.",
    ),
    ReasonCode.PRODUCT_MATCH_UNCERTAIN: (
        "Nie mamy pewności, który to produkt; sprawdzi to weryfikator.",
        "We are not sure which product this is; a reviewer will check.",
    ),
    ReasonCode.BELOW_MINIMUM_PURCHASE: (
        "Wartość produktów objętych akcją jest niższa niż minimalna kwota zakupu.",
        "The value of the campaign's products is below the minimum purchase amount.",
    ),
    ReasonCode.POINTS_CAPPED: (
        "Osiągnięto limit punktów; przyznano tylko tyle punktów, ile pozwala limit.",
        "A points limit was reached; only the points the limit allows were granted.",
    ),
    ReasonCode.BUYER_NIP_REQUIRED: (
        "Ta akcja wymaga dokumentu wystawionego na Twoją firmę (z NIP nabywcy). Prześlij fakturę lub "
        "paragon z NIP, na którym NIP nabywcy jest dobrze widoczny.",
        "This campaign requires a document issued to your company (with the buyer's tax number). Upload an "
        "invoice or a receipt with the buyer's NIP clearly visible.",
    ),
    ReasonCode.BUYER_NIP_MISMATCH: (
        "NIP nabywcy na dokumencie nie jest NIP-em Twojej firmy.",
        "The buyer's tax number on the document is not your company's.",
    ),
    ReasonCode.UNCERTAIN_FIELDS: (
        "Części danych z dokumentu nie odczytaliśmy pewnie; sprawdzi je weryfikator.",
        "Some of the document's data were not read with certainty; a reviewer will check them.",
    ),
    ReasonCode.AUTO_APPROVED: (
        "Zakup zatwierdzony automatycznie: wszystkie warunki akcji są spełnione.",
        "Purchase approved automatically: all campaign conditions are met.",
    ),
    ReasonCode.NEAR_DUPLICATE: (
        "Ten dokument wygląda jak już zgłoszony; sprawdzi to audytor.",
        "This document looks like one already submitted; an auditor will check.",
    ),
    ReasonCode.NEEDS_AUDIT: (
        "Zgłoszenie wymaga dodatkowej weryfikacji.",
        "The claim needs additional verification.",
    ),
    ReasonCode.EDITED_IMAGE: (
        "Zdjęcie dokumentu zostało zapisane w programie do edycji grafiki.",
        "The document photo was saved by image-editing software.",
    ),
    ReasonCode.SCREENSHOT: (
        "Przesłano zrzut ekranu zamiast zdjęcia lub pliku dokumentu.",
        "A screenshot was uploaded instead of a photo or file of the document.",
    ),
    ReasonCode.SCREEN_PHOTO: (
        "Zdjęcie przedstawia ekran, a nie papierowy dokument.",
        "The photo shows a screen, not a paper document.",
    ),
    ReasonCode.TOTALS_MISMATCH: (
        "Suma pozycji nie zgadza się z kwotą do zapłaty.",
        "The items do not add up to the total.",
    ),
    ReasonCode.DATE_IN_FUTURE: ("Data zakupu jest z przyszłości.", "The purchase date is in the future."),
    ReasonCode.VELOCITY_PARTICIPANT: (
        "Bardzo wiele zgłoszeń w krótkim czasie.",
        "Very many claims in a short time.",
    ),
    ReasonCode.VELOCITY_DEVICE: (
        "Z tego urządzenia zgłasza wiele kont lub bardzo wiele zgłoszeń.",
        "Many accounts or very many claims come from this device.",
    ),
    ReasonCode.VELOCITY_IP: (
        "Z tego adresu sieciowego zgłasza wiele kont.",
        "Many accounts submit from this network address.",
    ),
    ReasonCode.UNUSUAL_AMOUNT: (
        "Kwota zakupu znacznie odbiega od zwykłych zakupów.",
        "The purchase amount is far from the usual purchases.",
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
