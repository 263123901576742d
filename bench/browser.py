"""Time to first result in a real browser, and the page's weight.

Chromium (Debian's, through Playwright) loads the page, waits for the socket's `live` status,
types `1+1` and Enter, and waits for the entry showing `2`. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from testing.browser import LAUNCH_OPTIONS  # noqa: E402

WEIGHED_TYPES = {"document", "stylesheet", "script"}

# Timestamps taken inside the page (performance.now(), from navigation start), so the figures
# do not depend on how often Playwright polls. An init script runs outside the page's CSP.
PROBE = """
window.__calc = {};
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !window.__calc.enter) window.__calc.enter = performance.now();
}, true);
new MutationObserver(() => {
  const marks = window.__calc;
  if (!marks.live && document.querySelector("#status.status--live")) marks.live = performance.now();
  if (!marks.answer) {
    for (const output of document.querySelectorAll("#transcript output")) {
      if (output.textContent.trim() === "2") marks.answer = performance.now();
    }
  }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


def one_run(browser, url: str) -> dict:
    context = browser.new_context()
    context.add_init_script(PROBE)
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(url)
    page.wait_for_selector("#status.status--live")
    page.locator("#expression").press_sequentially("1+1")
    page.locator("#expression").press("Enter")
    page.locator("#transcript output", has_text="2").wait_for()
    marks = page.evaluate("window.__calc")
    timing = page.evaluate("performance.getEntriesByType('navigation')[0].toJSON()")
    weights, files = {}, {}
    for response in responses:
        kind = response.request.resource_type
        try:
            size = len(response.body())
        except Exception:  # redirects and the socket have no body
            continue
        weights[kind] = weights.get(kind, 0) + size
        files[response.url.split("/", 3)[-1] or "/"] = size
    context.close()
    return {
        "dom_ready_ms": timing["domContentLoadedEventEnd"],
        "load_to_live_ms": marks["live"],
        "enter_to_answer_ms": marks["answer"] - marks["enter"],
        "total_ms": marks["live"] + marks["answer"] - marks["enter"],
        "weights": weights,
        "files": files,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**LAUNCH_OPTIONS)
        one_run(browser, args.url)  # warm-up: the server's first page render, the browser's cache
        runs = [one_run(browser, args.url) for _ in range(args.runs)]
        browser.close()
    median = {
        key: statistics.median(run[key] for run in runs)
        for key in ("dom_ready_ms", "load_to_live_ms", "enter_to_answer_ms", "total_ms")
    }
    weights = runs[-1]["weights"]
    print(
        json.dumps(
            {
                **median,
                "runs": len(runs),
                "page_bytes": sum(v for k, v in weights.items() if k in WEIGHED_TYPES),
                "weights": weights,
                "files": runs[-1]["files"],
            }
        )
    )


if __name__ == "__main__":
    main()
