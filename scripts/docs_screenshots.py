"""Take the documentation's screenshots (docs/img/*.png) with headless Chromium.

Runs ``planflow serve`` on the Bờ Y example on a free loopback port and
photographs the page units open to subscribe to their calendar. Needs the serve
extra, Playwright (``pip install playwright``) and Chromium from Debian
(``apt-get install -y chromium``); Playwright's own browser download is not used.

    python scripts/docs_screenshots.py
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main() -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "planflow", "serve", "examples/boy_2025",
         "--port", str(port), "--base-url", "https://lich.xaboy.gov.vn",
         "--state", str(OUT / ".screenshot-state.json")],
        cwd=ROOT,
    )  # fmt: skip
    try:
        wait_for(base + "/")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 760})
            page.goto(base + "/")
            OUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUT / "feeds-index.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        (OUT / ".screenshot-state.json").unlink(missing_ok=True)
    print(f"wrote {OUT / 'feeds-index.png'}")


if __name__ == "__main__":
    main()
