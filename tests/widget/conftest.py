"""Browser fixtures: the real API on one loopback origin, host pages on others, Debian's chromium.

The API runs in uvicorn over a copy of the mini index with one widget key, issued to the
"listed" host origin only; a second host origin embeds the same key and must be refused.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("TWINMATCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# A profile whose every text field is markup: the widget must show it as text.
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
XSS_PROFILE = {
    "id": "xss-probe", "name": XSS,
    "school": {"id": "xss-s", "name": XSS + " School", "country": "IT", "city": "<b>Roma</b>", "type": "primary"},
    "subjects": ["Music"], "age_groups": [{"from": 7, "to": 11}], "languages": ["it", "en"],
    "interests": [XSS], "ideas": [{"title": XSS, "text": "Canzoni e musica popolare con gli alunni " + XSS}],
    "last_active": "2026-10-01",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"chromium not found at {CHROMIUM}: `apt-get install -y chromium chromium-driver` "
                    "(or set TWINMATCH_CHROMIUM); browser tests skipped")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: `pip install playwright` "
        "(no browser download: the tests drive Debian's chromium)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def axe_source() -> Path:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing ({AXE}): run `npm ci --prefix tests/widget`")
    return AXE


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class HostSite:
    """A plain static site on its own loopback origin, for pages that embed the widget."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self._n = 0

    def page(self, base: str, inner: str = "", host_css: str = "", script: str = "/widget/v1/twinmatch.js",
             **attrs: str) -> str:
        """Write a host page loading the script from `base` and embedding the widget with `attrs`
        (and `inner` as its content, the fallback); return its URL."""
        self._n += 1
        attr_text = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
        # Hostile host CSS: none of it may reach inside the widget.
        (self.root / f"p{self._n}.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Host page {self._n}</title><link rel="icon" href="data:,">
<style>
  html {{ font-size: 62.5%; }}
  * {{ color: red; font-family: serif; }}
  body {{ margin: 0; padding: 8px; font-family: serif; }}
  button, select {{ display: none !important; }}
  h3, li, p {{ color: red !important; font-size: 40px !important; }}
  {host_css}
</style>
<script src="{base}{script}" defer></script></head>
<body><main><h1>A national eTwinning site</h1>
<twinmatch-search {attr_text}>{inner}</twinmatch-search>
</main></body></html>
""", encoding="utf-8")
        return f"{self.origin}/p{self._n}.html"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def listed_site(tmp_path_factory):
    site = HostSite(tmp_path_factory.mktemp("host-listed"))
    yield site
    site.close()


@pytest.fixture(scope="session")
def unlisted_site(tmp_path_factory):
    site = HostSite(tmp_path_factory.mktemp("host-unlisted"))
    yield site
    site.close()


# Shared with the "portal" of the tests, which mints teachers' tokens (api/teacher.py).
TEACHER_TOKEN_SECRET = "widget-tests-portal-secret"


class ApiServer:
    def __init__(self, base: str, proc: subprocess.Popen, log: Path, key: str | None):
        self.base, self.proc, self.log, self.key = base, proc, log, key


_ACCESS_ENV = {"TWINMATCH_AUTH", "TWINMATCH_API_KEYS", "TWINMATCH_KEYS_FILE", "TWINMATCH_ALLOW_OPEN", "TWINMATCH_RATE_LIMITS",
               "TWINMATCH_DATA_DIR", "TWINMATCH_HOST", "TWINMATCH_PORT",
               "TWINMATCH_TEACHER_TOKEN_SECRET"}


def _start_api(data_dir: Path, log: Path, env_extra: dict[str, str]) -> tuple[str, subprocess.Popen]:
    port = free_port()
    # The embedder settings pass through (the index was built with them); access settings do not.
    env = {k: v for k, v in os.environ.items() if k not in _ACCESS_ENV}
    env.update({"TWINMATCH_DATA_DIR": str(data_dir), **env_extra})
    fh = log.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the API exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as r:
                if r.status == 200:
                    return base, proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"the API did not become ready:\n{log.read_text(errors='replace')}")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def widget_data_dir(tmp_path_factory, _mini_index) -> Path:
    """The mini index plus a profile made of markup."""
    from matcher.service import build_matcher
    from matcher.settings import Settings
    from models import Profile

    target = tmp_path_factory.mktemp("widget") / "data"
    shutil.copytree(_mini_index, target)
    m = build_matcher(Settings(data_dir=target))
    try:
        m.upsert([Profile.model_validate(XSS_PROFILE)])
    finally:
        m.close()
    return target


@pytest.fixture(scope="session")
def api(widget_data_dir, listed_site, tmp_path_factory) -> ApiServer:
    """The real app with one widget key: scope `search`, valid only from the listed site."""
    from api.security import new_key

    key, rec = new_key(["search"], [listed_site.origin], name="widget-test")
    log = tmp_path_factory.mktemp("api-log") / "api.log"
    # Every test's page loads share this one key: ~600 searches and taxonomy reads in two to five
    # minutes, at the default 600/minute, and a page fires several at once, which a loaded
    # machine keeps in flight longer than the default 4 allow. The limits have their own tests
    # (tests/api).
    limits = json.dumps({"search": "100000/minute"})
    base, proc = _start_api(widget_data_dir, log, {"TWINMATCH_API_KEYS": json.dumps([rec.as_dict()]),
                                                   "TWINMATCH_RATE_LIMITS": limits,
                                                   "TWINMATCH_SEARCHES_IN_FLIGHT": "64",
                                                   "TWINMATCH_TEACHER_TOKEN_SECRET": TEACHER_TOKEN_SECRET})
    yield ApiServer(base, proc, log, key)
    _stop(proc)


@pytest.fixture(scope="session")
def open_api(widget_data_dir, tmp_path_factory) -> ApiServer:
    """The same app with no keys (open, loopback-only mode), as `make demo` runs it."""
    data = tmp_path_factory.mktemp("open") / "data"
    shutil.copytree(widget_data_dir, data)
    log = data.parent / "api.log"
    base, proc = _start_api(data, log, {"TWINMATCH_AUTH": "off"})
    yield ApiServer(base, proc, log, None)
    _stop(proc)


@pytest.fixture
def new_page(browser):
    """`new_page(**context_options)` -> a page in a fresh context, with its console errors
    collected on `page.console_errors`; closed at teardown."""
    contexts = []

    def _new(**options):
        options = {"viewport": {"width": 1024, "height": 900}, "locale": "en-GB", **options}
        ctx = browser.new_context(**options)
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.console_errors = []
        pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
        pg.set_default_timeout(15_000)
        return pg

    yield _new
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(new_page):
    return new_page()
