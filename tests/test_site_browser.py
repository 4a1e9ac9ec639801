"""The built site in headless Chromium: every page loads, internal links resolve, no console errors.

Needs mkdocs (the docs extra), selenium, and Debian's chromium + chromium-driver
(`.ci/install-browser.sh`); skipped when any is missing.
"""

import functools
import http.server
import os
import re
import shutil
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from test_docs import build_site

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    """Build the site once and serve it on 127.0.0.1 at a free port; yields (root dir, base url)."""
    for module in ("mkdocs", "material", "markdown_exec", "mkdocstrings"):
        pytest.importorskip(module)
    tmp = tempfile.mkdtemp(prefix="fgrad-site-")
    out = os.path.join(tmp, "site")
    result = build_site(out)
    assert result.returncode == 0, result.stderr[-6000:]
    handler = functools.partial(_QuietHandler, directory=out)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium driven by selenium, with a fresh profile and console logging on."""
    webdriver = pytest.importorskip("selenium.webdriver")
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("chromium / chromedriver not installed (run .ci/install-browser.sh)")
    profile = tempfile.mkdtemp(prefix="fgrad-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    from selenium.webdriver.chrome.service import Service
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def site_pages(root: str) -> list[str]:
    """Every page of the built site as a path relative to the root ('', 'quickstart/', ...)."""
    pages = []
    for folder, _, files in os.walk(root):
        if "index.html" in files:
            rel = os.path.relpath(folder, root)
            pages.append("" if rel == "." else rel.replace(os.sep, "/") + "/")
    return sorted(pages)


def _ids(url: str, cache: dict) -> set:
    if url not in cache:
        with urllib.request.urlopen(url, timeout=10) as response:
            html = response.read().decode("utf-8", "replace")
        cache[url] = set(re.findall(r'\bid="([^"]+)"', html))
    return cache[url]


def broken_links(links: list[str], base: str, cache: dict) -> list[str]:
    """Internal links whose page does not load or whose #anchor does not exist there."""
    broken = []
    for href in sorted(set(links)):
        if not href.startswith(base):
            continue
        page, _, fragment = href.partition("#")
        try:
            ids = _ids(page, cache)
        except (urllib.error.URLError, OSError) as exc:
            broken.append(f"{href} ({exc})")
            continue
        if fragment and urllib.parse.unquote(fragment) not in ids:
            broken.append(f"{href} (no element with id '{fragment}')")
    return broken


def test_every_page_loads_without_errors(site, browser):
    root, base = site
    pages = site_pages(root)
    expected = {"", "quickstart/", "pytorch-way/", "transforms/", "how-it-works/", "backends/",
                "conventions/", "errors/", "performance/", "examples/", "api/fgrad/", "developer/"}
    assert expected <= set(pages), f"missing pages: {sorted(expected - set(pages))}"
    problems, cache = [], {}
    for page in pages:
        browser.get(base + page)
        if not browser.title or "404" in browser.title:
            problems.append(f"{page}: did not load (title {browser.title!r})")
        links = [a.get_attribute("href") or "" for a in browser.find_elements("css selector", "a[href]")]
        problems += [f"{page}: broken link {b}" for b in broken_links(links, base, cache)]
        problems += [f"{page}: console {entry['level']}: {entry['message']}"
                     for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not problems, "\n".join(problems)
