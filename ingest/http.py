"""JSON plumbing shared by the API routes: errors as {"error": {"code", "message"}}, bearer auth, locale."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from claims.db.models import User
from claims.errors import (
    AuthenticationError,
    ClaimsError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from claims.i18n import translate
from claims.ratelimit import TooManyAttemptsError
from claims.runtime import Runtime
from claims.services.accounts import user_for_token
from claims.services.intake import FileTooLargeError, UnsupportedMediaError

log = logging.getLogger(__name__)

STATUS_BY_ERROR: tuple[tuple[type[ClaimsError], int], ...] = (
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (FileTooLargeError, 413),
    (UnsupportedMediaError, 415),
    (InvalidInputError, 422),
    (TooManyAttemptsError, 429),
)


def runtime() -> Runtime:
    return current_app.extensions["paragon"]


def error_response(status: int, code: str, message: str, **extra: object):
    response = jsonify({"error": {"code": code, "message": message, **extra}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="paragon"'
    return response


def limiter():
    return current_app.extensions.get("paragon.ratelimiter")


def bearer_user(session: Session) -> User:
    """The user whose API token is in the Authorization header, or AuthenticationError."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("send Authorization: Bearer <API token>", code="missing_token")
    return user_for_token(session, token.strip())


def locale() -> str:
    """The answer language: ?lang=, then Accept-Language, then the programme default."""
    wanted = request.args.get("lang") or request.accept_languages.best_match(["pl", "en"])
    return "en" if (wanted or runtime().settings.locale).startswith("en") else "pl"


def _problems(problems: list[dict]) -> list[dict]:
    """The upload gate's findings with their advice in the answer's language."""
    lang = locale()
    return [{"code": p["code"], "message": translate(f"quality.{p['code']}", lang)} for p in problems]


def install_error_handlers(blueprint: Blueprint) -> None:
    """Every failure under the blueprint answers JSON with a reason code, never a stack trace."""

    @blueprint.errorhandler(ClaimsError)
    def _claims_error(exc: ClaimsError):
        status = next((s for cls, s in STATUS_BY_ERROR if isinstance(exc, cls)), 400)
        extra = {"problems": _problems(exc.details["problems"])} if "problems" in exc.details else {}
        response = error_response(status, exc.code, exc.message, **extra)
        if isinstance(exc, TooManyAttemptsError):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @blueprint.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        response = error_response(exc.code or 500, code, exc.description or exc.name)
        response.headers.extend((k, v) for k, v in exc.get_headers() if k.lower() == "allow")  # a 405's methods
        return response

    @blueprint.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error in %s %s", request.method, request.path)
        return error_response(500, "internal_error", "Something went wrong on our side; nothing was lost.")
