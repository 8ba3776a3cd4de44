"""Signed tokens in campaign e-mails (itsdangerous, keyed with the app's secret and a salt per purpose): the
unsubscribe link (works without logging in, for UNSUBSCRIBE_DAYS) and the open-tracking image. A token names
one delivery; nothing else is in it, and a forged or altered one is refused."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from claims.errors import InvalidInputError

UNSUBSCRIBE_DAYS = 365
OPEN_DAYS = 365
MAX_TOKEN = 200
_UNSUBSCRIBE = "paragon.unsubscribe"
_OPEN = "paragon.mail-open"


def _serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=salt)


def unsubscribe_token(secret_key: str, delivery_id: int) -> str:
    return _serializer(secret_key, _UNSUBSCRIBE).dumps(int(delivery_id))


def open_token(secret_key: str, delivery_id: int) -> str:
    return _serializer(secret_key, _OPEN).dumps(int(delivery_id))


def _read(secret_key: str, salt: str, token: str, days: int) -> int:
    if not token or len(token) > MAX_TOKEN:
        raise InvalidInputError("this link is not valid", code="unsubscribe_link_invalid")
    try:
        value = _serializer(secret_key, salt).loads(token, max_age=days * 86400)
    except SignatureExpired as exc:
        raise InvalidInputError("this link has expired", code="unsubscribe_link_expired") from exc
    except BadSignature as exc:
        raise InvalidInputError("this link is not valid", code="unsubscribe_link_invalid") from exc
    if not isinstance(value, int) or value <= 0:
        raise InvalidInputError("this link is not valid", code="unsubscribe_link_invalid")
    return value


def delivery_for_unsubscribe(secret_key: str, token: str) -> int:
    """The delivery an unsubscribe token names; `unsubscribe_link_invalid` or `unsubscribe_link_expired`."""
    return _read(secret_key, _UNSUBSCRIBE, token, UNSUBSCRIBE_DAYS)


def delivery_for_open(secret_key: str, token: str) -> int | None:
    """The delivery an open-tracking token names, or None for any bad token (the image says nothing either way)."""
    try:
        return _read(secret_key, _OPEN, token, OPEN_DAYS)
    except InvalidInputError:
        return None
