"""User roles."""

from enum import StrEnum


class Role(StrEnum):
    PARTICIPANT = "participant"
    PARTNER_REVIEWER = "partner_reviewer"
    AUDITOR = "auditor"
    ADMIN = "admin"


#: Roles that see every claim of the programme.
STAFF_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})
