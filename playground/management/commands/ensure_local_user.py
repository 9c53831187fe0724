"""Make sure a local account exists and print how to sign in (used by `make run`)."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.management.base import CommandParser
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from playground.shell_language import ShellLanguageCommand


class Command(ShellLanguageCommand):
    help = gettext_noop(
        "Create the local admin account if missing and print a one-time sign-in link."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: object, username: str, base_url: str, **options: object) -> None:
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = user_model.objects.create_superuser(username=username, password=password)
            self.stdout.write(
                _(
                    "Created the local account %(name)s with password: %(password)s\n"
                    "(shown once; change it in the admin, or use the sign-in link below)."
                )
                % {"name": repr(username), "password": password}
            )
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = base_url.rstrip("/") + reverse("sign-in-link", args=[uid, token])
        self.stdout.write(
            _("Sign in as %(name)s with this one-time link:") % {"name": repr(username)}
            + f"\n    {link}"
        )
