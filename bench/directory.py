"""Directory and organisation API at 10,000 organisations: p50/p95 per request.

    .venv/bin/python bench/directory.py                 # a fresh SQLite file in /tmp
    DATABASE_URL=postgres://… .venv/bin/python bench/directory.py

Seeds with `seed_demo --organisations 10000 --quiet-logins` (idempotent; `BENCH_SEED=0` skips
migrating and seeding), then times, through Django's test Client with all middleware: the
directory page, directory searches, the API list (`page_size=100`) and a hand-written `values()`
view of the same 100 rows, in the same run. For the directory requests it also prints the median
time of each SQL query. A script that prints figures, not a test.
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
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import include, path  # noqa: E402

from partners.models import Organisation  # noqa: E402

ORGANISATIONS = int(os.environ.get("BENCH_ORGANISATIONS", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))
SEED = os.environ.get("BENCH_SEED", "1") != "0"


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


def query_breakdown(client: Client, url: str, params: dict | None = None) -> list[str]:
    """The median time of each SQL query the request makes, in the order it makes them."""
    rounds: list[list[float]] = []
    labels: list[str] = []
    for _ in range(max(5, ROUNDS // 4)):
        with CaptureQueriesContext(connection) as captured:
            client.get(url, params or {})
        labels = [query_label(query["sql"]) for query in captured.captured_queries]
        rounds.append([float(query["time"]) * 1000 for query in captured.captured_queries])
    return [
        f"    {label:44} {statistics.median(row[index] for row in rounds):8.1f}"
        for index, label in enumerate(labels)
    ]


def query_label(sql: str) -> str:
    if "_prefetch_related_val_" in sql:
        return "prefetch " + (
            "sectors" if "partners_organisation_sectors" in sql else "competences"
        )
    selected = sql.split(" FROM ")[0]
    for word in ("kind", "city", "sector", "competence"):
        if f'"{word}" AS' in selected or f'partners_{word}"."id"' in selected:
            return f"facet {word}"
    if selected.startswith("SELECT COUNT(*)"):
        return "count"
    if selected == 'SELECT "partners_organisation"."id" AS "pk"':
        return "search matches"
    return "page" if '"public_id"' in selected else selected[:44]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    logging.getLogger("spinportal.request").setLevel(logging.WARNING)  # one line per request
    if SEED:
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
            ("directory search, typo + 2nd word", "/organisations/", {"q": "Wassertsoff PEM"}),
            ("API list page_size=100", "/api/v1/organisations/", {"page_size": 100}),
            ("values() view, same rows", "/bench/values/", None),
        ]
        results = {}
        print(f"{'request':36} {'p50 ms':>8} {'p95 ms':>8}")
        for label, url, params in cases:
            timings = measure(client, url, params)
            results[label] = timings
            print(f"{label:36} {statistics.median(timings):8.1f} {percentile(timings, 0.95):8.1f}")
            if url == "/organisations/":
                print("\n".join(query_breakdown(client, url, params)))
        api = statistics.median(results["API list page_size=100"])
        raw = statistics.median(results["values() view, same rows"])
        print(f"API / values() ratio (p50): {api / raw:.1f}×")


if __name__ == "__main__":
    main()
