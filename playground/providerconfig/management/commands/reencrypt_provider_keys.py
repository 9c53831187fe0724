"""Re-encrypt every stored provider's key and headers with the first PLAYGROUND_ENCRYPTION_KEY.

Run it after putting a new key first (``PLAYGROUND_ENCRYPTION_KEY=<new>,<old>``); then
the old key can be dropped.
"""

from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from playground.providerconfig.crypto import KeyUnreadable, reencrypt
from playground.providerconfig.models import ProviderConfig
from playground.shell_language import ShellLanguageCommand


class Command(ShellLanguageCommand):
    help = gettext_noop(
        "Re-encrypt stored provider keys with the first key of PLAYGROUND_ENCRYPTION_KEY."
    )

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        done = 0
        for config in ProviderConfig.objects.select_for_update():
            try:
                if config.api_key_encrypted:
                    config.api_key_encrypted = reencrypt(config.api_key_encrypted)
                if config.extra_headers_encrypted:
                    config.extra_headers_encrypted = reencrypt(config.extra_headers_encrypted)
            except KeyUnreadable:
                raise CommandError(
                    _(
                        "The key of provider '%(name)s' cannot be decrypted with any key in "
                        "PLAYGROUND_ENCRYPTION_KEY; nothing was changed. Add the old key after "
                        "the new one, comma-separated."
                    )
                    % {"name": config.name}
                ) from None
            config.save(update_fields=["api_key_encrypted", "extra_headers_encrypted"])
            done += 1
        self.stdout.write(
            _("Re-encrypted %(count)s provider(s) with the first key.") % {"count": done}
        )
