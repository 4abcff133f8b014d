"""Project pages and API at 2,000 projects: p50/p95 per request.

    .venv/bin/python bench/projects.py                 # a fresh SQLite file in /tmp
    DATABASE_URL=postgres://… .venv/bin/python bench/projects.py

Seeds with `seed_demo --projects 2000 --quiet-logins` (idempotent), then times, through Django's
test Client with all middleware: the project list, a filtered list, a project's detail page, the
API list (`page_size=100`) and a hand-written `values()` view of the same 100 rows, in the same
run. A script that prints figures, not a test.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spinportal.settings_test")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.gettempdir()}/spin-bench-projects.sqlite3"

import logging  # noqa: E402

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402

from accounts.models import User  # noqa: E402
from projects.models import Participation, Project  # noqa: E402

PROJECTS = int(os.environ.get("BENCH_PROJECTS", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))


def values_view(request):
    """The API list's first 100 rows, written by hand with values(): the lower bound."""
    rows = Project.objects.filter(visibility=Project.Visibility.PUBLIC).order_by("acronym", "id")
    page = list(
        rows.values(
            "id",
            "public_id",
            "acronym",
            "slug",
            "title_de",
            "title_en",
            "summary_de",
            "stage",
            "start_date",
            "end_date",
            "funding_programme",
            "visibility",
            "website",
            "is_demo",
            "updated_at",
        )[:100]
    )
    ids = [row["id"] for row in page]
    competences: dict[int, list[str]] = {}
    for project_id, slug in Project.competences.through.objects.filter(
        project_id__in=ids
    ).values_list("project_id", "competence__slug"):
        competences.setdefault(project_id, []).append(slug)
    consortium: dict[int, list[dict]] = {}
    for row in (
        Participation.objects.filter(project_id__in=ids, left_on__isnull=True)
        .order_by("role", "organisation__name")
        .values("project_id", "organisation__slug", "organisation__name", "role")
    ):
        consortium.setdefault(row["project_id"], []).append(
            {
                "organisation": row["organisation__slug"],
                "organisation_name": row["organisation__name"],
                "role": row["role"],
            }
        )
    for row in page:
        row["competences"] = competences.get(row["id"], [])
        row["consortium"] = consortium.get(row["id"], [])
    return JsonResponse({"count": rows.count(), "results": page})


urlpatterns = [
    path("bench/values/", values_view),
    path("", include("spinportal.urls")),
]


def measure(client: Client, url: str, params: dict | None = None) -> list[float]:
    response = client.get(url, params or {})  # warm-up, and a check
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        client.get(url, params or {})
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    logging.getLogger("spinportal.request").setLevel(logging.WARNING)  # one line per request
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command(
            "seed_demo", organisations=300, projects=PROJECTS, quiet_logins=True, stdout=quiet
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics after the bulk seed
    total = Project.objects.count()
    print(f"database: {connection.vendor}, projects: {total}, rounds: {ROUNDS}")
    overrides = {
        "ROOT_URLCONF": sys.modules[__name__],
        "REST_FRAMEWORK": {
            **django.conf.settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_CLASSES": [],
        },
        "LANGUAGE_CODE": "de",
        "ALLOWED_HOSTS": ["testserver"],
    }
    with override_settings(**overrides):
        anonymous = Client()
        lead = Client()
        lead.force_login(User.objects.get(email="anna.schmidt@demo.spin.example"))
        cases = [
            ("list page (anonymous)", anonymous, "/projects/", None),
            ("list page (partner)", lead, "/projects/", None),
            (
                "list search + filter",
                anonymous,
                "/projects/",
                {"q": "wasserstoff", "stage": "running"},
            ),
            ("detail DIANE (anonymous)", anonymous, "/projects/diane/", None),
            ("detail DIANE (lead)", lead, "/projects/diane/", None),
            ("API list page_size=100", anonymous, "/api/v1/projects/", {"page_size": 100}),
            ("values() view, same rows", anonymous, "/bench/values/", None),
        ]
        results = {}
        print(f"{'request':30} {'p50 ms':>8} {'p95 ms':>8}")
        for label, client, url, params in cases:
            timings = measure(client, url, params)
            results[label] = timings
            print(f"{label:30} {statistics.median(timings):8.1f} {percentile(timings, 0.95):8.1f}")
        api = statistics.median(results["API list page_size=100"])
        raw = statistics.median(results["values() view, same rows"])
        print(f"API / values() ratio (p50): {api / raw:.1f}×")


if __name__ == "__main__":
    main()
