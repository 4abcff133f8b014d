#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spinportal.settings")
    # The developer's entry point: with neither a secret key nor DJANGO_DEBUG in the
    # environment, use the development defaults. Servers (wsgi/asgi, gunicorn) never do this,
    # and DJANGO_DEBUG=0 without a key still refuses to start.
    if "DJANGO_SECRET_KEY" not in os.environ:
        os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
