"""The profile a participant keeps themselves: name, company, NIP, delivery address, phone and region."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.models import User
from claims.errors import InvalidInputError
from claims.services.accounts import participant_of
from vocabulary.nip import nip_is_valid, normalise_nip
from vocabulary.regions import REGIONS

#: What a phone number may be written with: digits, a leading +, spaces, dashes and brackets.
PHONE = re.compile(r"\+?[0-9 ()\-]{9,24}")


@dataclass(frozen=True)
class Profile:
    """A participant's profile as the form shows and sends it."""

    name: str
    company_name: str
    company_nip: str
    delivery_address: str = ""
    phone: str = ""
    region: str = ""  # one of vocabulary.regions.REGIONS, or none (contests limited to a region)


def profile_of(session: Session, user: User) -> Profile:
    """The participant's profile as stored."""
    participant = participant_of(session, user)
    return Profile(user.name, participant.company_name, participant.company_nip or "",
                   participant.delivery_address or "", participant.phone or "", participant.region or "")


def update_profile(session: Session, user: User, form: Profile) -> Profile:
    """Check and store the profile; the audit log records which parts changed (not their values).

    Raises:
        InvalidInputError: `name_required`, `company_required`, `nip_required`, `invalid_nip`, `invalid_phone`,
            `invalid_region`.
    """
    wanted = _checked(form)
    participant = participant_of(session, user)
    before = profile_of(session, user)
    user.name = wanted.name
    participant.company_name, participant.company_nip = wanted.company_name, wanted.company_nip
    participant.delivery_address, participant.phone = wanted.delivery_address, wanted.phone
    participant.region = wanted.region
    changed = [name for name in Profile.__dataclass_fields__ if getattr(before, name) != getattr(wanted, name)]
    if changed:
        record_event(session, "profile_changed", actor_user_id=user.id, after={"fields": changed})
    return wanted


def _checked(form: Profile) -> Profile:
    name, company = form.name.strip()[:200], form.company_name.strip()[:300]
    if not name:
        raise InvalidInputError("say your name", code="name_required")
    if not company:
        raise InvalidInputError("say your company's name", code="company_required")
    if not form.company_nip.strip():
        raise InvalidInputError("the company NIP is required", code="nip_required")
    if not nip_is_valid(form.company_nip):
        raise InvalidInputError("company NIP is not valid", code="invalid_nip")
    phone = " ".join(form.phone.split())[:32]
    if phone and not PHONE.fullmatch(phone):
        raise InvalidInputError("the phone number is not valid", code="invalid_phone")
    address = "\n".join(line.strip() for line in form.delivery_address.strip().splitlines() if line.strip())
    region = form.region.strip()
    if region and region not in REGIONS:
        raise InvalidInputError("choose a region from the list", code="invalid_region")
    return Profile(name, company, normalise_nip(form.company_nip), address[:500], phone, region)
