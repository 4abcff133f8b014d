"""Browser fixtures shared with tests/e2e (chromium through Playwright against live_server)."""

from tests.e2e.conftest import browser, page  # noqa: F401
