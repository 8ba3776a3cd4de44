"""Translations with Flask-Babel: Polish first, English one click away.

The catalogues are `review_ui/translations/<locale>/LC_MESSAGES/messages.po` (kept in the repository); message
ids are stable keys such as `status.approved`, and `t(key, **values)` is a thin wrapper over the request's
gettext catalogue that fills `{name}` placeholders. The .po files are compiled to .mo when the app starts, into
a temporary folder named after their contents, so a fresh clone or a read-only install needs no build step.
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
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, get_translations
from flask_login import current_user

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


# ---- catalogues --------------------------------------------------------------------------------------


def _po_files(source: Path) -> list[Path]:
    return sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compile_catalogues(source: Path = SOURCE_DIR, target_root: Path | None = None) -> Path:
    """Compile every .po under `source` into .mo files; returns the folder Flask-Babel should read.

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
    return compile_catalogues()


@lru_cache(maxsize=len(LOCALES))
def catalogue(locale: str) -> NullTranslations:
    """The compiled catalogue of `locale`, loaded once (used outside requests and for explicit locales)."""
    return Translations.load(str(translations_dir()), [locale], DOMAIN)


def has_key(key: str) -> bool:
    """Whether the Polish catalogue (the complete one) has `key`."""
    return key in getattr(catalogue(DEFAULT_LOCALE), "_catalog", {})


def _lookup(key: str, translations: NullTranslations) -> str:
    text = translations.gettext(key)
    if text == key:  # untranslated: fall back to Polish, then to the key itself
        text = catalogue(DEFAULT_LOCALE).gettext(key)
    return text


def translate(key: str, locale: str, **values: object) -> str:
    """The string for `key` in `locale`, formatted with `values`."""
    text = _lookup(key, catalogue(normalise_locale(locale) or DEFAULT_LOCALE))
    return text.format(**values) if values else text


def t(key: str, **values: object) -> str:
    """The string for `key` in the current request's language (Flask-Babel's catalogue)."""
    if not has_request_context():
        return translate(key, DEFAULT_LOCALE, **values)
    text = _lookup(key, get_translations())
    return text.format(**values) if values else text


def tn(key: str, count: int, **values: object) -> str:
    """A plural form of `key` for `count` (Polish has three: 1 zgłoszenie, 2 zgłoszenia, 5 zgłoszeń)."""
    translations = get_translations() if has_request_context() else catalogue(DEFAULT_LOCALE)
    text = translations.ngettext(key, f"{key}.plural", count)
    return text.format(n=count, **values)


# ---- the request's language --------------------------------------------------------------------------


def current_locale() -> str:
    """The language of this request: ?lang kept in the session, then the user's locale, then the setting."""
    if "locale" in g:
        return g.locale
    locale = normalise_locale(session.get("lang"))
    if locale is None and current_user and current_user.is_authenticated:
        locale = normalise_locale(current_user.locale)
    if locale is None:
        runtime = current_app.extensions.get("paragon")
        locale = normalise_locale(getattr(getattr(runtime, "settings", None), "locale", None))
    g.locale = locale or DEFAULT_LOCALE
    return g.locale


def remember_requested_locale() -> None:
    """before_request hook: `?lang=en` (or pl) is kept in the session, and as the user's language when logged in
    (e-mails then come in it too)."""
    requested = normalise_locale(request.args.get("lang"))
    if not requested:
        return
    session["lang"] = requested
    g.pop("locale", None)
    if current_user and current_user.is_authenticated and current_user.locale != requested:
        from review_ui.db import write

        model_id = current_user.model.id

        def save(db_session) -> None:
            from claims.db.models import User

            user = db_session.get(User, model_id)
            if user is not None:
                user.locale = requested

        write(save)


def language_url(locale: str) -> str:
    """This page's URL with `lang` set to `locale`, other query arguments kept."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [locale]
    query = "&".join(f"{_quote(k)}={_quote(v)}" for k, values in args.items() for v in values)
    return f"{request.path}?{query}"


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def init_app(app: Flask) -> Babel:
    """Flask-Babel with Polish as the default, the compiled catalogues and our locale selector."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Warsaw")
    babel = Babel(
        app,
        locale_selector=current_locale,
        default_locale=DEFAULT_LOCALE,
        default_translation_directories=str(translations_dir()),
        default_timezone="Europe/Warsaw",
    )
    app.before_request(remember_requested_locale)
    app.jinja_env.globals.update(t=t, tn=tn, locale=current_locale, language_url=language_url)
    return babel
