"""The one table of a claim's fields. Everything that names a field derives from it: the reader's `FieldName`,
the merge of a claim's documents, reviewers' corrections, the review and participant pages, the API's claim
JSON and its OpenAPI schema.

Adding a field is one row here plus the extractor that fills it (see the README's architecture section).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FieldType(StrEnum):
    """How a field's value is written and checked."""

    TEXT = "text"
    NIP = "nip"  # 10 digits with a valid check digit
    DATE = "date"  # ISO yyyy-mm-dd
    TIME = "time"  # HH:MM
    MONEY = "money"  # decimal text with two places ("123.45")
    CODE = "code"  # one of a fixed set of lower-case words (payment method, currency)


@dataclass(frozen=True)
class FieldSpec:
    """One field of a claim.

    name: the key everywhere (extraction, claim JSON, forms, catalogue keys `field.<name>`).
    max_length: the longest stored value; a longer correction is refused with this limit.
    editable: a reviewer may correct it.
    participant: shown to the participant (page and API).
    on_claim: copied from the documents onto the claim (False: kept on the document's extraction only).
    reviewer: shown to reviewers under "what was read" (the currency is always PLN in this programme).
    key: finding it shows a page was really read (a seller name alone can be noise off a blurred photo).
    """

    name: str
    type: FieldType
    max_length: int
    editable: bool = True
    participant: bool = False
    on_claim: bool = True
    reviewer: bool = True
    key: bool = False

    @property
    def money(self) -> bool:
        return self.type is FieldType.MONEY

    @property
    def message_key(self) -> str:
        """The catalogue key of the field's label."""
        return f"field.{self.name}"


T = FieldType
#: Every field, in the order the pages show them.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("seller_name", T.TEXT, 300, participant=True),
    FieldSpec("seller_nip", T.NIP, 13, participant=True, key=True),
    FieldSpec("seller_address", T.TEXT, 300),
    FieldSpec("buyer_nip", T.NIP, 13),
    FieldSpec("date", T.DATE, 10, participant=True, key=True),
    FieldSpec("issue_date", T.DATE, 10, editable=False, on_claim=False, reviewer=False),
    FieldSpec("time", T.TIME, 5),
    FieldSpec("document_number", T.TEXT, 100, participant=True, key=True),
    FieldSpec("total", T.MONEY, 20, participant=True, key=True),
    FieldSpec("vat_total", T.MONEY, 20),
    FieldSpec("currency", T.CODE, 3, editable=False, reviewer=False),
    FieldSpec("payment_method", T.CODE, 50),
    # KSeF e-invoices: read exactly from the FA(3)/FA(2) XML, the KSeF number or the verification QR codes
    FieldSpec("ksef_number", T.TEXT, 36, editable=False, participant=True),
    FieldSpec("invoice_type", T.TEXT, 10, editable=False),
    FieldSpec("buyer_id", T.TEXT, 50, editable=False),
    FieldSpec("corrected_ksef_number", T.TEXT, 36, editable=False),
    FieldSpec("corrected_document_number", T.TEXT, 100, editable=False),
    FieldSpec("xml_hash", T.TEXT, 43, editable=False, reviewer=False),
    FieldSpec("qr_hash", T.TEXT, 43, editable=False, reviewer=False),
    FieldSpec("ksef_link", T.TEXT, 300, editable=False, reviewer=False),
    FieldSpec("ksef_certificate", T.TEXT, 600, editable=False, reviewer=False),
    # product codes decoded from a photo of packaging (QR, DataMatrix GS1 AI 21, EAN-13, Code 128), space-separated
    FieldSpec("product_codes", T.TEXT, 500, editable=False, on_claim=False, reviewer=False),
)

BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in FIELDS}
#: The field names as an enum (`FieldName.TOTAL == "total"`), generated from the table.
FieldName = StrEnum("FieldName", [(spec.name.upper(), spec.name) for spec in FIELDS], module=__name__)
FIELD_NAMES: tuple[str, ...] = tuple(spec.name for spec in FIELDS)
CLAIM_FIELDS: tuple[str, ...] = tuple(spec.name for spec in FIELDS if spec.on_claim)
EDITABLE_FIELDS: tuple[str, ...] = tuple(spec.name for spec in FIELDS if spec.editable)
REVIEWER_FIELDS: tuple[str, ...] = tuple(spec.name for spec in FIELDS if spec.reviewer)
PARTICIPANT_FIELDS: tuple[str, ...] = tuple(spec.name for spec in FIELDS if spec.participant)
KEY_FIELDS: tuple[str, ...] = tuple(spec.name for spec in FIELDS if spec.key)
MONEY_FIELDS: frozenset[str] = frozenset(spec.name for spec in FIELDS if spec.money)


def field_spec(name: str) -> FieldSpec:
    """The row of field `name` (KeyError when there is none)."""
    return BY_NAME[name]
