"""Uploaded documents: a safe PNG preview for the page, and the original file as a download."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, current_app
from sqlalchemy.orm import Session
from werkzeug.http import dump_options_header

from claims.db.models import Document, User
from claims.errors import NotFoundError
from claims.roles import Role
from claims.services.intake import safe_filename
from claims.services.review import get_visible_claim
from review_ui.access import acting_user, role_required
from review_ui.db import db, end_read, runtime
from review_ui.previews import render_preview

bp = Blueprint("documents", __name__)

ALL_ROLES = tuple(Role)


def _visible_document(session: Session, user: User, document_id: int) -> Document:
    """The document when its claim is visible to `user`; NotFoundError (404) otherwise, without a leak."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFoundError("document not found")
    get_visible_claim(session, user, document.claim_id)
    return document


@bp.get("/documents/<int:document_id>/preview")
@role_required(*ALL_ROLES)
def preview(document_id: int):
    document = _visible_document(db(), acting_user(), document_id)
    sha256, media_type = document.sha256, document.media_type
    end_read()  # rendering can take a second: hold no database transaction meanwhile
    cache = current_app.extensions["paragon.previews"]
    png = cache.get(sha256)
    if png is None:
        try:
            data = runtime().blobs.get(sha256)
        except NotFoundError:
            data = b""  # a lost file gets the placeholder, like an undecodable one
        png = render_preview(data, media_type)
        if data:
            cache.put(sha256, png)
    return Response(
        png,
        mimetype="image/png",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300"},
    )


@bp.get("/documents/<int:document_id>/original")
@role_required(*ALL_ROLES)
def original(document_id: int):
    document = _visible_document(db(), acting_user(), document_id)
    sha256, filename = document.sha256, safe_filename(document.filename)
    end_read()
    data = runtime().blobs.get(sha256)  # a missing blob is a 404
    return Response(
        data,
        mimetype="application/octet-stream",
        headers={
            "Content-Disposition": _attachment(filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def _attachment(filename: str) -> str:
    """attachment; filename="ascii"; filename*=UTF-8''encoded — werkzeug quotes and encodes it."""
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "").strip() or "dokument"
    options = {"filename": ascii_name}
    if ascii_name != filename:
        options["filename*"] = "UTF-8''" + quote(filename, safe="")
    return dump_options_header("attachment", options)
