from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken, User
from accounts.selectors import api_token_name_taken
from accounts.services import api_token_create


class Command(BaseCommand):
    help = "Creates a personal API token for a user and prints it (for automation)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="e-mail address of the user")
        parser.add_argument("--name", required=True)
        parser.add_argument("--scope", choices=ApiToken.Scope.values, default="read")

    def handle(self, *args, **options):
        try:
            user = User.objects.get(email__iexact=options["user"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user with e-mail {options['user']}.") from exc
        if api_token_name_taken(user=user, name=options["name"].strip()):
            raise CommandError(
                f"{user.email} already has an active token named {options['name']!r}."
            )
        _token, key = api_token_create(user=user, name=options["name"], scope=options["scope"])
        self.stdout.write(key)
