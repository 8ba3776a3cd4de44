"""POST /api/v1/partner/sales: a partner sends the invoices it issued to programme participants.

The body is declared by pydantic models with `ingest.openapi.operation` (validated at the edge, described in
the OpenAPI document); the records are stored and matched to claims by `claims.services.partner_sales` (a
matching claim is confirmed as the partner's decision, a contradicting one goes to an auditor with both side
by side).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

from flask import jsonify, request
from pydantic import BaseModel, ConfigDict, Field

from claims.db.engine import transaction
from claims.db.models import User
from claims.errors import InvalidInputError
from claims.roles import Role
from claims.services.partner_sales import MAX_RECORDS, check_record, partner_user, record_sales
from ingest.api import blueprint
from ingest.http import bearer_user, runtime
from ingest.openapi import ApiModel, operation


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


class SalesRequest(ApiModel):
    """A partner's sales records (at most 5,000 at once)."""

    error_codes: ClassVar[dict[str, str]] = {"records": "bad_sale_record"}
    model_config = ConfigDict(extra="forbid")
    records: list[SaleRecordIn] = Field(min_length=1, max_length=MAX_RECORDS)


class SalesAnswer(BaseModel):
    """What was stored, and the claims confirmed, contradicted (to an auditor) and noted (already flagged)."""

    stored: int
    confirmed: list[str]
    contradicted: list[str]
    noted: list[str]


@blueprint.post("/partner/sales")
@operation(roles=(Role.PARTNER_REVIEWER, Role.ADMIN), json=SalesRequest, answers={200: SalesAnswer},
           errors=(403, 422))
def post_sales():
    """Record the partner's own sales to participants; the claims they match are confirmed or flagged"""
    with transaction(runtime().sessions) as session:
        user_id = partner_user(bearer_user(session)).id
    body = request.context.json
    if body is None:  # not sent as JSON
        raise InvalidInputError('send JSON {"records": [...]}', code="bad_json")
    records = [check_record(item.model_dump(mode="json"), row) for row, item in enumerate(body.records, start=1)]
    with transaction(runtime().sessions) as session:
        report = record_sales(session, session.get(User, user_id), records)
        answer = SalesAnswer(stored=report.stored, confirmed=report.confirmed, contradicted=report.contradicted,
                             noted=report.noted)
    return jsonify(answer.model_dump()), 200
