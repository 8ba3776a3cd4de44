"""Translations in the web app: Flask-Babel over the project's one set of gettext catalogues (`claims.i18n`).

`t(key, **values)` is a thin wrapper over the request's catalogue that fills `{name}` placeholders; the request's
language comes from `?lang`, kept in the session, then the user's own language, then the setting.
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, get_translations
from flask_login import current_user

from claims.i18n import (
    DEFAULT_LOCALE,
    LOCALES,
    catalogue,
    compile_catalogues,
    has_key,
    lookup,
    normalise_locale,
    translate,
    translations_dir,
)

__all__ = ["LOCALES", "catalogue", "compile_catalogues", "has_key", "normalise_locale", "translate", "t", "tn"]


def t(key: str, **values: object) -> str:
    """The string for `key` in the current request's language (Flask-Babel's catalogue)."""
    if not has_request_context():
        return translate(key, DEFAULT_LOCALE, **values)
    text = lookup(key, get_translations())
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
