"""Rebuilds the matching index and all stored matches, with a progress line on stderr."""

import time

from django.core.management.base import BaseCommand

from matchmaking import engine
from matchmaking.engine.rebuild import DEFAULT_CHUNK_SIZE


class Command(BaseCommand):
    help = "Recomputes the matches of every published opportunity."

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=DEFAULT_CHUNK_SIZE,
            help="Opportunities replaced per transaction.",
        )
        parser.add_argument(
            "--workers", type=int, default=None, help="Processes (default MATCHING_WORKERS or 2)."
        )
        parser.add_argument("--quiet", action="store_true", help="No progress line.")

    def handle(self, *args, chunk_size: int, workers: int | None, quiet: bool, **options):
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            if quiet:
                return
            width = 30
            filled = width * done // total if total else width
            elapsed = time.monotonic() - started
            self.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
                f"opportunities, {elapsed:.1f} s",
                ending="",
            )
            self.stderr.flush()

        count = engine.rebuild_all(chunk_size=chunk_size, workers=workers, progress=progress)
        if not quiet and count:
            self.stderr.write("")
        self.stdout.write(
            f"Recomputed matches of {count} opportunities in {time.monotonic() - started:.1f} s."
        )
