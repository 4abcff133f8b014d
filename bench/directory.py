"""The directory at 10,000 ÷ 100 organisations, and the organisation API ÷ a hand-written
values() + orjson view writing the same JSON: interleaved, repeated, in one run.

    .venv/bin/python bench/directory.py --organisations 1000 --rounds 10   # SQLite, temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spinportal_bench_dir \\
        .venv/bin/python bench/directory.py                                # the issue's scale

Two worker processes, one per database, take turns: the large database (DATABASE_URL, or a
fresh SQLite file in the run's own temporary folder) with --organisations synthetic
organisations, and a small one beside it (the same server, its name + "_small") with --small.
Both are migrated and seeded with `seed_demo` (idempotent: an existing database keeps its
rows; `--no-seed` skips it). Every round times each case once, in a random order, through
Django's test Client with all middleware, anonymously, in German:

- the directory page, a search ("Wasserstoff"), a typo search ("Frauenhofer"), a search with
  a filter and a typo with a second word, each in both databases: p50/p95 and large ÷ small;
- the API list (page_size=100) and bench/baselines.py's values() view of the same page in
  the large database: their answers are compared byte for byte in every round.

Then the median time of each SQL query of the directory requests in the large database.
Every status is checked (a single unexpected one fails the run, with the counts); the API
throttles are off (API_THROTTLES=0) and the script checks that DRF sees them off.
A script that prints figures, not a test.
"""

import argparse
import os

import _common

PAGES = [
    ("directory page", None, "≤ 1.3×"),
    ("search 'Wasserstoff'", {"q": "Wasserstoff"}, "≤ 1.5×"),
    ("typo search 'Frauenhofer'", {"q": "Frauenhofer"}, "≤ 1.5×"),
    ("search + filter 'speicher', Essen", {"q": "speicher", "city": "Essen"}, ""),
    ("typo + 2nd word 'Wassertsoff PEM'", {"q": "Wassertsoff PEM"}, ""),
]
API = "/api/v1/organisations/"
BASELINE = "/bench/values/organisations/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=100, help="organisations in the baseline")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--page-size", type=int, default=100, help="of the API list")
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("--no-breakdown", action="store_true", help="skip the SQL breakdown")
    arguments = parser.parse_args()

    folder = _common.configure("directory")
    _common.load_average("start")
    large_url = os.environ["DATABASE_URL"]
    small_url = _common.sibling_database_url(large_url, "_small", folder)
    for url in (large_url, small_url):
        _common.ensure_postgres_database(url)
    large = _common.RequestWorker("large", large_url, folder)
    small = _common.RequestWorker("small", small_url, folder)
    try:
        run(arguments, large, small)
    finally:
        large.stop()
        small.stop()
        _common.load_average("end")


def run(arguments, large: _common.RequestWorker, small: _common.RequestWorker) -> None:
    if not arguments.no_seed:
        for worker, count in ((large, arguments.organisations), (small, arguments.small)):
            seconds = worker.call("seed", organisations=count)["seconds"]
            print(
                f"{worker.name}: migrated and seeded up to {count} organisations in {seconds:.0f} s"
            )
    sizes = {}
    for worker in (large, small):
        sizes[worker.name] = worker.call("count", model="partners.Organisation", status="active")
        print(
            f"{worker.name}: {worker.call('describe')}, {sizes[worker.name]} active organisations"
        )
    encoder = large.call("encoder")
    print(f"baseline encoder: {encoder}; cache: local memory per worker; API throttles off")
    large.call("check_throttles", paths=[API])

    params = {"page_size": arguments.page_size}
    cases = []
    pairs = []
    for label, query, goal in PAGES:
        case = _common.Case(f"{label} [{sizes['large']}]", large, "/organisations/", query)
        base = _common.Case(f"{label} [{sizes['small']}]", small, "/organisations/", query)
        cases += [case, base]
        pairs.append((label, case, base, goal))
    api = _common.Case(f"API list page_size={arguments.page_size}", large, API, params)
    baseline = _common.Case("values() + encoder, same JSON", large, BASELINE, params)
    cases += [api, baseline]

    check = _common.StatusCheck()
    timings, digests = _common.measure(cases, arguments.rounds, check)
    _common.timing_table([(case.label, timings[case.label]) for case in cases])
    check.exit_if_any()
    _common.assert_same_answers(api, baseline, digests)
    print(f"\nratios, {sizes['large']} ÷ {sizes['small']} organisations:")
    for label, case, base, goal in pairs:
        _common.ratio_line(label, timings[case.label], timings[base.label], goal)
    print("ratio, API ÷ hand-written baseline:")
    _common.ratio_line(api.label, timings[api.label], timings[baseline.label], "≤ 1.3×")

    if not arguments.no_breakdown:
        print(f"\nSQL per directory request, median ms per query ({sizes['large']}):")
        for label, query, _goal in PAGES[:3]:
            rows = large.call("queries", client="anonymous", path="/organisations/", params=query)
            total = sum(ms for _name, ms in rows)
            print(f"  {label}: {len(rows)} queries, {total:.1f} ms in SQL")
            for name, ms in rows:
                print(f"    {name:44} {ms:8.1f}")


if __name__ == "__main__":
    main()
