"""The edge's first check of every request: text no field of ours may hold is refused with a 400 and a reason
code before any view, database or template sees it.

NUL bytes and control characters in a URL segment, a query argument, a form field or a JSON string, lone
surrogates (JSON can carry them; no database can store them) and Unicode non-characters end here. A form field
may hold tabs and line breaks (a comment is several lines); an address or a query may not. Over-long values
are refused field by field where their limit lives (the services, the columns); this guard caps what no field
of ours needs: a single value past MAX_VALUE_CHARS, JSON nested past MAX_JSON_DEPTH.
"""

from __future__ import annotations

import re

from flask import Flask, request
from werkzeug.routing import BaseConverter

from review_ui.errors import error_page

#: Control characters, surrogates and non-characters: never in any value.
_NEVER = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff"
FORBIDDEN_IN_TEXT = re.compile(f"[{_NEVER}]")
#: In a URL segment or query argument, tabs and line breaks are refused as well.
FORBIDDEN_IN_URL = re.compile(f"[{_NEVER}\t\n\r]")
MAX_VALUE_CHARS = 100_000
MAX_JSON_DEPTH = 20
ERROR_CODE = "invalid_characters"


class SegmentConverter(BaseConverter):
    """The default URL segment without control characters: such a path matches no route (404)."""

    regex = "[^/\x00-\x1f\x7f]+"


class BadInput(Exception):
    """A value no field accepts."""


def _check_text(value: str, pattern: re.Pattern) -> None:
    if len(value) > MAX_VALUE_CHARS or pattern.search(value):
        raise BadInput


def _check_json(value: object, depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise BadInput
    if isinstance(value, str):
        _check_text(value, FORBIDDEN_IN_TEXT)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, FORBIDDEN_IN_TEXT)
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)


def check_request() -> None:
    """Raise BadInput when the request carries text no field of ours accepts."""
    _check_text(request.path, FORBIDDEN_IN_URL)
    for key, value in request.args.items(multi=True):
        _check_text(key, FORBIDDEN_IN_URL)
        _check_text(value, FORBIDDEN_IN_URL)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
            for key, value in request.form.items(multi=True):
                _check_text(key, FORBIDDEN_IN_TEXT)
                _check_text(value, FORBIDDEN_IN_TEXT)
        elif request.is_json:
            _check_json(request.get_json(silent=True))


def _guard():
    try:
        check_request()
    except BadInput:
        return error_page(400, "error.invalid_characters", ERROR_CODE)
    return None


def init_app(app: Flask) -> None:
    app.url_map.converters["default"] = SegmentConverter
    app.before_request(_guard)
