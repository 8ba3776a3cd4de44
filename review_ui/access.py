"""Who is logged in (Flask-Login around claims' User) and which roles may open a view."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, abort, current_app, jsonify, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user
from sqlalchemy import select

from claims.db.models import User
from claims.roles import STAFF_ROLES, Role
from review_ui.db import db

_UNSAFE_IN_NEXT = re.compile(r"[\x00-\x20\x7f\\\u0080-\u009f\u2028\u2029\u3000\ufeff]")
REVIEWER_ROLES = (Role.PARTNER_REVIEWER, Role.AUDITOR, Role.ADMIN)


class LoginUser(UserMixin):
    """The logged-in user as Flask-Login wants it; `model` is the claims User bound to the request session."""

    def __init__(self, model: User) -> None:
        self.model = model

    def get_id(self) -> str:
        return str(self.model.id)

    @property
    def is_active(self) -> bool:
        return bool(self.model.active)

    @property
    def role(self) -> Role:
        return Role(self.model.role)

    @property
    def name(self) -> str:
        return self.model.name or self.model.email

    @property
    def locale(self) -> str:
        return self.model.locale or ""

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


def load_user(user_id: str) -> LoginUser | None:
    """The active user with this id, from the request session."""
    try:
        key = int(user_id)
    except (TypeError, ValueError):
        return None
    model = db().scalar(select(User).where(User.id == key, User.active.is_(True)))
    return LoginUser(model) if model is not None else None


def unauthorized() -> Any:
    if request.path.startswith("/api/"):
        return jsonify(error="unauthenticated", message="authentication required"), 401
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target.rstrip("?") if target else None))


def acting_user() -> User:
    """The claims User behind the current login (views call this after role_required)."""
    return current_user.model


def home_url(role: Role | str) -> str:
    """Where a user of `role` starts: participants on their claims, everyone else on the review queue."""
    return url_for("participant.home") if Role(role) is Role.PARTICIPANT else url_for("review.queue")


def role_required(*roles: Role) -> Callable:
    """Anonymous -> redirect to /login; logged in with another role -> 403."""
    allowed = frozenset(Role(r) for r in roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site is followed after login (no open redirect).

    Browsers drop tabs and line breaks inside a URL and read a backslash as a slash, so `/\t/evil.example`
    and `/\\evil.example` are both `//evil.example`, another host. The target is checked as sent and after
    every round of percent-decoding: a single leading slash, then no control character, whitespace or
    backslash anywhere, no scheme and no host.
    """
    if not target or len(target) > 2000:
        return False
    seen = target
    for _ in range(4):
        if not _local_path(seen):
            return False
        decoded = unquote(seen)
        if decoded == seen:
            return True
        seen = decoded
    return False


def _local_path(target: str) -> bool:
    if not target.startswith("/") or target.startswith("//") or _UNSAFE_IN_NEXT.search(target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def init_app(app: Flask) -> LoginManager:
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = None
    manager.user_loader(load_user)
    manager.unauthorized_handler(unauthorized)
    return manager
