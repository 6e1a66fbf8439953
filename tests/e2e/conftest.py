"""Browser tests: a real Loam server (uvicorn, its own SQLite database built by the migrations) driven by
Playwright through Debian's Chromium (DESIGN.md R29). Screenshots go to docs/screenshots/ when
LOAM_SCREENSHOTS=1 (`make screenshots`), otherwise to a temporary folder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = os.environ.get("LOAM_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """A live server on a free port with the demo org (users only) and one pool covering the account dept.
    `loam serve` runs the job worker in-process, so imports and exports run as they do in production."""
    tmp = Path(tempfile.mkdtemp(prefix="loam-e2e-"))
    env = dict(
        os.environ,
        LOAM_DATABASE_URL=f"sqlite:///{tmp / 'e2e.db'}",
        LOAM_HUEY_PATH=str(tmp / "huey.db"),
        LOAM_FILES_PATH=str(tmp / "files"),
    )
    env.pop("LOAM_TEST_BACKEND", None)
    setup = (
        "from loam import db, migrate\n"
        "from loam.demo import org\n"
        "migrate.upgrade()\n"
        "with db.session_scope() as s:\n"
        "    o = org.build(s)\n"
        "    try:\n"
        "        from tests.e2e.setup_data import seed\n"
        "        seed(s, o)\n"
        "    except ImportError:\n"
        "        pass\n"
    )
    subprocess.run([sys.executable, "-c", setup], env=env, cwd=ROOT, check=True)
    port = _free_port()
    access_log = (tmp / "access.log").open("wb")  # uvicorn's access log goes to stdout; errors stay on stderr
    proc = subprocess.Popen(
        [sys.executable, "-m", "loam.cli", "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=access_log
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{url}/login", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("the Loam server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    access_log.close()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server, viewport={"width": 1366, "height": 860}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    yield pg
    context.close()
    assert not errors, f"JavaScript errors or server errors while browsing: {errors}"


@pytest.fixture(scope="session")
def shots() -> Path:
    if os.environ.get("LOAM_SCREENSHOTS") == "1":
        out = ROOT / "docs" / "screenshots"
    else:
        out = Path(tempfile.mkdtemp(prefix="loam-shots-"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def login(page, username: str, password: str = "loam-demo") -> None:  # type: ignore[no-untyped-def]  # noqa: S107
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
