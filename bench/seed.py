"""`seed_demo` at scale, next to the demo cluster alone, each in a fresh database.

    .venv/bin/python bench/seed.py --organisations 500 --projects 100 --people 50   # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/spinportal_bench_seed \\
        .venv/bin/python bench/seed.py                    # the issue's: 10,000 / 2,000 / 200

Each run of `manage.py seed_demo` is a process of its own, as a person starts it, with the
portal's settings (the real embedder, tasks in-process: REDIS_URL is unset for it) in a
database made for it and dropped after it: on PostgreSQL `<name of DATABASE_URL>_seed_<pid>`
on the same server (DATABASE_URL's own database is not touched), otherwise a SQLite file in
the run's own temporary folder. The baseline (`seed_demo` without synthetic rows) and the
case alternate, B then A, --repeat times. `migrate` is timed apart. On PostgreSQL it also
prints the rows each run inserted, updated and deleted per table (pg_stat_user_tables), which
shows churn such as matches replaced again and again. A run longer than --timeout is stopped
and reported. A script that prints figures, not a test.
"""

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time

import _common

PYTHON = str(_common.ROOT / ".venv" / "bin" / "python")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per seed_demo")
    arguments = parser.parse_args()

    folder = _common.temporary_folder("seed")
    _common.load_average("start")
    server = os.environ.get("DATABASE_URL", "")
    where = "PostgreSQL" if server.startswith("postgres") else "SQLite (DATABASE_URL not set)"
    print(f"database: {where}; every seed_demo in a fresh database")
    synthetic = [
        f"--organisations={arguments.organisations}",
        f"--projects={arguments.projects}",
        f"--people={arguments.people}",
    ]
    runs = {"baseline: demo cluster only": [], "case: " + " ".join(synthetic): []}
    failed = False
    for number in range(arguments.repeat):
        for kind, (label, options) in enumerate(zip(runs, ([], synthetic), strict=True)):
            suffix = f"_{os.getpid()}_{number}_{'ab'[kind]}"
            url = _common.sibling_database_url(server or "sqlite:///", suffix, folder)
            seconds = seed_once(url, folder, options, arguments.timeout)
            failed |= seconds is None
            if seconds is not None:
                runs[label].append(seconds)
    print()
    for label, values in runs.items():
        if values:
            print(f"  {label}: median {_common.p50(values):.1f} s over {len(values)} run(s)")
        else:
            print(f"  {label}: no run finished")
    baseline, case = runs.values()
    if case and baseline:
        ratio = _common.p50(case) / _common.p50(baseline)
        print(f"  case ÷ baseline: {ratio:.2f}× (p50)")
    if case:
        print(f"  goal: ≤ 60 s for the case on PostgreSQL; measured {_common.p50(case):.1f} s")
    _common.load_average("end")
    if failed:
        raise SystemExit(1)


def seed_once(url: str, folder, options: list[str], timeout: float) -> float | None:
    environment = dict(os.environ)
    environment.pop("REDIS_URL", None)  # tasks in-process, as `seed_demo` on its own runs them
    environment.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "spinportal.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-seed-" + secrets.token_urlsafe(32),
            "MEDIA_ROOT": str(folder / "media"),
            "PRIVATE_MEDIA_ROOT": str(folder / "private-media"),
            "LOG_LEVEL": "WARNING",
        }
    )
    created = _common.ensure_postgres_database(url)
    manage = [PYTHON, str(_common.ROOT / "manage.py")]
    try:
        started = time.monotonic()
        migrate = subprocess.run(
            [*manage, "migrate", "--noinput", "-v0"],
            env=environment,
            capture_output=True,
            text=True,
        )
        if migrate.returncode:
            print(migrate.stdout + migrate.stderr)
            return None
        migrated = time.monotonic() - started
        if created:
            reset_table_activity(url)
        command = [*manage, "seed_demo", "--quiet-logins", *options]
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            process.communicate()
            print(f"seed_demo {' '.join(options)}: STOPPED after {timeout:.0f} s (--timeout)")
            return None
        seconds = time.monotonic() - started
        if process.returncode:
            print(output[-3000:])
            print(f"seed_demo {' '.join(options)}: FAILED (exit {process.returncode})")
            return None
        summary = output.strip().splitlines()[-1] if output.strip() else ""
        print(
            f"seed_demo {' '.join(options) or '(demo cluster)'}: {seconds:.1f} s "
            f"(migrate before it {migrated:.1f} s) — {summary}"
        )
        if created:
            print_table_activity(url)
        return seconds
    finally:
        if created:
            _common.drop_postgres_database(url)


def _connect(url: str):
    import urllib.parse

    import psycopg

    parts = urllib.parse.urlsplit(url)
    return psycopg.connect(urllib.parse.urlunsplit(parts._replace(scheme="postgresql")))


def reset_table_activity(url: str) -> None:
    """The statistics of this database start again after migrate: only seed_demo's rows count."""
    with _connect(url) as db:
        db.execute("SELECT pg_stat_reset()")


def print_table_activity(url: str) -> None:
    time.sleep(1)  # the seed process's statistics reach the server as it exits
    with _connect(url) as db:
        rows = db.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del "
            "FROM pg_stat_user_tables ORDER BY n_tup_ins + n_tup_upd + n_tup_del DESC LIMIT 8"
        ).fetchall()
    print(f"    {'table':40} {'inserted':>10} {'updated':>10} {'deleted':>10}")
    for name, inserted, updated, deleted in rows:
        print(f"    {name:40} {inserted:10d} {updated:10d} {deleted:10d}")


if __name__ == "__main__":
    sys.exit(main())
