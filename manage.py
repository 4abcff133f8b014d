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

    if _uses_services(sys.argv) and ("DATABASE_URL" in os.environ or "REDIS_URL" in os.environ):
        import django

        from spinportal.health import exit_if_unreachable

        django.setup()
        exit_if_unreachable()  # one clear line, not the traceback of the first query
    execute_from_command_line(sys.argv)


# Commands that never talk to the database or Redis (check_services reports on its own).
OFFLINE_COMMANDS = {
    "check",
    "check_services",
    "collectstatic",
    "compile_translations",
    "compilemessages",
    "help",
    "makemessages",
    "makemigrations",
    "spectacular",
    "version",
}


def _uses_services(argv: list[str]) -> bool:
    command = argv[1] if len(argv) > 1 else "help"
    return command not in OFFLINE_COMMANDS and not command.startswith("-")


if __name__ == "__main__":
    main()
