from pathlib import Path

import pytest

from claims.errors import ConfigurationError
from claims.security import hash_password, new_api_token, token_digest, verify_password
from claims.settings import Settings
from vocabulary.nip import nip_is_valid, normalise_nip


def test_embedded_defaults_point_into_the_data_folder(tmp_path: Path):
    settings = Settings.from_env({"PARAGON_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'paragon.db'}"
    assert settings.blob_url == (tmp_path / "blobs").as_uri()
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.locale == "pl"


def test_embedded_secret_key_is_generated_once_and_kept(tmp_path: Path):
    first = Settings.from_env({"PARAGON_DATA_DIR": str(tmp_path)}).secret_key
    second = Settings.from_env({"PARAGON_DATA_DIR": str(tmp_path)}).secret_key
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_environment_overrides_defaults(tmp_path: Path):
    settings = Settings.from_env({"PARAGON_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://x/y",
                                  "SECRET_KEY": "k", "MAX_UPLOAD_MB": "5", "PARAGON_LOCALE": "en"})
    assert settings.database_url == "postgresql://x/y"
    assert settings.max_upload_bytes == 5 * 1024 * 1024
    assert settings.locale == "en"


@pytest.mark.parametrize(("env", "secure"), [
    ({}, False),  # the embedded demo on http://127.0.0.1
    ({"PUBLIC_URL": "http://paragon.internal"}, False),
    ({"PUBLIC_URL": "https://paragon.example.pl"}, True),  # deployed behind TLS: Secure without being asked
    ({"PUBLIC_URL": "https://paragon.example.pl", "SESSION_COOKIE_SECURE": "0"}, False),  # an explicit choice wins
    ({"SESSION_COOKIE_SECURE": "1"}, True),
])
def test_session_cookies_are_secure_whenever_the_public_address_is_https(tmp_path: Path, env, secure):
    settings = Settings.from_env({"PARAGON_DATA_DIR": str(tmp_path), "SECRET_KEY": "k", **env})
    assert settings.session_cookie_secure is secure


def test_upload_limit_defaults_to_sixty_an_hour_and_zero_switches_it_off(tmp_path: Path):
    base = {"PARAGON_DATA_DIR": str(tmp_path), "SECRET_KEY": "k"}
    assert Settings.from_env(base).uploads_per_hour == 60
    assert Settings.from_env({**base, "UPLOADS_PER_HOUR": "0"}).uploads_per_hour == 0


def test_malformed_number_setting_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ConfigurationError, match="MAX_UPLOAD_MB"):
        Settings.from_env({"PARAGON_DATA_DIR": str(tmp_path), "SECRET_KEY": "k", "MAX_UPLOAD_MB": "lots"})


def test_password_hash_verifies_only_the_right_password():
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    assert verify_password("correct horse", stored)
    assert not verify_password("wrong horse", stored)
    assert not verify_password("correct horse", "garbage")


def test_passwords_are_hashed_at_the_production_cost_outside_the_tests(monkeypatch):
    """The suite hashes at a lower cost (tests/conftest.py); production's n=2**14, r=8 is what is stored."""
    import claims.security

    monkeypatch.setattr(claims.security, "_N", _production_cost())
    scheme, n, r, p, _salt, _digest = hash_password("correct horse").split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")


def _production_cost() -> int:
    """The module's own value, read from a fresh import (the suite has lowered the loaded one)."""
    import importlib.util

    import claims.security

    spec = importlib.util.spec_from_file_location("security_as_shipped", claims.security.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._N


def test_api_tokens_are_random_and_stored_as_digest():
    a, b = new_api_token(), new_api_token()
    assert a != b and a.startswith("pgn_")
    assert len(token_digest(a)) == 64 and token_digest(a) != token_digest(b)


@pytest.mark.parametrize("nip", ["5260250274", "526-025-02-74", "PL 526 025 02 74", "7251801126"])
def test_valid_nips_pass_the_check_digit(nip):
    assert nip_is_valid(nip)


@pytest.mark.parametrize("nip", ["5260250275", "123", "abcdefghij", "0000000000x", ""])
def test_invalid_nips_fail(nip):
    assert not nip_is_valid(nip)


def test_normalise_nip_strips_prefix_and_separators():
    assert normalise_nip(" pl526-025-02-74 ") == "5260250274"
