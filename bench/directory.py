"""Directory and organisation API at 10,000 organisations: p50/p95 per request.

    .venv/bin/python bench/directory.py                 # a fresh SQLite file in /tmp
    DATABASE_URL=postgres://… .venv/bin/python bench/directory.py

Seeds with `seed_demo --organisations 10000 --quiet-logins` (idempotent), then times, through
Django's test Client with all middleware: the directory page, a directory search, the API list
(`page_size=100`) and a hand-written `values()` view of the same 100 rows, in the same run.
A script that prints figures, not a test.
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
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.gettempdir()}/spin-bench-directory.sqlite3"

import logging  # noqa: E402

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402

from partners.models import Organisation  # noqa: E402

ORGANISATIONS = int(os.environ.get("BENCH_ORGANISATIONS", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))


def values_view(request):
    """The API list's first 100 rows, written by hand with values(): the lower bound."""
    rows = Organisation.objects.filter(status=Organisation.Status.ACTIVE).order_by("name", "id")
    page = list(
        rows.values(
            "id",
            "public_id",
            "slug",
            "name",
            "short_name",
            "kind",
            "status",
            "city",
            "country",
            "website",
            "logo_thumbnail",
            "updated_at",
        )[:100]
    )
    ids = [row["id"] for row in page]
    sectors: dict[int, list[str]] = {}
    for organisation_id, slug in Organisation.sectors.through.objects.filter(
        organisation_id__in=ids
    ).values_list("organisation_id", "sector__slug"):
        sectors.setdefault(organisation_id, []).append(slug)
    competences: dict[int, list[str]] = {}
    for organisation_id, slug in Organisation.competences.through.objects.filter(
        organisation_id__in=ids
    ).values_list("organisation_id", "competence__slug"):
        competences.setdefault(organisation_id, []).append(slug)
    for row in page:
        row["sectors"] = sectors.get(row["id"], [])
        row["competences"] = competences.get(row["id"], [])
        del row["id"]
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
        call_command("seed_demo", organisations=ORGANISATIONS, quiet_logins=True, stdout=quiet)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics after the bulk seed
    total = Organisation.objects.filter(status=Organisation.Status.ACTIVE).count()
    print(f"database: {connection.vendor}, active organisations: {total}, rounds: {ROUNDS}")
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
        client = Client()
        cases = [
            ("directory page", "/organisations/", None),
            ("directory search 'wasserstoff'", "/organisations/", {"q": "wasserstoff"}),
            ("directory search + filter", "/organisations/", {"q": "speicher", "city": "Essen"}),
            ("API list page_size=100", "/api/v1/organisations/", {"page_size": 100}),
            ("values() view, same rows", "/bench/values/", None),
        ]
        results = {}
        print(f"{'request':36} {'p50 ms':>8} {'p95 ms':>8}")
        for label, url, params in cases:
            timings = measure(client, url, params)
            results[label] = timings
            print(f"{label:36} {statistics.median(timings):8.1f} {percentile(timings, 0.95):8.1f}")
        api = statistics.median(results["API list page_size=100"])
        raw = statistics.median(results["values() view, same rows"])
        print(f"API / values() ratio (p50): {api / raw:.1f}×")


if __name__ == "__main__":
    main()
