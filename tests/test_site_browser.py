"""The built site in headless Chromium: every page loads, internal links resolve, no console errors.

Needs mkdocs (the docs extra), selenium, and Debian's chromium + chromium-driver
(`.ci/install-browser.sh`); skipped when any is missing.
"""

import ast
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
from test_docs import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built_site):
    """The site (built once per run) served on 127.0.0.1 at a free port; yields (root dir, base url)."""
    result, out = built_site
    assert result.returncode == 0, result.stderr[-6000:]
    handler = functools.partial(_QuietHandler, directory=out)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


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


# Images that did not load, and code blocks that overflow their column without a scrollbar: a block
# is fine when its content fits or it scrolls (overflow-x auto/scroll on the <pre> or its <code>),
# and its box must end inside the column that holds it (a home-page face, else the content area).
_LAYOUT_JS = """
const problems = [];
for (const img of document.querySelectorAll('img')) {
  if (!img.complete || img.naturalWidth === 0) problems.push('broken image ' + img.src.slice(0, 80));
}
const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
for (const pre of document.querySelectorAll('.md-content pre')) {
  const code = pre.querySelector('code') || pre;
  // on narrow screens material lets article-level blocks bleed into the content's padding
  const column = pre.closest('.face') || pre.closest('.md-content');
  const label = (code.textContent || '').trim().slice(0, 40);
  for (const el of [pre, code]) {
    if (el.scrollWidth > el.clientWidth + 1 && !scrolls(el) && !(el === pre && scrolls(code))) {
      problems.push('code block cut off (no scrollbar): ' + label);
    }
  }
  const box = pre.getBoundingClientRect(), col = column.getBoundingClientRect();
  if (box.width > 0 && box.right > col.right + 1) {
    problems.push('code block wider than its column (' + Math.round(box.right) + ' > ' +
                  Math.round(col.right) + 'px): ' + label);
  }
}
return problems;
"""

# Every link's resolved target (an SVG <a>'s too) and how many code blocks show a Traceback, read in
# one call: a WebDriver call per element costs ~10 ms, and a page holds up to ~200 links.
_LINKS_AND_TRACEBACKS_JS = """
const links = [...document.querySelectorAll('a[href]')].map(
  a => typeof a.href === 'string' ? a.href : new URL(a.getAttribute('href'), document.baseURI).href);
const tracebacks = [...document.querySelectorAll('.md-content pre')].filter(
  pre => pre.textContent.includes('Traceback (most recent call last)')).length;
return [links, tracebacks];
"""

WIDTHS = (1280, 390)


def page_problems(browser, page: str, base: str, cache: dict) -> list[str]:
    """Everything wrong with one loaded page: title, links, console, images, tracebacks, overflow."""
    problems = []
    if not browser.title or "404" in browser.title:
        problems.append(f"did not load (title {browser.title!r})")
    links, tracebacks = browser.execute_script(_LINKS_AND_TRACEBACKS_JS)
    problems += [f"broken link {b}" for b in broken_links(links, base, cache)]
    problems += [f"console {entry['level']}: {entry['message']}"
                 for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    problems += browser.execute_script(_LAYOUT_JS)
    problems += ["an executed block printed a Traceback"] * tracebacks
    return problems


def test_every_page_loads_without_errors(site, browser):
    root, base = site
    pages = site_pages(root)
    expected = {"", "quickstart/", "pytorch-way/", "transforms/", "how-it-works/", "backends/",
                "conventions/", "errors/", "performance/", "examples/", "api/fgrad/", "developer/"}
    assert expected <= set(pages), f"missing pages: {sorted(expected - set(pages))}"
    problems, cache = [], {}
    for width in WIDTHS:
        browser.set_window_size(width, 900)
        for page in pages:
            browser.get(base + page)
            problems += [f"{page or 'home'} at {width}px: {p}" for p in page_problems(browser, page, base, cache)]
    assert not problems, "\n".join(problems)


def _faces(browser) -> list[dict]:
    """Boxes of the home page's two faces and of the code blocks in each, in page coordinates."""
    return browser.execute_script("""
        const box = el => { const r = el.getBoundingClientRect();
                            return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
        return [...document.querySelectorAll('.faces > .face')].map(face =>
            ({box: box(face), blocks: [...face.querySelectorAll('pre')].map(box)}));
    """)


@pytest.mark.parametrize("width", WIDTHS)
def test_home_page_shows_the_two_faces(site, browser, width):
    root, base = site
    browser.set_window_size(width, 900)
    browser.get(base)
    browser.execute_script("document.querySelector('.faces').scrollIntoView()")
    os.makedirs(os.path.join(ROOT, "site", "screenshots"), exist_ok=True)
    browser.save_screenshot(os.path.join(ROOT, "site", "screenshots", f"home-{width}.png"))
    faces = _faces(browser)
    assert len(faces) == 2, faces
    for face in faces:
        source, output = face["blocks"][:2]
        assert source["bottom"] <= output["top"] + 1, f"output is not below its code: {face}"
    left, right = faces[0]["box"], faces[1]["box"]
    if width >= 700:
        assert abs(left["top"] - right["top"]) < 2 and left["right"] <= right["left"], (left, right)
    else:
        assert left["bottom"] <= right["top"] + 1, f"faces are not stacked at {width}px: {left}, {right}"


def _hint_anchors() -> set[str]:
    """The anchors of every `_with_link(message, anchor)` call in the fgrad package, read from source."""
    anchors = set()
    for folder, _, files in os.walk(os.path.join(ROOT, "fgrad")):
        for name in files:
            if not name.endswith(".py"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                tree = ast.parse(fh.read())
            for node in ast.walk(tree):
                func = getattr(node, "func", None)
                if getattr(func, "id", getattr(func, "attr", None)) == "_with_link":
                    anchor = node.args[1]
                    assert isinstance(anchor, ast.Constant), f"{name}:{node.lineno}: anchor is not a literal"
                    anchors.add(anchor.value)
    return anchors


def test_error_hints_link_to_sections_of_the_errors_page(site):
    from fgrad import errors
    with open(os.path.join(ROOT, "mkdocs.yml"), encoding="utf-8") as fh:
        site_url = re.search(r"^site_url:\s*(\S+)", fh.read(), re.M).group(1)
    assert errors.DOCS == site_url + "errors/"
    anchors = _hint_anchors()
    assert len(anchors) >= 5, anchors
    message = errors.NonScalarOutputError((3,), "f.py:1").args[0]
    assert message.endswith(f"\n(more on this error: {site_url}errors/#non-scalar-output)"), message
    root, _ = site
    with open(os.path.join(root, "errors", "index.html"), encoding="utf-8") as fh:
        ids = set(re.findall(r'\bid="([^"]+)"', fh.read()))
    assert not anchors - ids, f"hints link to sections the errors page lacks: {sorted(anchors - ids)}"


def test_dark_scheme_toggle(site, browser):
    _, base = site
    browser.set_window_size(1280, 900)
    browser.get(base)
    scheme = "return document.body.getAttribute('data-md-color-scheme')"
    before = browser.execute_script(scheme)
    toggles = [t for t in browser.find_elements("css selector", "form[data-md-component=palette] label")
               if t.is_displayed()]
    assert len(toggles) == 1, "expected one visible light/dark toggle in the header"
    toggles[0].click()
    after = browser.execute_script(scheme)
    assert {before, after} == {"default", "slate"}, (before, after)
    os.makedirs(os.path.join(ROOT, "site", "screenshots"), exist_ok=True)
    browser.save_screenshot(os.path.join(ROOT, "site", "screenshots", f"home-1280-{after}.png"))


# page -> (inline matplotlib SVGs, <img> pictures) it must show, each drawn at a visible size
PICTURES = {"pytorch-way/": (4, 0), "examples/": (0, 6), "how-it-works/": (2, 0)}


@pytest.mark.parametrize("page", sorted(PICTURES))
def test_teaching_pages_show_their_pictures(site, browser, page):
    _, base = site
    browser.set_window_size(1280, 900)
    browser.get(base + page)
    sizes = browser.execute_script("""
        const seen = el => { const r = el.getBoundingClientRect(); return r.width > 50 && r.height > 30; };
        const svgs = [...document.querySelectorAll('.md-content svg')].filter(s => s.querySelector('g[id^="figure"]'));
        const imgs = [...document.querySelectorAll('.md-content figure img')];
        return [svgs.filter(seen).length, imgs.filter(i => seen(i) && i.naturalWidth > 0).length];
    """)
    assert sizes == list(PICTURES[page]), f"{page}: (graphs, pictures) drawn {sizes}, want {PICTURES[page]}"


def test_torch_support_page_lists_namespaces(site, browser):
    _, base = site
    browser.get(base + "api/torch/")
    rows = browser.find_elements("css selector", ".md-content table tbody tr")
    names = [r.find_elements("css selector", "td")[0].text for r in rows]
    assert {"torch", "torch.Tensor", "torch.nn", "torch.optim", "torch.autograd"} <= set(names), names
    sections = browser.find_elements("css selector", ".md-content details")
    assert len(sections) >= 2 * len(names) - 1, len(sections)


def test_performance_page_shows_the_run(site, browser):
    """The plot the harness drew loads at a readable size, and the summary has a row per peer measured."""
    import json
    _, base = site
    with open(os.path.join(ROOT, "docs", "assets", "bench.json"), encoding="utf-8") as fh:
        measured = list(json.load(fh)["peers"])
    os.makedirs(os.path.join(ROOT, "site", "screenshots"), exist_ok=True)
    for width in WIDTHS:
        browser.set_window_size(width, 900)
        browser.get(base + "performance/")
        plot = browser.find_element("css selector", '.md-content img[src$="performance.svg"]')
        size = browser.execute_script("const r = arguments[0].getBoundingClientRect();"
                                      "return [r.width, arguments[0].naturalWidth];", plot)
        assert size[1] > 0 and size[0] >= min(300, width - 60), (width, size)
        browser.execute_script("arguments[0].scrollIntoView()", plot)
        browser.save_screenshot(os.path.join(ROOT, "site", "screenshots", f"performance-{width}.png"))
    summary = browser.find_elements("css selector", ".md-content table")[1]
    rows = [row.find_elements("css selector", "td")[0].text
            for row in summary.find_elements("css selector", "tbody tr")]
    assert rows == measured, rows
