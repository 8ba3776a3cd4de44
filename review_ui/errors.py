"""Error pages (Polish by default, never a stack trace) and the mapping of claims errors to HTTP answers."""

from __future__ import annotations

from flask import Flask, flash, jsonify, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from claims.errors import (
    AuthenticationError,
    ClaimsError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from review_ui.i18n import has_key, t

HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "request_too_large", 429: "too_many_requests", 500: "internal_error"}


def error_page(status: int, message_key: str | None = None, code: str | None = None):
    """An HTML error page, or a small JSON body under /api/ (`code`, or the status's own)."""
    key = message_key or (f"error.{status}" if has_key(f"error.{status}") else "error.500")
    if request.path.startswith("/api/"):
        code = code or HTTP_CODES.get(status, "error")
        return jsonify(error={"code": code, "message": t(key)}), status
    return render_template("error.html", status=status, message=t(key)), status


def claims_error_message(error: ClaimsError, **values: object) -> str:
    """A Polish (or English) sentence for a claims error, by its code; never the core's English text."""
    key = f"error.{error.code}"
    if has_key(key):
        return t(key, **{**error.details, **values})
    return t("error.invalid_input" if isinstance(error, InvalidInputError) else "error.conflict")


def flash_error(error: ClaimsError, target: str, **values: object):
    """Tell the user why it did not work and send them back (303) to `target`."""
    flash(claims_error_message(error, **values), "error")
    return redirect(target, code=303)


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    body, status = error_page(error.code)
    return body, status, allow_header(error)


def allow_header(error: HTTPException) -> dict[str, str]:
    """A 405's `Allow` header (the methods the address does take), so a client can tell what to send."""
    return {name: value for name, value in error.get_headers() if name.lower() == "allow"}


def _unexpected(_error: Exception):
    # Flask has already logged the exception with its traceback; the user sees a plain page.
    return error_page(500)


def _authentication_error(_error: AuthenticationError):
    # The API answers 401; a logged-in page user without the needed profile gets 403.
    return error_page(401 if request.path.startswith("/api/") else 403)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(NotFoundError, lambda _e: error_page(404))
    app.register_error_handler(PermissionDeniedError, lambda _e: error_page(403))
    app.register_error_handler(AuthenticationError, _authentication_error)
    app.register_error_handler(CSRFError, lambda _e: error_page(400, "error.csrf"))
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _unexpected)
