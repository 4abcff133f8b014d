"""Screenshots of portal pages in German and English, wide and narrow, for a visual check.

    make run &   # demo data on :8000
    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] \
        [--out test-artifacts/screenshots] \
        [--login anna.schmidt@demo.spin.example] /  /organisations/ …
"""

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

DEMO_PASSWORD = "spin-demo-2026"  # noqa: S105 - the documented demo password


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*", default=["/"])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="test-artifacts/screenshots")
    parser.add_argument("--login", default="")
    parser.add_argument("--languages", default="de,en")
    parser.add_argument("--narrow", action="store_true", help="also 390 px wide")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    widths = [1280, 390] if args.narrow else [1280]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for language in args.languages.split(","):
            for width in widths:
                context = browser.new_context(
                    viewport={"width": width, "height": 900}, locale=language
                )
                page = context.new_page()
                context.add_cookies(
                    [{"name": "spin_language", "value": language, "url": args.base}]
                )
                if args.login:
                    page.goto(args.base + "/account/login/")
                    page.fill("#id_login", args.login)
                    page.fill("#id_password", DEMO_PASSWORD)
                    page.locator("form[action='/account/login/'] button[type=submit]").click()
                    page.wait_for_load_state()
                for path in args.paths:
                    page.goto(args.base + path)
                    name = path.strip("/").replace("/", "_") or "home"
                    target = out / f"{name}-{language}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
