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
from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from testing.browser import LAUNCH_OPTIONS  # noqa: E402

WEIGHED_TYPES = {"document", "stylesheet", "script"}

# Timestamps taken inside the page (performance.now(), from navigation start), so the figures
# do not depend on how often Playwright polls. An init script runs outside the page's CSP.
PROBE = """
window.__calc = {};
// When htmx's ws extension creates the page's socket, and when the socket opens.
const NativeWebSocket = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new NativeWebSocket(...args);
  window.__calc.socket = performance.now();
  socket.addEventListener("open", () => { window.__calc.open = performance.now(); });
  return socket;
};
window.WebSocket.prototype = NativeWebSocket.prototype;
Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
const outputs = () => document.querySelectorAll("#transcript output").length;
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !window.__calc.enter) {
    window.__calc.enter = performance.now();
    window.__calc.before = outputs();
  }
}, true);
new MutationObserver(() => {
  const marks = window.__calc;
  if (!marks.live && document.querySelector("#status.status--live")) marks.live = performance.now();
  if (marks.enter && !marks.answer && outputs() > marks.before) marks.answer = performance.now();
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


# Cold: a new context, so nothing cached and a new session. Warm: the same person loading the
# page again in that tab, static files from the browser cache. Long: once more, after 200 more
# entries (stored through a socket of its own), so page and socket carry a long transcript.
VISITS = (("cold", "1+1", "2"), ("warm", "3+4", "7"), ("long", "123456+1", "123457"))
LONG_TRANSCRIPT = 200


def one_run(browser, url: str) -> dict:
    context = browser.new_context()
    context.add_init_script(PROBE)
    page = context.new_page()
    figures = {}
    for visit, expression, answer in VISITS:
        if visit == "long":
            fill_transcript(context, url, LONG_TRANSCRIPT)
        responses = []

        def listener(response, seen=responses):
            seen.append(response)

        page.on("response", listener)
        page.goto(url)
        page.wait_for_selector("#status.status--live")
        page.locator("#expression").press_sequentially(expression)
        page.locator("#expression").press("Enter")
        page.locator("#transcript output", has_text=answer).wait_for()
        marks = page.evaluate("window.__calc")
        timing = page.evaluate("performance.getEntriesByType('navigation')[0].toJSON()")
        figures[visit] = {
            "dom_ready_ms": timing["domContentLoadedEventEnd"],
            "socket_created_ms": marks["socket"],
            "socket_open_ms": marks["open"],
            "load_to_live_ms": marks["live"],
            "enter_to_answer_ms": marks["answer"] - marks["enter"],
            "total_ms": marks["live"] + marks["answer"] - marks["enter"],
        }
        if visit == "cold":
            figures["weights"], figures["files"] = weigh(responses)
        page.remove_listener("response", listener)
    context.close()
    return figures


# The browser's own share, from the same server with the same headers: a new context loading a
# trivial document (/healthz), then a socket opened from it to its first message (a socket
# without a session gets its one status message right after the handshake).
SOCKET_PROBE = """(url) => new Promise((resolve) => {
  const start = performance.now();
  const socket = new WebSocket(url);
  socket.onmessage = () => { resolve(performance.now() - start); socket.close(); };
})"""


def socket_url(page_url: str) -> str:
    return page_url.replace("http://", "ws://", 1) + "ws/calc/"


def floor_run(browser, url: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "healthz")
    dom_ready = page.evaluate(
        "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
    )
    first_message = page.evaluate(SOCKET_PROBE, socket_url(url))
    context.close()
    return {"dom_ready_ms": dom_ready, "socket_first_message_ms": first_message}


def fill_transcript(context, url: str, count: int) -> None:
    """Submits `count` lines in the context's session, through a socket of its own."""
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies(url))
    headers = {"Cookie": cookie}
    with connect(socket_url(url), origin=url.rstrip("/"), additional_headers=headers) as socket:
        socket.recv()  # the transcript so far
        for i in range(count):
            frame = {"expression": f"{i}*{i}+1", "HEADERS": {"HX-Trigger": "calc-form"}}
            socket.send(json.dumps(frame))
            socket.recv()


def weigh(responses) -> tuple[dict, dict]:
    weights, files = {}, {}
    for response in responses:
        kind = response.request.resource_type
        try:
            size = len(response.body())
        except Exception:  # redirects and the socket have no body
            continue
        weights[kind] = weights.get(kind, 0) + size
        files[response.url.split("/", 3)[-1] or "/"] = size
    return weights, files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**LAUNCH_OPTIONS)
        one_run(browser, args.url)  # warm-up: the server's first page render, the browser's cache
        runs = [one_run(browser, args.url) for _ in range(args.runs)]
        floors = [floor_run(browser, args.url) for _ in range(args.runs)]
        browser.close()
    keys = (
        "dom_ready_ms",
        "socket_created_ms",
        "socket_open_ms",
        "load_to_live_ms",
        "enter_to_answer_ms",
        "total_ms",
    )
    medians = {
        visit: {key: statistics.median(run[visit][key] for run in runs) for key in keys}
        for visit, _, _ in VISITS
    }
    weights = runs[-1]["weights"]
    print(
        json.dumps(
            {
                **medians,
                "floor": {key: statistics.median(f[key] for f in floors) for key in floors[0]},
                "runs": len(runs),
                "page_bytes": sum(v for k, v in weights.items() if k in WEIGHED_TYPES),
                "weights": weights,
                "files": runs[-1]["files"],
            }
        )
    )


if __name__ == "__main__":
    main()
