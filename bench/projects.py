"""Project pages and the project API at 2,000 projects, each next to a same-run baseline:
interleaved, repeated, in one run.

    .venv/bin/python bench/projects.py --projects 200 --rounds 10      # SQLite, temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spinportal_bench_projects \\
        .venv/bin/python bench/projects.py                             # the issue's scale

A worker process with Django set up against DATABASE_URL (or a fresh SQLite file in the run's
own temporary folder), migrated and seeded with `seed_demo --organisations 300 --projects N`
(idempotent; `--no-seed` skips it). Every round times each case once, in a random order,
through Django's test Client with all middleware, in German: the project list (anonymous and
as a project lead), a search with a filter, DIANE's page (anonymous and as its lead) and
/healthz, the floor of the middleware the pages share; the API list (page_size=100) and
bench/baselines.py's values() view writing the same JSON, compared byte for byte in every
round. Prints p50/p95, each page ÷ /healthz and the API ÷ its baseline.
Every status is checked (one unexpected answer fails the run, with the counts); the API
throttles are off (API_THROTTLES=0) and the script checks that DRF sees them off.
A script that prints figures, not a test.
"""

import argparse
import os

import _common

LEAD = "anna.schmidt@demo.spin.example"
API = "/api/v1/projects/"
BASELINE = "/bench/values/projects/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--organisations", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--page-size", type=int, default=100, help="of the API list")
    parser.add_argument("--no-seed", action="store_true")
    arguments = parser.parse_args()

    folder = _common.configure("projects")
    _common.load_average("start")
    url = os.environ["DATABASE_URL"]
    _common.ensure_postgres_database(url)
    worker = _common.RequestWorker("projects", url, folder)
    try:
        run(arguments, worker)
    finally:
        worker.stop()
        _common.load_average("end")


def run(arguments, worker: _common.RequestWorker) -> None:
    if not arguments.no_seed:
        seconds = worker.call(
            "seed", organisations=arguments.organisations, projects=arguments.projects
        )["seconds"]
        print(f"migrated and seeded up to {arguments.projects} projects in {seconds:.0f} s")
    total = worker.call("count", model="projects.Project")
    print(f"database: {worker.call('describe')}, {total} projects")
    print(f"baseline encoder: {worker.call('encoder')}; API throttles off")
    worker.call("check_throttles", paths=[API])
    worker.call("login", client="lead", email=LEAD)

    def case(label, path, params=None, client="anonymous"):
        return _common.Case(label, worker, path, params, client)

    healthz = case("/healthz (baseline of the pages)", "/healthz")
    pages = [
        case("list page (anonymous)", "/projects/"),
        case("list page (lead)", "/projects/", client="lead"),
        case("list search + filter", "/projects/", {"q": "wasserstoff", "stage": "running"}),
        case("detail DIANE (anonymous)", "/projects/diane/"),
        case("detail DIANE (lead)", "/projects/diane/", client="lead"),
    ]
    params = {"page_size": arguments.page_size}
    api = case(f"API list page_size={arguments.page_size}", API, params)
    baseline = case("values() + encoder, same JSON", BASELINE, params)
    cases = [*pages, healthz, api, baseline]

    check = _common.StatusCheck()
    timings, digests = _common.measure(cases, arguments.rounds, check)
    _common.timing_table([(c.label, timings[c.label]) for c in cases], width=36)
    check.exit_if_any()
    _common.assert_same_answers(api, baseline, digests)
    print("\nratios, each page ÷ /healthz:")
    for page in pages:
        _common.ratio_line(page.label, timings[page.label], timings[healthz.label])
    print("ratio, API ÷ hand-written baseline:")
    _common.ratio_line(api.label, timings[api.label], timings[baseline.label], "≤ 1.3×")


if __name__ == "__main__":
    main()
