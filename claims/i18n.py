"""The one way to translate: gettext catalogues read with Babel, for every text a person reads.

The catalogues are `claims/translations/<locale>/LC_MESSAGES/messages.po` (kept in the repository); message ids
are stable keys such as `status.approved` or `reason.unknown_seller`, and `{name}` placeholders are filled with
`str.format`. The web app reads the same catalogues through Flask-Babel (`review_ui.i18n`); workers, e-mails and
the command line use `translate` here. Stored records (a claim's reasons, audit events) keep codes and evidence
only, never rendered text, so a message is always in the reader's language and never drifts from the catalogue.

The .po files are compiled to .mo on first use, into a temporary folder named after their contents, so a fresh
clone or a read-only install needs no build step.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("pl", "en")
DEFAULT_LOCALE = "pl"
DOMAIN = "messages"
SOURCE_DIR = Path(__file__).resolve().parent / "translations"


def normalise_locale(value: str | None) -> str | None:
    """'en', 'en-GB', 'EN' -> 'en'; anything unknown -> None."""
    if not value:
        return None
    short = value.strip().lower()[:2]
    return short if short in LOCALES else None


def _po_files(source: Path) -> list[Path]:
    return sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compile_catalogues(source: Path = SOURCE_DIR, target_root: Path | None = None) -> Path:
    """Compile every .po under `source` into .mo files; returns the folder the catalogues are read from.

    The folder name carries a hash of the .po contents, so an edited catalogue is compiled again and two
    processes starting together write the same bytes (each file is replaced atomically).
    """
    files = _po_files(source)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:16]
    target = (target_root or Path(tempfile.gettempdir())) / f"paragon-translations-{digest}"
    for po in files:
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists():
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parts[-3])
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        partial = mo.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(buffer.getvalue())
        os.replace(partial, mo)
    return target


@lru_cache(maxsize=1)
def translations_dir() -> Path:
    """The compiled catalogues (compiled once per process)."""
    return compile_catalogues()


@lru_cache(maxsize=len(LOCALES))
def catalogue(locale: str) -> NullTranslations:
    """The compiled catalogue of `locale`, loaded once."""
    return Translations.load(str(translations_dir()), [locale], DOMAIN)


def has_key(key: str, locale: str = DEFAULT_LOCALE) -> bool:
    """Whether the catalogue of `locale` (Polish, the complete one, by default) has `key`."""
    return key in getattr(catalogue(locale), "_catalog", {})


def lookup(key: str, translations: NullTranslations) -> str:
    """`key` in `translations`; untranslated keys fall back to Polish, then to the key itself."""
    text = translations.gettext(key)
    if text == key:
        text = catalogue(DEFAULT_LOCALE).gettext(key)
    return text


def translate(key: str, locale: str | None = DEFAULT_LOCALE, **values: object) -> str:
    """The text for `key` in `locale` (Polish when unknown), formatted with `values`."""
    text = lookup(key, catalogue(normalise_locale(locale) or DEFAULT_LOCALE))
    return text.format(**values) if values else text


def translate_plural(key: str, count: int, locale: str | None = DEFAULT_LOCALE, **values: object) -> str:
    """A plural form of `key` for `count` (Polish has three: 1 zgłoszenie, 2 zgłoszenia, 5 zgłoszeń)."""
    translations = catalogue(normalise_locale(locale) or DEFAULT_LOCALE)
    return translations.ngettext(key, f"{key}.plural", count).format(n=count, **values)
