"""Stored providers keep their key and headers encrypted, and show only the last four."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from playground.providerconfig.crypto import KeyUnreadable
from playground.providerconfig.lookup import get_provider
from playground.providerconfig.models import ProviderConfig
from playground.providers import UpstreamError
from tests.providerconfig.factories import DB_API_KEY, DB_HEADER_SECRET, make_provider_config

pytestmark = pytest.mark.django_db


def raw_row(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM providerconfig_providerconfig WHERE id = %s", [pk])
        return repr(cursor.fetchone())


def test_the_key_and_headers_are_encrypted_at_rest(fake_upstream):
    config = make_provider_config(
        fake_upstream.base_url, extra_headers={"X-Gateway-Token": DB_HEADER_SECRET}
    )
    row = raw_row(config.pk)
    assert DB_API_KEY not in row
    assert DB_HEADER_SECRET not in row
    stored = ProviderConfig.objects.get(pk=config.pk)
    assert stored.api_key() == DB_API_KEY
    assert stored.extra_headers() == {"X-Gateway-Token": DB_HEADER_SECRET}
    assert stored.api_key_hint == "…7777"
    assert stored.extra_header_names == "X-Gateway-Token"
    assert DB_API_KEY not in repr(stored) and DB_API_KEY not in str(stored)


def test_a_short_key_shows_no_characters(fake_upstream):
    config = make_provider_config(fake_upstream.base_url, api_key="abcd")
    assert config.api_key_last4 == ""
    assert config.api_key_hint == "set (too short to show)"


def test_keys_rotate_the_first_encrypts_and_any_decrypts(settings, fake_upstream):
    config = make_provider_config(fake_upstream.base_url)
    old_key = settings.PLAYGROUND_ENCRYPTION_KEY
    settings.PLAYGROUND_ENCRYPTION_KEY = f"{Fernet.generate_key().decode()},{old_key}"
    assert ProviderConfig.objects.get(pk=config.pk).api_key() == DB_API_KEY


def test_a_changed_encryption_key_is_told_plainly(settings, fake_upstream):
    config = make_provider_config(fake_upstream.base_url)
    settings.PLAYGROUND_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(KeyUnreadable):
        ProviderConfig.objects.get(pk=config.pk).api_key()
    with pytest.raises(UpstreamError) as caught:
        get_provider("gateway")
    assert "cannot be decrypted: PLAYGROUND_ENCRYPTION_KEY changed" in caught.value.message


def test_reencrypting_after_a_rotation_lets_the_old_key_go(settings, fake_upstream):
    from io import StringIO

    from django.core.management import call_command

    config = make_provider_config(
        fake_upstream.base_url, extra_headers={"X-Gateway-Token": DB_HEADER_SECRET}
    )
    old_key, new_key = settings.PLAYGROUND_ENCRYPTION_KEY, Fernet.generate_key().decode()
    settings.PLAYGROUND_ENCRYPTION_KEY = f"{new_key},{old_key}"
    out = StringIO()
    call_command("reencrypt_provider_keys", stdout=out)
    assert "Re-encrypted 1 provider(s)" in out.getvalue()
    settings.PLAYGROUND_ENCRYPTION_KEY = new_key
    stored = ProviderConfig.objects.get(pk=config.pk)
    assert stored.api_key() == DB_API_KEY
    assert stored.extra_headers() == {"X-Gateway-Token": DB_HEADER_SECRET}


def test_reencrypting_without_the_old_key_changes_nothing(settings, fake_upstream):
    from django.core.management import CommandError, call_command

    config = make_provider_config(fake_upstream.base_url)
    before = ProviderConfig.objects.get(pk=config.pk).api_key_encrypted
    settings.PLAYGROUND_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(CommandError, match="cannot be decrypted with any key"):
        call_command("reencrypt_provider_keys")
    assert ProviderConfig.objects.get(pk=config.pk).api_key_encrypted == before
