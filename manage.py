#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A mistyped environment variable (settings.py names it and what is allowed): one
        # sentence, where a traceback would bury it (`make run` starts with migrate).
        sys.exit(f"Prompt Playground cannot start: {error}")


if __name__ == "__main__":
    main()
