from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from demo import data
from demo.seed import seed_cluster, seed_synthetic
from demo.seed_matchmaking import seed_synthetic_opportunities
from partners.directory_cache import directory_changed
from projects.caches import PROJECT_LISTS


class Command(BaseCommand):
    help = (
        "Loads the demo cluster (idempotent). With --organisations/--projects/--people it adds "
        "synthetic rows up to those numbers for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=0)
        parser.add_argument("--projects", type=int, default=0)
        parser.add_argument("--people", type=int, default=0)
        parser.add_argument("--opportunities", type=int, default=0)
        parser.add_argument(
            "--quiet-logins", action="store_true", help="do not print the demo logins"
        )

    def handle(self, *args, **options):
        totals = seed_cluster()
        created = seed_synthetic(
            organisations=options["organisations"],
            projects=options["projects"],
            people=options["people"],
        )
        # bulk inserts send no signals: the directory's cached searches and facets are retired
        # here; PostgreSQL merges the GIN indexes' pending lists and learns the new row counts
        # (what autovacuum would do a while later) before the rebuild's queries
        directory_changed()
        PROJECT_LISTS.changed()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        if options["opportunities"]:
            seed_synthetic_opportunities(options["opportunities"])
            self.stdout.write("Synthetic opportunities added; run `recompute_matches` next.")
        else:
            # The demo profiles' embeddings and matches (cached: only new texts embed).
            call_command("recompute_matches", stdout=self.stdout)
        self.stdout.write(
            f"Demo cluster ready: {totals['organisations']} organisations, "
            f"{totals['people']} people, {totals['projects']} projects "
            f"(synthetic added: {created['organisations']} organisations, "
            f"{created['projects']} projects, {created['people']} people)."
        )
        if not options["quiet_logins"]:
            self.stdout.write(
                f"Demo logins (password for all: {data.DEMO_PASSWORD}):\n"
                f"  staff (admin at /admin/): {data.STAFF_EMAIL}\n"
                f"  organisation admin:       anna.schmidt@demo.spin.example (FH Dortmund)\n"
                f"  member:                   jonas.becker@demo.spin.example (FH Dortmund)"
            )
            if settings.MFA_REQUIRED_FOR_PRIVILEGED:
                self.stdout.write(
                    "Staff and organisation admins must set up an authenticator app "
                    "(two-factor authentication) on their first login."
                )
