"""POST /api/v1/partner/sales: a partner sends the invoices it issued to programme participants.

The body is checked by pydantic models (their JSON schemas are the OpenAPI document's, `openapi_paths`); the
records are stored and matched to claims by `claims.services.partner_sales` (a matching claim is confirmed as
the partner's decision, a contradicting one goes to an auditor with both side by side).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import jsonify, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from claims.db.engine import transaction
from claims.db.models import User
from claims.errors import InvalidInputError
from claims.services.partner_sales import MAX_RECORDS, check_record, partner_user, record_sales
from ingest.api import blueprint
from ingest.http import bearer_user, runtime


class SaleLine(BaseModel):
    """One line of the invoice, as the partner's system has it."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=300)
    gtin: str | None = Field(default=None, max_length=14)
    index: str | None = Field(default=None, max_length=100)
    qty: Decimal | None = None
    amount: Decimal | None = None


class SaleRecordIn(BaseModel):
    """An invoice the partner issued: its KSeF number, or seller NIP + number + date + total; the buyer's NIP."""

    model_config = ConfigDict(extra="forbid")
    ksef_number: str | None = Field(default=None, max_length=36)
    seller_nip: str | None = Field(default=None, max_length=13)
    document_number: str | None = Field(default=None, max_length=100)
    issue_date: date | None = None
    total: Decimal | None = None
    buyer_nip: str = Field(max_length=13)
    lines: list[SaleLine] = Field(default_factory=list, max_length=1000)


class SalesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: list[SaleRecordIn] = Field(min_length=1, max_length=MAX_RECORDS)


class SalesAnswer(BaseModel):
    stored: int
    confirmed: list[str]
    contradicted: list[str]
    noted: list[str]


@blueprint.post("/partner/sales")
def post_sales():
    """Store the partner's sales records and settle the claims they match."""
    with transaction(runtime().sessions) as session:
        user_id = partner_user(bearer_user(session)).id
    try:
        body = SalesRequest.model_validate(request.get_json(silent=True) or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInputError(f"{where}: {first['msg']}", code="bad_sale_record") from None
    records = [check_record(item.model_dump(mode="json"), row) for row, item in enumerate(body.records, start=1)]
    with transaction(runtime().sessions) as session:
        report = record_sales(session, session.get(User, user_id), records)
        answer = SalesAnswer(stored=report.stored, confirmed=report.confirmed, contradicted=report.contradicted,
                             noted=report.noted)
    return jsonify(answer.model_dump()), 200


def _inlined(schema: dict) -> dict:
    """A pydantic JSON schema with its `$defs` references written in place (the document has no `$defs`)."""
    defs = schema.pop("$defs", {})

    def walk(node: object) -> object:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(defs[ref.removeprefix("#/$defs/")])
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return node

    return walk(schema)  # type: ignore[return-value]


def openapi_paths() -> dict:
    """The OpenAPI description of this module's paths (added to the document by `ingest.openapi`)."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {"/api/v1/partner/sales": {"post": {
        "summary": "Record the partner's own sales to participants; matching claims are confirmed",
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": _inlined(SalesRequest.model_json_schema())}}},
        "responses": {
            "200": {"description": "Stored; the claims confirmed, contradicted and noted",
                    "content": {"application/json": {"schema": SalesAnswer.model_json_schema()}}},
            "422": {"description": "A record is missing a field or has a wrong one", **error},
            "401": {"description": "No or unknown API token", **error},
            "403": {"description": "Not a partner, or a seller NIP that is not the partner's outlet", **error},
        },
    }}}
