"""Screenshots of the main pages with the demo company loaded, for docs/screenshots/ (`make screenshots`).

Starts Loam on a temporary SQLite database with `loam demo`, drives Debian's Chromium with Playwright,
and writes PNG files. Usage: .venv/bin/python scripts/screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
PAGES = [
    ("ar1", "/", "dashboard"),
    ("ar1", "/customers", "customers"),
    ("ar1", "/leads", "leads"),
    ("ar1", "/contacts", "contacts"),
    ("ar1", "/followups", "followups"),
    ("ar1", "/pools", "pools"),
    ("admin", "/settings/departments", "departments"),
    ("admin", "/settings/users", "users"),
    ("admin", "/settings/roles", "roles"),
    ("admin", "/settings/custom-fields", "custom-fields"),
    ("admin", "/pools/manage", "pool-rules"),
    ("admin", "/recycle", "recycle-bin"),
    ("admin", "/search?q=河池", "search"),
    ("admin", "/merge", "merge"),
    ("admin", "/imports", "imports"),
]


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="loam-shots-"))
    env = dict(os.environ, LOAM_DATABASE_URL=f"sqlite:///{tmp / 'demo.db'}", LOAM_HUEY_PATH=str(tmp / "huey.db"))
    subprocess.run([sys.executable, "-m", "loam.cli", "demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "loam.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for user in ("ar1", "admin"):
                page = browser.new_context(base_url=base, viewport={"width": 1366, "height": 860}).new_page()
                page.goto("/login")
                page.screenshot(path=str(OUT / "login.png"))
                page.fill("#username", user)
                page.fill("#password", "loam-demo")
                page.click("button[type=submit]")
                page.wait_for_url("**/")
                for who, path, name in PAGES:
                    if who == user:
                        page.goto(path)
                        page.wait_for_load_state("networkidle")
                        page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
                if user == "ar1":
                    page.goto("/customers?mine=true")
                    page.locator("[data-testid=customer-table] tbody a").first.click()
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(OUT / "customer-360.png"), full_page=False)
            browser.close()
        print(f"screenshots written to {OUT}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
