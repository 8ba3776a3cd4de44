"""Exceptions raised by the claims core; entry points map them to HTTP answers or CLI messages."""

from __future__ import annotations


class ClaimsError(Exception):
    """Base of every error the claims core raises on purpose."""

    code = "claims_error"

    def __init__(self, message: str, *, code: str | None = None, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details  # values an entry point may put into its own translated message
        if code is not None:
            self.code = code


class IllegalTransitionError(ClaimsError):
    """A claim was asked to move to a state its lifecycle does not allow from where it is."""

    code = "illegal_transition"


class NotFoundError(ClaimsError):
    """The object does not exist, or the caller may not know that it exists."""

    code = "not_found"


class PermissionDeniedError(ClaimsError):
    """The caller is known but may not do this."""

    code = "forbidden"


class AuthenticationError(ClaimsError):
    """The caller could not be identified (bad password, unknown or revoked token)."""

    code = "unauthenticated"


class InvalidInputError(ClaimsError):
    """The request is well-formed but its content breaks a rule; `code` says which."""

    code = "invalid_input"


class ConflictError(ClaimsError):
    """The request clashes with the current state (already decided, key reused with another body)."""

    code = "conflict"


class ConfigurationError(ClaimsError):
    """A setting is missing or malformed."""

    code = "bad_configuration"
