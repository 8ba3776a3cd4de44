"""The KSeF verification links a QR code on an invoice's print carries (kody-qr.md).

KOD I: `https://qr.ksef.mf.gov.pl/invoice/{seller NIP}/{issue date DD-MM-RRRR}/{SHA-256 of the XML, base64url}`;
the test and demo hosts (`qr-test.`, `qr-demo.`) and the older client-app layout
(`https://ksef[-test|-demo].mf.gov.pl/client-app/invoice/...`) occur too. KOD II (labelled CERTYFIKAT, on
offline invoices) is `.../certificate/{context type}/{context id}/{seller NIP}/{certificate serial}/{hash}/
{signature}`: recognised and shown, never verified here.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

#: Hosts that serve KSeF verification pages (production, test, demo; the QR hosts and the client app's).
KSEF_HOSTS = frozenset({
    "qr.ksef.mf.gov.pl", "qr-test.ksef.mf.gov.pl", "qr-demo.ksef.mf.gov.pl",
    "ksef.mf.gov.pl", "ksef-test.mf.gov.pl", "ksef-demo.mf.gov.pl",
})
#: Where the reviewer's verification link points when paragon builds it from an XML.
PRODUCTION_BASE = "https://qr.ksef.mf.gov.pl/invoice"
_HASH = re.compile(r"[A-Za-z0-9_-]{43}")
_DATE = re.compile(r"(\d{2})-(\d{2})-(\d{4})")


@dataclass(frozen=True)
class InvoiceLink:
    """A KOD I link: the seller NIP, the issue date and the invoice file's hash, with the link itself."""

    nip: str
    issued_on: date
    hash: str
    url: str


@dataclass(frozen=True)
class CertificateLink:
    """A KOD II link: who issued the offline invoice and with which certificate (shown, not verified)."""

    nip: str
    serial: str
    hash: str
    url: str


def document_hash(data: bytes) -> str:
    """The identity of an invoice file as KSeF writes it: base64url(SHA-256 of the bytes), no padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def invoice_link(nip: str, issued_on: date, hash_: str, base: str = PRODUCTION_BASE) -> str:
    """The KOD I link of an invoice (what its QR code should say)."""
    return f"{base}/{nip}/{issued_on:%d-%m-%Y}/{hash_}"


def _path_parts(text: str) -> list[str] | None:
    """The path segments of a KSeF link (client-app prefix dropped), or None for any other text."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return None
    if parts.scheme != "https" or (parts.hostname or "") not in KSEF_HOSTS or parts.query or parts.fragment:
        return None
    segments = [s for s in parts.path.split("/") if s]
    return segments[1:] if segments[:1] == ["client-app"] else segments


def parse_invoice_link(text: str) -> InvoiceLink | None:
    """The KOD I a QR code's text is, or None (another code, another host, a malformed part)."""
    segments = _path_parts(text)
    if not segments or len(segments) != 4 or segments[0] != "invoice":
        return None
    nip, day, hash_ = segments[1:]
    match = _DATE.fullmatch(day)
    if not (re.fullmatch(r"\d{10}", nip) and match and _HASH.fullmatch(hash_)):
        return None
    try:
        issued = date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None
    return InvoiceLink(nip, issued, hash_, text.strip())


def parse_certificate_link(text: str) -> CertificateLink | None:
    """The KOD II a QR code's text is, or None."""
    segments = _path_parts(text)
    if not segments or len(segments) != 7 or segments[0] != "certificate":
        return None
    nip, serial, hash_ = segments[3], segments[4], segments[5]
    if not (re.fullmatch(r"\d{10}", nip) and re.fullmatch(r"[0-9A-Fa-f]{1,40}", serial) and _HASH.fullmatch(hash_)):
        return None
    return CertificateLink(nip, serial.upper(), hash_, text.strip())
