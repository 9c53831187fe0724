"""Make sure a local account exists and print how to sign in (used by `make run`)."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class Command(BaseCommand):
    help = "Create the local admin account if missing and print a one-time sign-in link."

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
                f"Created the local account {username!r} with password: {password}\n"
                "(shown once; change it in the admin, or use the sign-in link below)."
            )
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = base_url.rstrip("/") + reverse("sign-in-link", args=[uid, token])
        self.stdout.write(f"Sign in as {username!r} with this one-time link:\n    {link}")
