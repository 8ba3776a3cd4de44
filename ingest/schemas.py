"""The request and answer models of the claims API (/api/v1/claims, review, participants/me), declared once:
spectree validates requests against them and the OpenAPI document is generated from them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, RootModel, create_model
from spectree.model_adapter.pydantic_adapter import BaseFile

from claims.services.intake import ALLOWED_UPLOAD_TYPES, MAX_CODES
from claims.services.outcomes import Stage
from ingest.openapi import ApiModel
from vocabulary.claims import ClaimKind, ClaimStatus
from vocabulary.fields import FIELDS, FieldSpec, FieldType
from vocabulary.reasons import PARTICIPANT_REASONS, NextStep, ReasonCode

#: Uploads the API takes, as sniffed from the bytes (the format registry, ocr/formats.py).
UPLOAD_TYPES: tuple[str, ...] = tuple(sorted(ALLOWED_UPLOAD_TYPES))
MAX_FILES = 10
#: The longest free text a request may carry (a reviewer's comment).
MAX_COMMENT = 2000


def _printable(value: str) -> str:
    """Text without NUL or other control characters (tabs and line breaks are kept)."""
    if any(ord(c) < 32 and c not in "\t\r\n" or 0x7F <= ord(c) < 0xA0 for c in value):
        raise ValueError("control characters are not allowed")
    return value


#: Free text from a caller: no control characters.
Text = Annotated[str, AfterValidator(_printable)]


def _as_list(value: Any) -> Any:
    """A form field sent once is one value; sent several times, a list."""
    return value if isinstance(value, list) else [value]


def _clamped(low: int, high: int):
    return AfterValidator(lambda value: min(max(value, low), high))


# ---- requests ---------------------------------------------------------------------------------------------


class ClaimForm(ApiModel):
    """A claim: document files, or product codes typed from packaging (one kind per claim)."""

    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": ["files"]}, {"required": ["product_code"]}]})
    error_codes: ClassVar[dict[str, str]] = {"files": "too_many_files", "product_code": "bad_code_format"}

    files: Annotated[list[BaseFile], BeforeValidator(_as_list)] = Field(
        default_factory=list, min_length=1, max_length=MAX_FILES,
        json_schema_extra={"items": {"type": "string", "format": "binary", "x-accept": list(UPLOAD_TYPES)}},
        description=f"1-{MAX_FILES} photos or PDFs of the purchase documents, one part each; the type is sniffed "
                    f"from the bytes: {', '.join(UPLOAD_TYPES)}")
    product_code: Annotated[list[Annotated[str, Field(min_length=1, max_length=2000)]],
                            BeforeValidator(_as_list)] = Field(
        default_factory=list, min_length=1, max_length=MAX_CODES * 5,
        description=f"product codes from the packaging (12 characters each; several per field, one a line; at "
                    f"most {MAX_CODES} per claim)")


class PageQuery(ApiModel):
    """A page of the participant's own claims (values outside the range are brought into it)."""

    limit: Annotated[int, _clamped(1, 100)] = Field(20, description="1-100")
    offset: Annotated[int, _clamped(0, 2**31 - 1)] = Field(0, description="0 or more")
    lang: str = Field(None, max_length=35, description="pl or en (messages)")


class QueueQuery(ApiModel):
    limit: Annotated[int, _clamped(1, 500)] = Field(100, description="1-500")
    offset: Annotated[int, _clamped(0, 2**31 - 1)] = Field(0, description="0 or more")


class LangQuery(ApiModel):
    lang: str = Field(None, max_length=35,
                      description="pl or en: the language of the messages (else Accept-Language)")


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


class DecisionBody(ApiModel):
    """A reviewer's decision on a claim waiting for one."""

    error_codes: ClassVar[dict[str, str]] = {"action": "bad_action", "reason_code": "bad_reason_code",
                                             "comment": "bad_comment"}

    action: Literal["approve", "reject"]
    reason_code: Annotated[ReasonCode | None, BeforeValidator(_blank_is_none)] = Field(
        None, description="required to reject (one of the rejection codes); optional to approve (confirmed)")
    comment: Annotated[Text, Field(max_length=MAX_COMMENT)] = Field(
        "", description="to the participant, shown with a rejection")
    checklist: list[Annotated[Text, Field(max_length=200)]] = Field(
        default_factory=list, max_length=20,
        description="a display claim's checklist items the reviewer ticked (approval needs the activity's rule)")


class IdempotencyHeaders(ApiModel):
    error_codes: ClassVar[dict[str, str]] = {"Idempotency-Key": "bad_idempotency_key"}

    idempotency_key: str = Field(
        None, max_length=200, alias="Idempotency-Key",
        description="Same key and body give the same answer; same key with another body gives 409.")


# ---- answers ----------------------------------------------------------------------------------------------

#: How each type of the field table is written in JSON (values read from a document are kept as read, so the
#: shapes are described, not enforced, except ISO dates).
FIELD_FORMATS: dict[FieldType, dict] = {
    FieldType.TEXT: {},
    FieldType.NIP: {"description": "tax number, 10 digits"},
    FieldType.DATE: {"format": "date"},
    FieldType.TIME: {"description": "HH:MM"},
    FieldType.MONEY: {"description": "decimal text with two places, e.g. 123.45"},
    FieldType.CODE: {},
}


def _fields_model(name: str, shown: list[FieldSpec], description: str) -> type[BaseModel]:
    """The `fields` object of a claim: the field table's fields that were read, then its lines and codes."""
    columns: dict[str, Any] = {spec.name: (str, Field(None, json_schema_extra=FIELD_FORMATS[spec.type]))
                               for spec in shown}
    columns["items"] = (list[dict[str, Any]], Field(None, description="the purchase lines read"))
    columns["product_codes"] = (list[str], Field(None))
    return create_model(name, __config__=ConfigDict(extra="allow", json_schema_extra={"description": description}),
                        **columns)


ClaimFields = _fields_model("ClaimFields", [s for s in FIELDS if s.on_claim],
                            "What was read (as corrected by the reviewer), by the field table")
ParticipantFields = _fields_model("ParticipantFields", [s for s in FIELDS if s.participant],
                                  "What was read, the fields shown to participants")
#: The codes a participant may be shown (internal codes are shown in a plainer form or not at all).
ShownCode = Literal[tuple(sorted({str(r.shown_as) for r in PARTICIPANT_REASONS.values()}))]  # type: ignore[valid-type]


class Accepted(BaseModel):
    id: UUID
    status: ClaimStatus
    url: str = Field(description="where to follow the claim (GET)")


class StaffReason(BaseModel):
    code: ReasonCode
    message: str
    comment: str = Field(None, description="the reviewer's words, when there are any")


class StaffClaim(BaseModel):
    """A claim as its partner's reviewers and staff see it: every reason as stored."""

    id: UUID
    status: ClaimStatus
    kind: ClaimKind
    reasons: list[StaffReason]
    fields: ClaimFields  # type: ignore[valid-type]
    points: int
    submitted_at: datetime | None


class ShownReason(BaseModel):
    """A reason as a participant reads it: only codes a participant may see, with the next step."""

    code: ShownCode  # type: ignore[valid-type]
    message: str
    next_step: NextStep
    next_step_message: str
    comment: str = Field(None, description="the reviewer's words to the participant, when there are any")


class OwnClaim(BaseModel):
    """A claim as its participant sees it (GET /claims, and GET /claims/{id} with a participant's token)."""

    id: UUID
    status: ClaimStatus
    stage: Stage = Field(description="received, reading, checking, waiting (for the partner), decided")
    kind: ClaimKind
    reasons: list[ShownReason]
    fields: ParticipantFields  # type: ignore[valid-type]
    points: int = Field(description="credited (approved), expected (waiting for a decision), 0 when rejected or "
                                    "not read yet")
    points_kind: Literal["credited", "expected", "none"]
    documents: int
    submitted_at: datetime | None


class ClaimAnswer(RootModel[StaffClaim | OwnClaim]):
    """The claim: its participant gets the OwnClaim form, its partner and staff the StaffClaim one."""


class ClaimPage(BaseModel):
    claims: list[OwnClaim]
    total: int
    limit: int
    offset: int
    next: str | None = Field(description="the next page, null on the last one")


class QueueItem(BaseModel):
    id: UUID
    status: ClaimStatus
    kind: ClaimKind
    outlet: str | None
    seller_nip: str | None
    date: str | None
    total: str | None
    points: int
    submitted_at: datetime | None


class Queue(BaseModel):
    claims: list[QueueItem]
    limit: int
    offset: int


class Expiring(BaseModel):
    """Points that will expire, and the day they are gone (POINTS_EXPIRY)."""

    points: int
    on: date


class Balance(BaseModel):
    participant_id: int
    balance: int
    expiring: list[Expiring] = Field([], description="what of the balance will expire when, soonest first")


class DecisionMade(BaseModel):
    action: Literal["approve", "reject"]
    reason_code: ReasonCode


class Decided(BaseModel):
    id: UUID
    status: ClaimStatus
    decision: DecisionMade


class ZipArchive(BaseModel):
    """A zip archive (not JSON)."""

    model_config = ConfigDict(json_schema_extra={"x-content-type": "application/zip"})


class OpenApiDocument(RootModel[dict[str, Any]]):
    """This document."""
