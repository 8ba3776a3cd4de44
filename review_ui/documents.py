"""Uploaded documents: a safe PNG preview of each page, and the original file as a download."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, current_app, request
from sqlalchemy.orm import Session
from werkzeug.http import dump_options_header

from claims.db.models import Document, User
from claims.errors import NotFoundError
from claims.roles import Role
from claims.services.intake import safe_filename
from claims.services.review import get_visible_claim
from review_ui.access import acting_user, role_required
from review_ui.claim_pages import pages_in_reading
from review_ui.db import db, end_read, runtime
from review_ui.previews import MAX_PAGES, count_pages, preview_key, render_preview

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
    """A PNG of page `?page=N` (1-based, default 1); a page the document does not have is a 404."""
    document = _visible_document(db(), acting_user(), document_id)
    page = _page_number()
    sha256, media_type, reading = document.sha256, document.media_type, document.reading
    end_read()  # counting and rendering can take a second: hold no database transaction meanwhile
    if page > min(page_count(sha256, media_type, reading), MAX_PAGES):
        raise NotFoundError("the document has no such page")
    cache = current_app.extensions["paragon.previews"]
    png = cache.get(preview_key(sha256, page))
    if png is None:
        data = _blob(sha256)
        png = render_preview(data, media_type, page)
        if data:
            cache.put(preview_key(sha256, page), png)
    return Response(
        png,
        mimetype="image/png",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300"},
    )


def _page_number() -> int:
    """`?page=` as a page number from 1 to MAX_PAGES; anything else (0, 99, abc, -1, ²) is a 404."""
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not 1 <= int(raw) <= MAX_PAGES:
        raise NotFoundError("no such page")
    return int(raw)


def _blob(sha256: str) -> bytes:
    try:
        return runtime().blobs.get(sha256)
    except NotFoundError:
        return b""  # a lost file gets the placeholder, like an undecodable one


def page_count(sha256: str, media_type: str, reading: dict | None) -> int:
    """How many pages a document has: its stored reading's, else counted in the file once and remembered."""
    read = pages_in_reading(reading)
    if read:
        return read
    counts = current_app.extensions["paragon.page_counts"]
    count = counts.get(sha256)
    if count is None:
        data = _blob(sha256)
        count = count_pages(data, media_type)
        if data:
            counts.put(sha256, count)
    return count


def document_page_count(document: Document) -> int:
    """`page_count` of a document row (what the claim page passes to `document_views`)."""
    return page_count(document.sha256, document.media_type, document.reading)


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
