"""SQL queries per page for a logged-in member: a figure, not a test.

    .venv/bin/python bench/queries.py                         # SQLite in a temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spinportal_bench_queries \\
        .venv/bin/python bench/queries.py --organisations 10000 -v

Migrates and seeds (`seed_demo --organisations N`, idempotent; `--no-seed` skips it), logs a
plain member (Jonas Becker, FH Dortmund) and a project lead (Anna Schmidt, DIANE) in through
the log-in form, then counts with django.test.utils.CaptureQueriesContext the queries of each
page: the first request of the session and the same request again (what every later request
costs). Every answer must be 200; a redirect to the log-in page or any other status fails the
run. With -v it prints the SQL of the repeated request.
"""

import argparse

import _common

MEMBER = "jonas.becker@demo.spin.example"
LEAD = "anna.schmidt@demo.spin.example"
# label, who, path, query, goal (the issue's: lists ≤ 8, details ≤ 10)
PAGES = [
    ("directory", "member", "/organisations/", None, 8),
    ("directory search 'Wasserstoff'", "member", "/organisations/", {"q": "Wasserstoff"}, 8),
    ("project list", "member", "/projects/", None, 8),
    ("organisation detail (FH Dortmund)", "member", "/organisations/fh-dortmund/", None, 10),
    ("organisation detail (Siemens)", "member", "/organisations/siemens/", None, 10),
    ("project detail (DIANE)", "member", "/projects/diane/", None, 10),
    ("project detail (DIANE) as its lead", "lead", "/projects/diane/", None, 10),
    ("opportunity list", "member", "/opportunities/", None, 8),
    ("matches for you", "member", "/opportunities/for-you/", None, 8),
]


def log_in(email: str):
    """A test Client logged in through the portal's log-in form (allauth), as a person is."""
    import re

    from django.test import Client

    from demo.data import DEMO_PASSWORD

    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    form = client.get("/account/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.content)
    response = client.post(
        "/account/login/",
        {"login": email, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token.group(1)},
    )
    if response.status_code != 302 or "/account/" in response.get("Location", ""):
        raise SystemExit(
            f"FAILED: the log-in of {email} answered {response.status_code} "
            f"{response.get('Location', '')}"
        )
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument("--projects", type=int, default=0)
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the SQL")
    arguments = parser.parse_args()

    _common.configure("queries")
    _common.load_average("start")
    import os

    _common.ensure_postgres_database(os.environ["DATABASE_URL"])
    _common.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partners.models import Organisation
    from projects.models import Project

    if not arguments.no_seed:
        call_command("migrate", verbosity=0)
        with open(os.devnull, "w") as quiet:
            call_command(
                "seed_demo",
                organisations=arguments.organisations,
                projects=arguments.projects,
                quiet_logins=True,
                stdout=quiet,
            )
        _common.analyze()
    print(
        f"database: {_common.describe_database()}, "
        f"{Organisation.objects.filter(status='active').count()} active organisations, "
        f"{Project.objects.count()} projects"
    )
    clients = {"member": log_in(MEMBER), "lead": log_in(LEAD)}
    check = _common.StatusCheck()
    print(f"\n  {'page':38} {'who':7} {'first':>6} {'again':>6} {'goal':>5}")
    over = 0
    for label, who, path, query, goal in PAGES:
        counts = []
        for _attempt in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = clients[who].get(path, query or {})
            check.check(label, response.status_code, (200,), response.get("Location", ""))
            counts.append(len(captured.captured_queries))
        over += counts[1] > goal
        mark = "" if counts[1] <= goal else "  over"
        print(f"  {label:38} {who:7} {counts[0]:6d} {counts[1]:6d} {'≤ ' + str(goal):>5}{mark}")
        if arguments.verbose:
            for query in captured.captured_queries:
                print(f"      {' '.join(query['sql'].split())[:160]}")
    print(f"\n{over} of {len(PAGES)} pages over the issue's goal (the repeated request counts)")
    check.exit_if_any()
    _common.load_average("end")


if __name__ == "__main__":
    main()
